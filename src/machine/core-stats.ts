/** Indices of the machine's core-timing counters (one Float64Array, see Machine.coreStats), summed over threads. */
export const K_INSTRUCTIONS = 0; // memory accesses, locked operations and work units dispatched
export const K_ROB_STALL = 1; // cycles dispatch waited for the reorder buffer (an unfinished load too far back)
export const K_STORE_BUFFER_STALL = 2; // cycles dispatch waited for a store-buffer entry
export const K_DRAIN_STALL = 3; // cycles serialising events (atomics, fences, system calls, faults) waited for loads and stores
export const K_FILL_BUFFER_WAIT = 4; // cycles misses waited for a free fill buffer (not all of it stalls the thread)
export const K_COUNT = 5;
