/**
 * Slices and spans (mimalloc src/segment.c, "Slices", "Slice span queues", "Span free",
 * "Page allocation"): a segment's 512 slice entries double as page structs; runs of free slices
 * ("spans") sit in the thread's span queues (tld->segments.spans, 36 bins by slice count); a page
 * is a span taken from the smallest fitting queue and split; a freed page is coalesced with free
 * neighbours and queued again (and scheduled for purge).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { RELAXED } from '../../machine/memory-order.ts';
import { ORIGIN_META } from '../../machine/origin-counters.ts';
import { segmentOf, sliceAt, sliceIndex, type Mi } from './internal.ts';
import { segmentEnsureCommitted, segmentSchedulePurge } from './segment-commit.ts';
import { MAX_SLICE_OFFSET, Q_FIRST, Q_LAST, SEGMENT_BIN_MAX, SEGMENT_HUGE, SLICE_SIZE } from './types.ts';

/** segment.c mi_slice_bin8: span queue of a slice count (bins 0..35, 4 per doubling). */
export function sliceBin(count: number): number {
  if (count <= 1) return count;
  const c = count - 1;
  const s = 31 - Math.clz32(c);
  if (s <= 2) return c + 1;
  return ((s << 2) | ((c >>> (s - 2)) & 3)) - 4;
}

function spanQueue(m: Mi, tld: number, count: number): number {
  return tld + m.layout.tld.spans + sliceBin(count) * m.layout.queueSize;
}

export function isAbandoned(m: Mi, cpu: Cpu, segment: number): boolean {
  return cpu.load(segment + m.layout.segment.threadId, 8, ORIGIN_META, RELAXED) === 0; // mi_atomic_load_relaxed
}

function setXblock(m: Mi, cpu: Cpu, slice: number, v: number): void {
  cpu.store(slice + m.layout.page.blockSize, v, m.layout.page.blockSizeSize);
}

export function sliceIsUsed(m: Mi, cpu: Cpu, slice: number): boolean {
  return cpu.load(slice + m.layout.page.blockSize, m.layout.page.blockSizeSize) > 0;
}

/** segment.c mi_span_queue_push: at the front; xblock_size 0 marks the span free. */
function spanQueuePush(m: Mi, cpu: Cpu, sq: number, slice: number): void {
  const P = m.layout.page;
  const first = cpu.load(sq + Q_FIRST);
  cpu.store(slice + P.prev, 0);
  cpu.store(slice + P.next, first);
  cpu.store(sq + Q_FIRST, slice);
  if (first !== 0) cpu.store(first + P.prev, slice);
  else cpu.store(sq + Q_LAST, slice);
  setXblock(m, cpu, slice, 0);
}

/** segment.c mi_span_queue_delete. */
function spanQueueDelete(m: Mi, cpu: Cpu, sq: number, slice: number): void {
  const P = m.layout.page;
  const prev = cpu.load(slice + P.prev);
  const next = cpu.load(slice + P.next);
  if (prev !== 0) cpu.store(prev + P.next, next);
  if (slice === cpu.load(sq + Q_FIRST)) cpu.store(sq + Q_FIRST, next);
  if (next !== 0) cpu.store(next + P.prev, prev);
  if (slice === cpu.load(sq + Q_LAST)) cpu.store(sq + Q_LAST, prev);
  cpu.store(slice + P.prev, 0);
  cpu.store(slice + P.next, 0);
  setXblock(m, cpu, slice, 1);
}

export function spanRemoveFromQueue(m: Mi, cpu: Cpu, tld: number, slice: number): void {
  spanQueueDelete(m, cpu, spanQueue(m, tld, cpu.load(slice + m.layout.page.sliceCount, 4)), slice);
}

/** segment.c mi_segment_span_free: mark a run of slices free, maybe schedule its purge, queue it. */
export function spanFree(m: Mi, cpu: Cpu, tld: number, segment: number, index: number, count: number, allowPurge: boolean): void {
  const P = m.layout.page;
  const S = m.layout.segment;
  const queued = cpu.load(segment + S.kind, 4) !== SEGMENT_HUGE && !isAbandoned(m, cpu, segment);
  const n = count === 0 ? 1 : count;
  const slice = sliceAt(m, segment, index);
  cpu.store(slice + P.sliceCount, n, 4);
  cpu.store(slice + P.sliceOffset, 0, 4);
  if (n > 1) {
    const last = sliceAt(m, segment, index + n - 1);
    cpu.store(last + P.sliceCount, 0, 4);
    cpu.store(last + P.sliceOffset, P.size * (n - 1), 4);
    setXblock(m, cpu, last, 0);
  }
  if (allowPurge) segmentSchedulePurge(m, cpu, segment, segment + index * SLICE_SIZE, n * SLICE_SIZE);
  if (queued) spanQueuePush(m, cpu, spanQueue(m, tld, n), slice);
  else setXblock(m, cpu, slice, 0);
}

/** segment.c mi_segment_span_free_coalesce: merge with free neighbours, then free (and queue) the span. */
export function spanFreeCoalesce(m: Mi, cpu: Cpu, tld: number, slice0: number): number {
  const P = m.layout.page;
  const S = m.layout.segment;
  const segment = segmentOf(slice0);
  if (cpu.load(segment + S.kind, 4) === SEGMENT_HUGE) {
    setXblock(m, cpu, slice0, 0);
    return slice0;
  }
  const abandoned = isAbandoned(m, cpu, segment);
  let slice = slice0;
  let count = cpu.load(slice + P.sliceCount, 4);
  const end = sliceAt(m, segment, cpu.load(segment + S.sliceEntries));
  const next = slice + count * P.size;
  if (next < end && !sliceIsUsed(m, cpu, next)) {
    count += cpu.load(next + P.sliceCount, 4);
    if (!abandoned) spanRemoveFromQueue(m, cpu, tld, next);
  }
  if (slice > sliceAt(m, segment, 0)) {
    const before = slice - P.size;
    const prev = before - cpu.load(before + P.sliceOffset, 4);
    if (!sliceIsUsed(m, cpu, prev)) {
      count += cpu.load(prev + P.sliceCount, 4);
      if (!abandoned) spanRemoveFromQueue(m, cpu, tld, prev);
      slice = prev;
    }
  }
  spanFree(m, cpu, tld, segment, sliceIndex(m, segment, slice), count, true);
  return slice;
}

/** segment.c mi_segment_span_allocate: turn a run of slices into a page (back offsets in its first slices). */
export function spanAllocate(m: Mi, cpu: Cpu, segment: number, index: number, count: number): number {
  const P = m.layout.page;
  const S = m.layout.segment;
  const slice = sliceAt(m, segment, index);
  segmentEnsureCommitted(m, cpu, segment, segment + index * SLICE_SIZE, count * SLICE_SIZE);
  cpu.store(slice + P.sliceOffset, 0, 4);
  cpu.store(slice + P.sliceCount, count, 4);
  const bsize = count * SLICE_SIZE;
  setXblock(m, cpu, slice, bsize >= 2 ** 31 ? 2 ** 31 : bsize);
  const entries = cpu.load(segment + S.sliceEntries);
  let extra = Math.min(count - 1, MAX_SLICE_OFFSET);
  if (index + extra >= entries) extra = entries - index - 1;
  for (let i = 1; i <= extra; i++) {
    const s = slice + i * P.size;
    cpu.store(s + P.sliceOffset, P.size * i, 4);
    cpu.store(s + P.sliceCount, 0, 4);
    setXblock(m, cpu, s, 1);
  }
  let last = slice + (count - 1) * P.size;
  const end = sliceAt(m, segment, entries);
  if (last > end) last = end;
  if (last > slice) {
    cpu.store(last + P.sliceOffset, last - slice, 4);
    cpu.store(last + P.sliceCount, 0, 4);
    setXblock(m, cpu, last, 1);
  }
  cpu.store(slice + P.bits, 1, 1); // is_committed
  cpu.store(segment + S.used, cpu.load(segment + S.used) + 1);
  return slice;
}

/** segment.c mi_segments_page_find_and_allocate: best fit up through the span queues. */
export function spansFindAndAllocate(m: Mi, cpu: Cpu, tld: number, count: number): number {
  const P = m.layout.page;
  const want = count === 0 ? 1 : count;
  for (let bin = sliceBin(count); bin <= SEGMENT_BIN_MAX; bin++) {
    const sq = tld + m.layout.tld.spans + bin * m.layout.queueSize;
    for (let slice = cpu.load(sq + Q_FIRST); slice !== 0; slice = cpu.load(slice + P.next)) {
      const have = cpu.load(slice + P.sliceCount, 4);
      if (have < want) continue;
      const segment = segmentOf(slice);
      spanQueueDelete(m, cpu, sq, slice);
      const index = sliceIndex(m, segment, slice);
      if (have > want) {
        // mi_segment_slice_split: the left-over part is freed without scheduling a purge
        spanFree(m, cpu, tld, segment, index + want, have - want, false);
        cpu.store(slice + P.sliceCount, want, 4);
      }
      return spanAllocate(m, cpu, segment, index, want);
    }
  }
  return 0;
}
