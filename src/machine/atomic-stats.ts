/** Indices of the machine's atomic and lock counters (one Float64Array, see Machine.atomics). */
export const A_TOTAL = 0; // read-modify-write atomics of every kind
export const A_CAS = 1;
export const A_CAS_FAILED = 2;
export const A_EXCHANGE = 3;
export const A_FETCH_ADD = 4;
export const A_FETCH_OR = 5;
export const A_FETCH_AND = 6;
export const A_CONTENDED = 7; // the line came from another core, or was busy with another core's atomic
export const A_WAIT_CYCLES = 8; // cycles spent waiting for a busy line
export const A_FENCES = 9;
export const A_LOCKS = 10; // lock acquisitions
export const A_LOCK_CONTENDED = 11;
export const A_LOCK_SLEEPS = 12; // acquisitions that slept on a futex after spinning
export const A_LOCK_WAIT_CYCLES = 13;
export const A_COUNT = 14;
