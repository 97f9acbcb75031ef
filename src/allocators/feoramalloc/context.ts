/**
 * What every feoramalloc (design 1) function is handed: the address of the globals, the counters,
 * the code-path ids. All allocator state is in simulated memory: the superpages (headers, slabs,
 * the heap cache in the superpage's alignment padding), the orphanage globals and the thread-locals.
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { Counters } from '../kit/model-counters.ts';
import { currentThreadId } from '../shared/odin-runtime/thread-id.ts';
import { T_LOCAL_HEAP_CACHE, T_THREAD_ID } from './layout.ts';

/** The counters this model reports (as mimalloc's mi_stat_* fields): a misspelt name fails to compile. */
export type FeoramallocStat =
  | 'collections'
  | 'hugeAllocations'
  | 'hugeFrees'
  | 'localBitFlips'
  | 'localFrees'
  | 'mergedBins'
  | 'merges'
  | 'orphanAdoptions'
  | 'orphanPushes'
  | 'remoteBitFlips'
  | 'remoteFrees'
  | 'remoteNotifications'
  | 'slabsFilled'
  | 'slabsSetUp'
  | 'superpagesMapped'
  | 'superpagesUnmapped'
  | 'wideAllocations'
  | 'zeroedBins';

export interface FeoraPaths {
  alloc: number;
  collect: number;
  slabSetup: number;
  wide: number;
  huge: number;
  localFree: number;
  remoteFree: number;
  notify: number;
  merge: number;
  orphanage: number;
}

export interface FeoraCtx {
  readonly globals: number;
  readonly counters: Counters<FeoramallocStat>;
  readonly paths: FeoraPaths;
}

export { count } from '../shared/quiet-count.ts';

export function threadId(cpu: Cpu): number {
  return currentThreadId(cpu, T_THREAD_ID);
}

/** local_heap_cache: the cache block of this thread's first superpage. */
export function localCache(cpu: Cpu): number {
  return cpu.load(cpu.tls + T_LOCAL_HEAP_CACHE);
}

export { odinPanic } from '../shared/odin-runtime/panic.ts';
