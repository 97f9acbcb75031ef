/**
 * C/C++ memory orders of the Cpu's atomics (std::memory_order). On x86 every locked
 * read-modify-write is a full barrier whatever its order, so the order changes no timing; it tells
 * the data-race detector (race/) which happens-before edges the real source's atomic creates. A
 * model passes the order its real allocator's source uses; the default of each atomic is the
 * strongest the operation had before orders existed (RMWs seq_cst, loads acquire, stores release).
 */
export const RELAXED = 0;
export const ACQUIRE = 1;
export const RELEASE = 2;
export const ACQ_REL = 3;
export const SEQ_CST = 7;
/** A plain (non-atomic) access: `Cpu.load`'s default order. */
export const NOT_ATOMIC = -1;
export type MemoryOrder = typeof RELAXED | typeof ACQUIRE | typeof RELEASE | typeof ACQ_REL | typeof SEQ_CST;

export const ORDER_NAMES: Readonly<Record<number, string>> = { 0: 'relaxed', 1: 'acquire', 2: 'release', 3: 'acq_rel', 7: 'seq_cst' };

/** The order has an acquire part (acquire, acq_rel, seq_cst). */
export function acquires(o: number): boolean {
  return (o & ACQUIRE) !== 0;
}

/** The order has a release part (release, acq_rel, seq_cst). */
export function releases(o: number): boolean {
  return (o & RELEASE) !== 0;
}

/** A failed CAS only loads: its order loses the release part (C++'s default failure order). */
export function failureOrder(o: number): number {
  return o & ~RELEASE;
}
