/**
 * Segments (mimalloc src/segment.c): 32 MiB, 32 MiB-aligned regions whose first 64 KiB slice holds
 * the segment header and the slice entries (= page structs); a pointer finds its page by masking.
 * Pages are spans of slices: small (1 slice, blocks <= MI_SMALL_OBJ_SIZE_MAX), medium (8 slices,
 * 512 KiB), large (one block, the request rounded to 64 KiB or 512 KiB); huge blocks get a segment
 * of their own. In secure builds two guard pages protect the header and the segment's end.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { arenaAlloc, arenaFree, type MemId } from './arena.ts';
import { pageKindOf, pageSizeFor } from './bins.ts';
import { G_ABANDONED_READERS, G_HEAP_MAIN_COOKIE, pageAreaSize, segmentOf, sliceAt, type Mi, enter, leave } from './internal.ts';
import { osProtect, osReset } from './os.ts';
import { clearWasReclaimed, segmentAbandon, segmentReclaimOrAlloc } from './segment-abandon.ts';
import { committedSize, segmentEnsureCommitted, segmentTryPurge, setMaskFull } from './segment-commit.ts';
import { sliceIsUsed, spanAllocate, spanFree, spanFreeCoalesce, spanRemoveFromQueue, spansFindAndAllocate } from './segment-span.ts';
import {
  MEDIUM_PAGE_SIZE,
  MEMID_ARENA_ID,
  MEMID_BLOCK_INDEX,
  MEMID_INITIALLY_ZERO,
  MEMID_KIND,
  SEGMENT_HUGE,
  SEGMENT_NORMAL,
  SEGMENT_SIZE,
  SLICE_SIZE,
  SLICES_PER_SEGMENT,
  alignUp,
} from './types.ts';

const OS_PAGE = 4096;

/** segment.c mi_segment_calculate_slices: [segment slices, info slices] for a request (0 = normal segment). */
function calculateSlices(m: Mi, required: number): [number, number] {
  const isize = alignUp(m.layout.segment.size, OS_PAGE);
  const guard = m.cfg.secure > 0 ? OS_PAGE : 0;
  let req = required;
  if (guard > 0 && req > 0) req = alignUp(req, SLICE_SIZE) + OS_PAGE;
  const info = alignUp(isize + guard, SLICE_SIZE);
  const size = req === 0 ? SEGMENT_SIZE : alignUp(req + info + guard, SLICE_SIZE);
  return [size / SLICE_SIZE, info / SLICE_SIZE];
}

/** The segment's mi_memid_t, read back for the free. */
export function segmentMemId(m: Mi, cpu: Cpu, segment: number, out: MemId): MemId {
  out.kind = cpu.load(segment + MEMID_KIND, 4);
  out.arena = cpu.load(segment + MEMID_ARENA_ID, 4) - 1;
  out.blockIndex = cpu.load(segment + MEMID_BLOCK_INDEX);
  out.initiallyZero = false;
  out.initiallyCommitted = true;
  return out;
}

const scratchMemId: MemId = { kind: 0, arena: 0, blockIndex: 0, initiallyZero: false, initiallyCommitted: false };

function trackSize(m: Mi, cpu: Cpu, tld: number, delta: number): void {
  const a = tld + m.layout.tld.segmentCount;
  cpu.store(a, cpu.load(a) + delta);
}

/**
 * segment.c mi_segment_alloc + mi_segment_os_alloc: a fresh segment from an arena, its header
 * initialised, its first slices reserved for the header; a normal segment's other slices become
 * one free span, a huge segment's become its single page (returned in `hugePage`).
 */
export function segmentAlloc(m: Mi, cpu: Cpu, tld: number, required: number, hugePage: { page: number }): number {
  const prev = enter(m, cpu, m.paths.segment);
  const S = m.layout.segment;
  const [segmentSlices, infoSlices] = calculateSlices(m, required);
  const size = segmentSlices * SLICE_SIZE;
  const memid = scratchMemId;
  const segment = arenaAlloc(m, cpu, size, memid);
  if (segment === 0) {
    leave(m, cpu, prev);
    return 0;
  }
  m.counters.add('segment.allocated');
  if (!memid.initiallyZero) {
    // zero the header from `next` through the slice entries (one more than the slices)
    const entries = Math.min(segmentSlices, SLICES_PER_SEGMENT) + 1;
    cpu.fill(segment + S.abandonedNext, S.slices - S.abandonedNext + entries * m.layout.page.size, 0, 0);
  }
  cpu.store(segment + MEMID_BLOCK_INDEX, memid.blockIndex);
  cpu.store(segment + MEMID_ARENA_ID, memid.arena + 1, 4);
  cpu.store(segment + MEMID_INITIALLY_ZERO, memid.initiallyZero ? 1 : 0, 1);
  cpu.store(segment + MEMID_KIND, memid.kind, 4);
  cpu.store(segment + S.allowDecommit, 1, 1);
  cpu.store(segment + S.allowPurge, m.cfg.purgeDelay >= 0 ? 1 : 0, 1);
  cpu.store(segment + S.segmentSize, size);
  setMaskFull(cpu, segment + S.commitMask, true);
  setMaskFull(cpu, segment + S.purgeMask, false);
  cpu.store(segment + S.purgeExpire, 0);
  cpu.atomicStore(segment + S.abandonedNext, 0);
  trackSize(m, cpu, tld, 1);
  const entries = Math.min(segmentSlices, SLICES_PER_SEGMENT);
  cpu.store(segment + S.segmentSlices, segmentSlices);
  cpu.store(segment + S.infoSlices, infoSlices);
  cpu.store(segment + S.threadId, cpu.tls);
  cpu.store(segment + S.cookie, cookieOf(m, cpu, segment));
  cpu.store(segment + S.kind, required === 0 ? SEGMENT_NORMAL : SEGMENT_HUGE, 4);
  let sliceEntries = entries;
  let guardSlices = 0;
  if (m.cfg.secure > 0) {
    // a protected page between the header and the pages, and one at the end of the segment
    osProtect(m, cpu, segment + infoSlices * SLICE_SIZE - OS_PAGE, OS_PAGE, true);
    const end = segment + size - OS_PAGE;
    segmentEnsureCommitted(m, cpu, segment, end, OS_PAGE);
    osProtect(m, cpu, end, OS_PAGE, true);
    if (sliceEntries === segmentSlices) sliceEntries--; // don't use the last slice :-(
    guardSlices = 1;
  }
  cpu.store(segment + S.sliceEntries, sliceEntries);
  spanAllocate(m, cpu, segment, 0, infoSlices);
  cpu.store(segment + S.used, 0); // the header slices do not count as a page in use
  if (required === 0) spanFree(m, cpu, tld, segment, infoSlices, sliceEntries - infoSlices, false);
  else hugePage.page = spanAllocate(m, cpu, segment, infoSlices, segmentSlices - infoSlices - guardSlices);
  m.valid.segment.check(cpu, segment, tld);
  leave(m, cpu, prev);
  return segment;
}

/** internal.h _mi_ptr_cookie: the address xor the main heap's cookie. */
export function cookieOf(m: Mi, cpu: Cpu, segment: number): number {
  const c = cpu.load(m.statics + G_HEAP_MAIN_COOKIE, 4);
  const hi = Math.floor(segment / 4294967296);
  return hi * 4294967296 + (((segment % 4294967296) ^ c) >>> 0);
}

/** segment.c mi_segment_free + mi_segment_os_free: unqueue its free spans and return it to the arena. */
export function segmentFree(m: Mi, cpu: Cpu, tld: number, segment: number): void {
  const P = m.layout.page;
  const S = m.layout.segment;
  const huge = cpu.load(segment + S.kind, 4) === SEGMENT_HUGE;
  const end = sliceAt(m, segment, cpu.load(segment + S.sliceEntries));
  for (let slice = sliceAt(m, segment, 0); slice < end;) {
    if (!huge && !sliceIsUsed(m, cpu, slice)) spanRemoveFromQueue(m, cpu, tld, slice);
    slice += Math.max(1, cpu.load(slice + P.sliceCount, 4)) * P.size;
  }
  m.counters.add('segment.freed');
  cpu.store(segment + S.threadId, 0);
  trackSize(m, cpu, tld, -1);
  clearWasReclaimed(m, cpu, tld, segment);
  const size = cpu.load(segment + S.segmentSize);
  if (m.cfg.secure > 0) {
    osProtect(m, cpu, segment + cpu.load(segment + S.infoSlices) * SLICE_SIZE - OS_PAGE, OS_PAGE, false);
    osProtect(m, cpu, segment + size - OS_PAGE, OS_PAGE, false);
  }
  const all = committedSize(m, cpu, segment, SEGMENT_SIZE) === SEGMENT_SIZE || huge;
  cpu.atomicLoad(m.statics + G_ABANDONED_READERS); // _mi_abandoned_await_readers
  arenaFree(m, cpu, segment, size, segmentMemId(m, cpu, segment, scratchMemId), all);
}

/** segment.c mi_segment_page_clear: zero the page fields and free its span (coalescing). */
export function segmentPageClear(m: Mi, cpu: Cpu, tld: number, page: number): number {
  const P = m.layout.page;
  const segment = segmentOf(page + 1);
  cpu.fill(page + P.capacity, P.size - P.capacity, 0, 0);
  cpu.store(page + P.blockSize, 1, P.blockSizeSize);
  const slice = spanFreeCoalesce(m, cpu, tld, page);
  const S = m.layout.segment;
  cpu.store(segment + S.used, cpu.load(segment + S.used) - 1);
  return slice;
}

/** segment.c _mi_segment_page_free: clear the page; free or abandon the segment when that was its last. */
export function segmentPageFree(m: Mi, cpu: Cpu, tld: number, page: number): void {
  const prev = enter(m, cpu, m.paths.segment);
  const S = m.layout.segment;
  const segment = segmentOf(page + 1);
  m.valid.segment.check(cpu, segment, tld);
  segmentPageClear(m, cpu, tld, page);
  m.valid.segment.check(cpu, segment, tld);
  const used = cpu.load(segment + S.used);
  if (used === 0) segmentFree(m, cpu, tld, segment);
  else if (used === cpu.load(segment + S.abandoned)) segmentAbandon(m, cpu, tld, segment);
  leave(m, cpu, prev);
}

/** segment.c mi_segments_page_alloc: a page from the span queues, else from a reclaimed or fresh segment. */
function segmentsPageAlloc(m: Mi, cpu: Cpu, heap: number, tld: number, required: number, blockSize: number): number {
  const slices = pageSizeFor(required) / SLICE_SIZE;
  for (;;) {
    const page = spansFindAndAllocate(m, cpu, tld, slices);
    if (page !== 0) {
      segmentTryPurge(m, cpu, segmentOf(page), false);
      return page;
    }
    // no free page: reclaim an abandoned segment or allocate a new one, and try again
    if (segmentReclaimOrAlloc(m, cpu, heap, tld, slices, blockSize) === 0) return 0; // OOM, or reclaimed a good page into the heap
  }
}

/** segment.c _mi_segment_page_alloc: the page kind by block size. */
export function segmentPageAlloc(m: Mi, cpu: Cpu, heap: number, tld: number, blockSize: number): number {
  const prev = enter(m, cpu, m.paths.segment);
  const kind = pageKindOf(blockSize, m.cfg.smallObjSizeMax, m.cfg.mediumObjSizeMax);
  let page: number;
  if (kind === 'small') page = segmentsPageAlloc(m, cpu, heap, tld, blockSize, blockSize);
  else if (kind === 'medium') page = segmentsPageAlloc(m, cpu, heap, tld, MEDIUM_PAGE_SIZE, blockSize);
  else if (kind === 'large') page = segmentsPageAlloc(m, cpu, heap, tld, blockSize, blockSize);
  else page = segmentHugePageAlloc(m, cpu, tld, blockSize);
  leave(m, cpu, prev);
  return page;
}

/** segment.c mi_segment_huge_page_alloc: a segment with one page; xblock_size is the whole page. */
function segmentHugePageAlloc(m: Mi, cpu: Cpu, tld: number, size: number): number {
  const huge = { page: 0 };
  const segment = segmentAlloc(m, cpu, tld, size, huge);
  if (segment === 0 || huge.page === 0) return 0;
  const psize = pageAreaSize(m, cpu, huge.page, size);
  cpu.store(huge.page + m.layout.page.blockSize, Math.min(psize, 2 ** 31), m.layout.page.blockSizeSize);
  return huge.page;
}

/**
 * segment.c _mi_segment_huge_page_reset: a huge block freed by another thread is reset
 * (MADV_FREE) at once, except its first word, since only the owner can free the segment.
 */
export function segmentHugePageReset(m: Mi, cpu: Cpu, block: number, usable: number): void {
  if (usable <= 8) return;
  const start = alignUp(block + 8, OS_PAGE);
  const end = Math.floor((block + usable) / OS_PAGE) * OS_PAGE;
  if (end > start) osReset(m, cpu, start, end - start);
}
