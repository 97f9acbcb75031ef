/**
 * Snapshots of the machine's counters in the shape of the Result JSON contract (docs/results.md).
 */
import * as A from './atomic-stats.ts';
import * as S from './core-stats.ts';
import {
  C_ACCESS,
  C_C2C,
  C_CAPACITY,
  C_COHERENCE,
  C_COLD,
  C_CYCLES,
  C_L1_MISS,
  C_L2_MISS,
  C_LLC_MISS,
  C_PREFETCH,
  C_SLOW,
  C_UPGRADE,
  COUNTERS_PER_ORIGIN,
  ORIGIN_APP,
  ORIGIN_LINK,
  ORIGIN_META,
} from './cache-hierarchy.ts';
import { PAGE_SIZE } from './sizes.ts';
import { SYSCALL_KINDS, type SyscallKind } from './machine-spec.ts';
import type { Machine } from './machine.ts';

export interface CacheCounts {
  accesses: number;
  l1Misses: number;
  l2Misses: number;
  llcMisses: number;
  coherenceMisses: number;
  coldMisses: number;
  capacityMisses: number;
  /** Writes that had to invalidate other cores' shared copies. */
  upgrades: number;
  /** Misses served by another core's cache. */
  transfers: number;
  /** Cycles charged to these accesses. */
  cycles: number;
  /** Lines the L2 stream prefetcher brought in on behalf of these accesses (not counted as accesses). */
  prefetches: number;
}

export interface CacheStats extends CacheCounts {
  byOrigin: { app: CacheCounts; allocator: CacheCounts; allocatorMeta: CacheCounts; allocatorLink: CacheCounts };
}

export interface AtomicStats {
  /** Read-modify-write atomics of every kind (CAS, exchange, fetch-add/or/and), lock acquisitions included. */
  total: number;
  cas: number;
  casFailed: number;
  exchange: number;
  fetchAdd: number;
  fetchOr: number;
  fetchAnd: number;
  contended: number;
  waitCycles: number;
  fences: number;
  locks: number;
  lockContended: number;
  lockSleeps: number;
  lockWaitCycles: number;
}

/** Where the core model made threads wait (core-timing.ts), summed over threads. */
export interface CoreStats {
  /** Memory accesses, locked operations and `work` units dispatched. */
  instructions: number;
  /** Cycles dispatch waited because an unfinished load was a reorder buffer behind. */
  robStallCycles: number;
  /** Cycles dispatch waited for a store-buffer entry. */
  storeBufferStallCycles: number;
  /** Cycles serialising events (atomics, fences, system calls, faults, thread exit) waited for earlier loads and stores. */
  drainStallCycles: number;
  /** Cycles misses waited for a free fill buffer (the thread itself waits only if it needs them). */
  fillBufferWaitCycles: number;
}

export interface MemoryStats {
  rssPeakBytes: number;
  rssFinalBytes: number;
  /** MADV_FREE'd bytes still counted in the final RSS. */
  lazyFreeBytes: number;
  mappedPeakBytes: number;
  mappedFinalBytes: number;
  pageFaults: number;
  zeroPageFaults: number;
  mmap: number;
  munmap: number;
  madvise: number;
  syscalls: number;
  syscallsByKind: Record<SyscallKind, number>;
}

function countsOf(c: Float64Array, origins: readonly number[], l1Hit: number): CacheCounts {
  const sum = (k: number): number => origins.reduce((s, o) => s + (c[o * COUNTERS_PER_ORIGIN + k] as number), 0);
  return {
    accesses: sum(C_ACCESS),
    l1Misses: sum(C_L1_MISS),
    l2Misses: sum(C_L2_MISS),
    llcMisses: sum(C_LLC_MISS),
    coherenceMisses: sum(C_COHERENCE),
    coldMisses: sum(C_COLD),
    capacityMisses: sum(C_CAPACITY),
    upgrades: sum(C_UPGRADE),
    transfers: sum(C_C2C),
    cycles: sum(C_CYCLES) + (sum(C_ACCESS) - sum(C_SLOW)) * l1Hit,
    prefetches: sum(C_PREFETCH),
  };
}

export function cacheStats(m: Machine): CacheStats {
  const c = m.hier.counts;
  const h = m.hier.l1Hit;
  return {
    ...countsOf(c, [ORIGIN_APP, ORIGIN_META, ORIGIN_LINK], h),
    byOrigin: {
      app: countsOf(c, [ORIGIN_APP], h),
      allocator: countsOf(c, [ORIGIN_META, ORIGIN_LINK], h),
      allocatorMeta: countsOf(c, [ORIGIN_META], h),
      allocatorLink: countsOf(c, [ORIGIN_LINK], h),
    },
  };
}

export function atomicStats(m: Machine): AtomicStats {
  const a = m.atomics;
  return {
    total: a[A.A_TOTAL] as number,
    cas: a[A.A_CAS] as number,
    casFailed: a[A.A_CAS_FAILED] as number,
    exchange: a[A.A_EXCHANGE] as number,
    fetchAdd: a[A.A_FETCH_ADD] as number,
    fetchOr: a[A.A_FETCH_OR] as number,
    fetchAnd: a[A.A_FETCH_AND] as number,
    contended: a[A.A_CONTENDED] as number,
    waitCycles: a[A.A_WAIT_CYCLES] as number,
    fences: a[A.A_FENCES] as number,
    locks: a[A.A_LOCKS] as number,
    lockContended: a[A.A_LOCK_CONTENDED] as number,
    lockSleeps: a[A.A_LOCK_SLEEPS] as number,
    lockWaitCycles: a[A.A_LOCK_WAIT_CYCLES] as number,
  };
}

export function coreStats(m: Machine): CoreStats {
  const k = m.coreStats;
  return {
    instructions: k[S.K_INSTRUCTIONS] as number,
    robStallCycles: k[S.K_ROB_STALL] as number,
    storeBufferStallCycles: k[S.K_STORE_BUFFER_STALL] as number,
    drainStallCycles: k[S.K_DRAIN_STALL] as number,
    fillBufferWaitCycles: k[S.K_FILL_BUFFER_WAIT] as number,
  };
}

export function memoryStats(m: Machine): MemoryStats {
  const as = m.as;
  const byKind = { ...as.syscalls };
  return {
    rssPeakBytes: as.peakResidentPages * PAGE_SIZE,
    rssFinalBytes: as.residentPages * PAGE_SIZE,
    lazyFreeBytes: as.lazyFreePages * PAGE_SIZE,
    mappedPeakBytes: as.peakMappedBytes,
    mappedFinalBytes: as.mappedBytes,
    pageFaults: as.pageFaults,
    zeroPageFaults: as.zeroPageFaults,
    mmap: byKind.mmap,
    munmap: byKind.munmap,
    madvise: byKind.madvise,
    syscalls: SYSCALL_KINDS.reduce((s, k) => s + byKind[k], 0),
    syscallsByKind: byKind,
  };
}
