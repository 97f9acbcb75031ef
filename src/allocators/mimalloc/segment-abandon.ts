/**
 * Abandonment and reclaim (mimalloc src/segment.c "Abandonment", "Reclaim abandoned pages").
 *
 * A segment whose pages all belong to exited threads gets `thread_id = 0` and joins a global
 * lock-free list (a tagged pointer against A-B-A, a reader count against purging a segment being
 * read); segments visited without being reclaimed go to a second `visited` list that migrates back
 * when the first runs dry. A thread that needs a segment first visits up to `max_segment_reclaim`
 * abandoned segments: it frees empty ones, reclaims one with a fitting free span or a page of the
 * wanted size, reclaims any segment on its third visit, and purges and sets aside the rest.
 *
 * This is v2.1.2's design; v2.4.1 keeps abandoned segments in arena bitmaps instead (the model
 * uses the list for both versions; docs/models/mimalloc.md).
 */
import type { Cpu } from '../../machine/cpu.ts';
import {
  G_ABANDONED, G_ABANDONED_COUNT, G_ABANDONED_READERS, G_ABANDONED_VISITED, G_ABANDONED_VISITED_COUNT,
  blockSize, enter, getUsed, leave, segmentOf, sliceAt, type Mi,
} from './internal.ts';
import { pageAllFree, pageFreeCollect, pageReclaim, pageUseDelayedFree } from './page.ts';
import { segmentTryPurge } from './segment-commit.ts';
import { sliceIsUsed, spanFreeCoalesce, spanRemoveFromQueue } from './segment-span.ts';
import { segmentAlloc, segmentFree, segmentPageClear } from './segment.ts';
import { SEGMENT_SIZE, USE_DELAYED_FREE } from './types.ts';

/** segment.c MI_TAGGED_MASK: the tag lives in the low (segment-alignment) bits of the pointer. */
function taggedPtr(ts: number): number {
  return ts - (ts % SEGMENT_SIZE);
}

function tagged(segment: number, ts: number): number {
  return segment + (((ts % SEGMENT_SIZE) + 1) % SEGMENT_SIZE);
}

function nextOf(m: Mi, cpu: Cpu, segment: number): number {
  return cpu.atomicLoad(segment + m.L.segment.abandonedNext);
}

function setNext(m: Mi, cpu: Cpu, segment: number, next: number): void {
  cpu.atomicStore(segment + m.L.segment.abandonedNext, next);
}

/** segment.c mi_abandoned_visited_push. */
function visitedPush(m: Mi, cpu: Cpu, segment: number): void {
  const head = m.g + G_ABANDONED_VISITED;
  for (;;) {
    const anext = cpu.atomicLoad(head);
    setNext(m, cpu, segment, anext);
    if (cpu.cas(head, anext, segment)) break;
  }
  cpu.fetchAdd(m.g + G_ABANDONED_VISITED_COUNT, 1);
}

/** segment.c mi_abandoned_visited_revisit: move the visited list back to the abandoned list. */
function visitedRevisit(m: Mi, cpu: Cpu): boolean {
  const visited = m.g + G_ABANDONED_VISITED;
  const abandoned = m.g + G_ABANDONED;
  if (cpu.load(visited) === 0) return false;
  const first = cpu.exchange(visited, 0);
  if (first === 0) return false;
  let ts = cpu.atomicLoad(abandoned);
  const count = cpu.load(m.g + G_ABANDONED_VISITED_COUNT);
  if (taggedPtr(ts) === 0 && cpu.cas(abandoned, ts, tagged(first, ts))) {
    cpu.fetchAdd(m.g + G_ABANDONED_COUNT, count);
    cpu.fetchAdd(m.g + G_ABANDONED_VISITED_COUNT, -count);
    return true;
  }
  let last = first;
  for (let next = nextOf(m, cpu, last); next !== 0; next = nextOf(m, cpu, last)) last = next;
  ts = cpu.atomicLoad(abandoned);
  for (;;) {
    setNext(m, cpu, last, taggedPtr(ts));
    if (cpu.cas(abandoned, ts, tagged(first, ts))) break;
    ts = cpu.atomicLoad(abandoned);
  }
  cpu.fetchAdd(m.g + G_ABANDONED_COUNT, count);
  cpu.fetchAdd(m.g + G_ABANDONED_VISITED_COUNT, -count);
  return true;
}

/** segment.c mi_abandoned_push. */
function abandonedPush(m: Mi, cpu: Cpu, segment: number): void {
  const head = m.g + G_ABANDONED;
  let ts = cpu.atomicLoad(head);
  for (;;) {
    setNext(m, cpu, segment, taggedPtr(ts));
    if (cpu.cas(head, ts, tagged(segment, ts))) break;
    ts = cpu.atomicLoad(head);
  }
  cpu.fetchAdd(m.g + G_ABANDONED_COUNT, 1);
}

/**
 * segment.c mi_abandoned_pop (with the reader count held while reading `abandoned_next`). v2.1.2
 * swaps the visited list back in when the list is empty; with the v2.1.4+ cursor semantics
 * (`abandonedCursor`) a pass does not, and the set-aside segments return after the pass.
 */
function abandonedPop(m: Mi, cpu: Cpu): number {
  const head = m.g + G_ABANDONED;
  if (taggedPtr(cpu.load(head)) === 0 && (m.cfg.abandonedCursor || !visitedRevisit(m, cpu))) return 0;
  cpu.fetchAdd(m.g + G_ABANDONED_READERS, 1);
  let ts = cpu.atomicLoad(head);
  let segment = taggedPtr(ts);
  while (segment !== 0 && !cpu.cas(head, ts, tagged(nextOf(m, cpu, segment), ts))) {
    ts = cpu.atomicLoad(head);
    segment = taggedPtr(ts);
  }
  cpu.fetchAdd(m.g + G_ABANDONED_READERS, -1);
  if (segment !== 0) {
    setNext(m, cpu, segment, 0);
    cpu.fetchAdd(m.g + G_ABANDONED_COUNT, -1);
  }
  return segment;
}

/** Iterates the slices after the header, as spans/pages (segment.c mi_slices_start_iterate). */
function forEachSpan(m: Mi, cpu: Cpu, segment: number, fn: (slice: number) => number): void {
  const P = m.L.page;
  const end = sliceAt(m, segment, cpu.load(segment + m.L.segment.sliceEntries));
  let slice = sliceAt(m, segment, 0);
  slice += cpu.load(slice + P.sliceCount, 4) * P.size;
  while (slice < end) {
    const s = fn(slice);
    slice = s + Math.max(1, cpu.load(s + P.sliceCount, 4)) * P.size;
  }
}

/** segment.c mi_segment_abandon: unqueue its free spans, purge, mark abandoned, push. */
export function segmentAbandon(m: Mi, cpu: Cpu, tld: number, segment: number): void {
  const S = m.L.segment;
  forEachSpan(m, cpu, segment, (slice) => {
    if (!sliceIsUsed(m, cpu, slice)) {
      spanRemoveFromQueue(m, cpu, tld, slice);
      cpu.store(slice + m.L.page.blockSize, 0, m.L.page.blockSizeSize); // but keep it free
    }
    return slice;
  });
  segmentTryPurge(m, cpu, segment, m.cfg.abandonedPagePurge);
  m.counters.add('segment.abandoned');
  const count = tld + m.L.tld.segmentCount;
  cpu.store(count, cpu.load(count) - 1);
  cpu.atomicStore(segment + S.threadId, 0);
  setNext(m, cpu, segment, 0);
  cpu.store(segment + S.abandonedVisits, 1);
  abandonedPush(m, cpu, segment);
}

/** segment.c _mi_segment_page_abandon: one more abandoned page; the whole segment when all are. */
export function segmentPageAbandon(m: Mi, cpu: Cpu, tld: number, page: number): void {
  const S = m.L.segment;
  const segment = segmentOf(page);
  const n = cpu.load(segment + S.abandoned) + 1;
  cpu.store(segment + S.abandoned, n);
  if (cpu.load(segment + S.used) === n) segmentAbandon(m, cpu, tld, segment);
}

/** segment.c mi_segment_check_free: collect its pages, free the empty ones; is there room for the request? */
function segmentCheckFree(m: Mi, cpu: Cpu, tld: number, segment: number, slicesNeeded: number, bsize: number): boolean {
  const S = m.L.segment;
  const P = m.L.page;
  let hasPage = false;
  forEachSpan(m, cpu, segment, (slice) => {
    if (!sliceIsUsed(m, cpu, slice)) {
      if (cpu.load(slice + P.sliceCount, 4) >= slicesNeeded) hasPage = true;
      return slice;
    }
    pageFreeCollect(m, cpu, slice, false);
    if (pageAllFree(m, cpu, slice)) {
      cpu.store(segment + S.abandoned, cpu.load(segment + S.abandoned) - 1);
      const s = segmentPageClear(m, cpu, tld, slice);
      if (cpu.load(s + P.sliceCount, 4) >= slicesNeeded) hasPage = true;
      return s;
    }
    if (blockSize(m, cpu, slice) === bsize && getUsed(m, cpu, slice) < cpu.load(slice + P.reserved, 2)) hasPage = true;
    return slice;
  });
  return hasPage;
}

/**
 * segment.c mi_segment_reclaim: take the segment over; its pages join our heap (re-armed for
 * delayed free) or are freed if empty, its free spans join our span queues. Returns the segment,
 * or 0 if it ended up empty and was freed; `right` tells whether a page of `bsize` with room came in.
 */
function segmentReclaim(m: Mi, cpu: Cpu, heap: number, tld: number, segment: number, bsize: number, right: { ok: boolean }): number {
  const S = m.L.segment;
  const P = m.L.page;
  const prev = enter(m, cpu, m.paths.reclaim);
  right.ok = false;
  cpu.store(segment + S.threadId, cpu.tls);
  cpu.store(segment + S.abandonedVisits, 0);
  const count = tld + m.L.tld.segmentCount;
  cpu.store(count, cpu.load(count) + 1);
  m.counters.add('segment.reclaimed');
  forEachSpan(m, cpu, segment, (slice) => {
    if (!sliceIsUsed(m, cpu, slice)) return spanFreeCoalesce(m, cpu, tld, slice);
    cpu.store(segment + S.abandoned, cpu.load(segment + S.abandoned) - 1);
    cpu.atomicStore(slice + P.xheap, heap);
    pageUseDelayedFree(m, cpu, slice, USE_DELAYED_FREE, true);
    pageFreeCollect(m, cpu, slice, false);
    if (pageAllFree(m, cpu, slice)) return segmentPageClear(m, cpu, tld, slice);
    pageReclaim(m, cpu, heap, slice);
    if (blockSize(m, cpu, slice) === bsize && getUsed(m, cpu, slice) < cpu.load(slice + P.reserved, 2)) right.ok = true;
    return slice;
  });
  let result = segment;
  if (cpu.load(segment + S.used) === 0) {
    segmentFree(m, cpu, tld, segment);
    result = 0;
  }
  leave(m, cpu, prev);
  return result;
}

/** segment.c mi_segment_get_reclaim_tries (v2.4.1): a percentage of the abandoned segments, 8..1024. */
function reclaimTries(m: Mi, cpu: Cpu): number {
  if (!m.cfg.abandonedCursor) return Math.min(1024, Math.max(8, m.cfg.maxSegmentReclaim));
  const perc = Math.min(100, m.cfg.maxSegmentReclaim);
  const total = cpu.load(m.g + G_ABANDONED_COUNT);
  if (perc <= 0 || total === 0) return 0;
  const rel = Math.floor((total * perc) / 100);
  const tries = rel <= 1 ? 1 : Math.min(rel, 1024);
  return tries < 8 && total > 8 ? 8 : tries;
}

/** segment.c mi_segment_try_reclaim. */
function segmentTryReclaim(m: Mi, cpu: Cpu, heap: number, tld: number, slicesNeeded: number, bsize: number, right: { ok: boolean }): number {
  right.ok = false;
  const result = tryReclaimPass(m, cpu, heap, tld, slicesNeeded, bsize, right);
  if (m.cfg.abandonedCursor) visitedRevisit(m, cpu); // _mi_arena_field_cursor_done: set-aside segments are abandoned again
  return result;
}

function tryReclaimPass(m: Mi, cpu: Cpu, heap: number, tld: number, slicesNeeded: number, bsize: number, right: { ok: boolean }): number {
  const S = m.L.segment;
  const scratch = { ok: false };
  for (let tries = reclaimTries(m, cpu); tries > 0; tries--) {
    const segment = abandonedPop(m, cpu);
    if (segment === 0) break;
    m.counters.add('segment.visited');
    const visits = cpu.load(segment + S.abandonedVisits) + 1;
    cpu.store(segment + S.abandonedVisits, visits);
    const hasPage = segmentCheckFree(m, cpu, tld, segment, slicesNeeded, bsize);
    if (cpu.load(segment + S.used) === 0) {
      segmentReclaim(m, cpu, heap, tld, segment, 0, scratch); // frees it
    } else if (hasPage) {
      return segmentReclaim(m, cpu, heap, tld, segment, bsize, right);
    } else if (visits > 3) {
      segmentReclaim(m, cpu, heap, tld, segment, 0, scratch); // always reclaim on the 3rd visit
    } else {
      // set aside (v2.4.1: not counted as a try, and no forced purge)
      if (m.cfg.abandonedCursor) tries++;
      segmentTryPurge(m, cpu, segment, !m.cfg.abandonedCursor);
      visitedPush(m, cpu, segment);
    }
  }
  return 0;
}

/**
 * segment.c mi_segment_reclaim_or_alloc: a reclaimed segment with room, else a fresh one. Returns 0
 * when a page of the right size was reclaimed straight into the heap (the caller looks again).
 */
export function segmentReclaimOrAlloc(m: Mi, cpu: Cpu, heap: number, tld: number, slicesNeeded: number, bsize: number): number {
  const right = { ok: false };
  const segment = segmentTryReclaim(m, cpu, heap, tld, slicesNeeded, bsize, right);
  if (right.ok) return 0;
  if (segment !== 0) return segment;
  return segmentAlloc(m, cpu, tld, 0, { page: 0 });
}

/** segment.c _mi_abandoned_collect: free what became empty in abandoned segments; purge the rest. */
export function abandonedCollect(m: Mi, cpu: Cpu, heap: number, force: boolean): void {
  const tld = cpu.load(heap + m.L.heap.tld);
  if (force) visitedRevisit(m, cpu);
  const scratch = { ok: false };
  const max = m.cfg.abandonedCursor && force ? cpu.load(m.g + G_ABANDONED_COUNT) : force ? 16 * 1024 : 1024;
  for (let tries = max; tries > 0; tries--) {
    const segment = abandonedPop(m, cpu);
    if (segment === 0) break;
    segmentCheckFree(m, cpu, tld, segment, 0, 0);
    if (cpu.load(segment + m.L.segment.used) === 0) {
      segmentReclaim(m, cpu, heap, tld, segment, 0, scratch);
    } else {
      segmentTryPurge(m, cpu, segment, force);
      visitedPush(m, cpu, segment);
    }
  }
  if (m.cfg.abandonedCursor) visitedRevisit(m, cpu);
}
