/**
 * Abandonment and reclaim (mimalloc src/segment.c "Abandonment", "Reclaim abandoned pages").
 *
 * A segment whose pages all belong to exited threads gets `thread_id = 0` and is abandoned
 * (abandoned.ts: v2.1.2's global list, or the arenas' bitmaps from v2.1.4 and in 2cca58). A thread
 * that needs a segment first visits some abandoned segments (v2.1.2: up to `max_segment_reclaim`;
 * later: that percentage of them): it frees empty ones, reclaims one with a fitting free span or a
 * page of the wanted size, reclaims any segment on its third visit, and sets aside the rest. With
 * `abandoned_reclaim_on_free` (2cca58, v2.4.1 option) a free into an abandoned segment reclaims it.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { abandonedClear, abandonedCount, abandonedMark, abandonedSetAside, cursorInit, cursorNext } from './abandoned.ts';
import { blockSize, enter, getUsed, leave, segmentOf, sliceAt, type Mi } from './internal.ts';
import { pageAllFree, pageFreeCollect, pageReclaim, pageUseDelayedFree } from './page.ts';
import { segmentTryPurge } from './segment-commit.ts';
import { sliceIsUsed, spanFreeCoalesce, spanRemoveFromQueue } from './segment-span.ts';
import { segmentAlloc, segmentFree, segmentPageClear } from './segment.ts';
import { MEMID_KIND, MEM_ARENA, USE_DELAYED_FREE } from './types.ts';

/** Iterates the slices after the header, as spans/pages (segment.c mi_slices_start_iterate). */
function forEachSpan(m: Mi, cpu: Cpu, segment: number, fn: (slice: number) => number): void {
  const P = m.layout.page;
  const end = sliceAt(m, segment, cpu.load(segment + m.layout.segment.sliceEntries));
  let slice = sliceAt(m, segment, 0);
  slice += cpu.load(slice + P.sliceCount, 4) * P.size;
  while (slice < end) {
    const s = fn(slice);
    slice = s + Math.max(1, cpu.load(s + P.sliceCount, 4)) * P.size;
  }
}

/** segment.c mi_segment_abandon: unqueue its free spans, purge, mark abandoned, push. */
export function segmentAbandon(m: Mi, cpu: Cpu, tld: number, segment: number): void {
  const S = m.layout.segment;
  m.valid.segment.check(cpu, segment, tld);
  forEachSpan(m, cpu, segment, (slice) => {
    if (!sliceIsUsed(m, cpu, slice)) {
      spanRemoveFromQueue(m, cpu, tld, slice);
      cpu.store(slice + m.layout.page.blockSize, 0, m.layout.page.blockSizeSize); // but keep it free
    }
    return slice;
  });
  // 2cca58+: segments outside arenas can only be reclaimed by a free, so purge them now
  const notInArena = m.cfg.abandonedCursor && cpu.load(segment + MEMID_KIND, 4) !== MEM_ARENA;
  segmentTryPurge(m, cpu, segment, notInArena || m.cfg.abandonedPagePurge);
  m.counters.add('segment.abandoned');
  const count = tld + m.layout.tld.segmentCount;
  cpu.store(count, cpu.load(count) - 1);
  cpu.store(segment + S.abandonedVisits, 1);
  clearWasReclaimed(m, cpu, tld, segment);
  abandonedMark(m, cpu, segment);
}

/** 2cca58+: a segment that was reclaimed no longer counts in the thread's reclaim_count. */
export function clearWasReclaimed(m: Mi, cpu: Cpu, tld: number, segment: number): void {
  const w = m.layout.segment.wasReclaimed;
  if (w < 0 || cpu.load(segment + w, 1) === 0) return;
  const a = tld + m.layout.tld.reclaimCount;
  cpu.store(a, cpu.load(a) - 1);
  cpu.store(segment + w, 0, 1);
}

/** segment.c _mi_segment_page_abandon: one more abandoned page; the whole segment when all are. */
export function segmentPageAbandon(m: Mi, cpu: Cpu, tld: number, page: number): void {
  const S = m.layout.segment;
  const segment = segmentOf(page);
  m.valid.segment.check(cpu, segment, tld);
  const n = cpu.load(segment + S.abandoned) + 1;
  cpu.store(segment + S.abandoned, n);
  if (cpu.load(segment + S.used) === n) segmentAbandon(m, cpu, tld, segment);
}

/** segment.c mi_segment_check_free: collect its pages, free the empty ones; is there room for the request? */
function segmentCheckFree(m: Mi, cpu: Cpu, tld: number, segment: number, slicesNeeded: number, bsize: number): boolean {
  const S = m.layout.segment;
  const P = m.layout.page;
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
  const S = m.layout.segment;
  const P = m.layout.page;
  const prev = enter(m, cpu, m.paths.reclaim);
  right.ok = false;
  cpu.atomicStore(segment + S.threadId, cpu.tls);
  cpu.store(segment + S.abandonedVisits, 0);
  if (S.wasReclaimed >= 0) {
    cpu.store(segment + S.wasReclaimed, 1, 1);
    const rc = tld + m.layout.tld.reclaimCount;
    cpu.store(rc, cpu.load(rc) + 1);
  }
  const count = tld + m.layout.tld.segmentCount;
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
  m.valid.segment.check(cpu, segment, tld);
  let result = segment;
  if (cpu.load(segment + S.used) === 0) {
    segmentFree(m, cpu, tld, segment);
    result = 0;
  }
  leave(m, cpu, prev);
  return result;
}

/** segment.c: v2.1.2 visits `max_segment_reclaim` (8..1024); later, that percentage of the abandoned segments (8..1024). */
function reclaimTries(m: Mi, cpu: Cpu): number {
  if (!m.cfg.abandonedCursor) return Math.min(1024, Math.max(8, m.cfg.maxSegmentReclaim));
  const perc = Math.min(100, m.cfg.maxSegmentReclaim);
  const total = abandonedCount(m, cpu);
  if (perc <= 0 || total === 0) return 0;
  const rel = Math.floor((total * perc) / 100);
  const tries = rel <= 1 ? 1 : Math.min(rel, 1024);
  return tries < 8 && total > 8 ? 8 : tries;
}

/** segment.c mi_segment_try_reclaim. */
function segmentTryReclaim(
  m: Mi,
  cpu: Cpu,
  heap: number,
  tld: number,
  slicesNeeded: number,
  bsize: number,
  right: { ok: boolean },
): number {
  const S = m.layout.segment;
  right.ok = false;
  const scratch = { ok: false };
  const cursor = cursorInit(m, cpu, heap);
  for (let tries = reclaimTries(m, cpu); tries > 0; tries--) {
    const segment = cursorNext(m, cpu, cursor);
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
      // set aside (later versions: not counted as a try, and no forced purge)
      if (m.cfg.abandonedCursor) tries++;
      segmentTryPurge(m, cpu, segment, !m.cfg.abandonedCursor);
      abandonedSetAside(m, cpu, segment);
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
  const tld = cpu.load(heap + m.layout.heap.tld);
  const scratch = { ok: false };
  const cursor = cursorInit(m, cpu, heap);
  const max = m.cfg.abandonedCursor ? (force ? abandonedCount(m, cpu) : 1024) : force ? 16 * 1024 : 1024;
  for (let tries = max; tries > 0; tries--) {
    const segment = cursorNext(m, cpu, cursor);
    if (segment === 0) break;
    segmentCheckFree(m, cpu, tld, segment, 0, 0);
    if (cpu.load(segment + m.layout.segment.used) === 0) {
      segmentReclaim(m, cpu, heap, tld, segment, 0, scratch);
    } else {
      segmentTryPurge(m, cpu, segment, force);
      abandonedSetAside(m, cpu, segment);
    }
  }
}

/**
 * segment.c _mi_segment_attempt_reclaim (2cca58, v2.4.1): on a free into an abandoned segment,
 * reclaim it, unless this thread already owns more reclaimed segments than half its segments.
 */
export function segmentAttemptReclaim(m: Mi, cpu: Cpu, heap: number, segment: number): boolean {
  if (cpu.atomicLoad(segment + m.layout.segment.threadId) !== 0) return false;
  const tld = cpu.load(heap + m.layout.heap.tld);
  if (cpu.load(tld + m.layout.tld.reclaimCount) * 2 > cpu.load(tld + m.layout.tld.segmentCount)) return false;
  if (!abandonedClear(m, cpu, segment)) return false;
  m.counters.add('segment.reclaimedOnFree');
  return segmentReclaim(m, cpu, heap, tld, segment, 0, { ok: false }) !== 0;
}
