/**
 * What every feoramalloc-v2 function is handed: the globals' address, the segment size (the OS
 * huge-page size the runtime reads from /proc/meminfo), counters and code-path ids. All allocator
 * state is in simulated memory: the per-thread Heap mapping, segment headers and slab records.
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { Counters } from '../kit/model-counters.ts';
import { currentThreadId } from '../shared/odin-runtime/thread-id.ts';
import {
  G_SLAB_SHIFT,
  G_SLABS_DATA,
  L_BIN_SIZE,
  L_DATA,
  SLAB_RECORD_SIZE,
  T_LOCAL_HEAP,
  T_THREAD_ID,
  WHOLE_SEGMENT,
  segmentOf,
} from './layout.ts';

/** The counters this model reports (as mimalloc's mi_stat_* fields): a misspelt name fails to compile. */
export type FeoramallocV2Stat =
  | 'bumpAllocations'
  | 'collectedRemoteFrees'
  | 'collections'
  | 'emptySegmentsAdopted'
  | 'emptySegmentsDroppedForHuge'
  | 'emptySegmentsOrphaned'
  | 'freeListAllocations'
  | 'heapsMapped'
  | 'hugeSegments'
  | 'localFrees'
  | 'mergedRemoteFrees'
  | 'orphanAdoptions'
  | 'remoteFrees'
  | 'remoteFreesToHeap'
  | 'remoteFreesToSlab'
  | 'segmentsMapped'
  | 'segmentsOrphaned'
  | 'segmentsUnmapped'
  | 'segmentsWiped'
  | 'slabsFreed'
  | 'slabsMade'
  | 'slabsZeroedForReuse';

export interface V2Paths {
  alloc: number;
  makeSlab: number;
  adopt: number;
  localFree: number;
  remoteFree: number;
  collect: number;
  segment: number;
}

export interface V2Ctx {
  readonly globals: number;
  readonly segmentSize: number;
  readonly counters: Counters<FeoramallocV2Stat>;
  readonly paths: V2Paths;
}

export { count } from '../shared/quiet-count.ts';

export function threadId(cpu: Cpu): number {
  return currentThreadId(cpu, T_THREAD_ID);
}

export function localHeap(cpu: Cpu): number {
  return cpu.load(cpu.tls + T_LOCAL_HEAP);
}

export { odinPanic } from '../shared/odin-runtime/panic.ts';

/** find_segment_from_pointer. */
export function segmentFor(ctx: V2Ctx, p: number): number {
  return segmentOf(p, ctx.segmentSize);
}

/** &segment.slabs[(ptr - segment) >> segment.slab_shift]. */
export function slabFor(cpu: Cpu, segment: number, p: number): number {
  const shift = cpu.load(segment + G_SLAB_SHIFT);
  const index = shift === WHOLE_SEGMENT ? 0 : Math.floor((p - segment) / 2 ** shift);
  return cpu.load(segment + G_SLABS_DATA) + index * SLAB_RECORD_SIZE;
}

/** The start of the bin holding `p` (identity for pointers the allocator returned). */
export function binStart(cpu: Cpu, slab: number, p: number): number {
  const data = cpu.load(slab + L_DATA);
  const bin = cpu.load(slab + L_BIN_SIZE);
  return data + Math.floor((p - data) / bin) * bin;
}
