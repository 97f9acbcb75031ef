/**
 * The origins an access is tagged with and the cache counters kept per origin (indices into
 * CacheHierarchy.counts, COUNTERS_PER_ORIGIN per origin). They live in a module of their own so the
 * hierarchy can bind them to private names (an exported binding is reloaded at every use in
 * V8-optimized code, even inside its own module; see docs/performance.md); cache-hierarchy.ts
 * re-exports them.
 */
export const ORIGIN_APP = 0;
export const ORIGIN_META = 1;
export const ORIGIN_LINK = 2;
export type Origin = typeof ORIGIN_APP | typeof ORIGIN_META | typeof ORIGIN_LINK;
export const ORIGIN_NAMES = ['app', 'allocatorMeta', 'allocatorLink'] as const;

/** Counter indices within one origin's block. */
export const C_ACCESS = 0;
export const C_L1_MISS = 1;
export const C_L2_MISS = 2;
export const C_LLC_MISS = 3;
export const C_COHERENCE = 4;
export const C_COLD = 5;
export const C_CAPACITY = 6;
export const C_UPGRADE = 7;
export const C_C2C = 8;
/** Cycles of the accesses that took the slow path (the fast L1 hits are counted, not summed). */
export const C_CYCLES = 9;
/** Accesses that took the slow path. */
export const C_SLOW = 10;
/** Lines the L2 stream prefetcher brought into a core's L2 (not demand accesses). */
export const C_PREFETCH = 11;
export const COUNTERS_PER_ORIGIN = 12;
