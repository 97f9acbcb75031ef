/**
 * Page queues (mimalloc src/page-queue.c): per heap, one doubly linked queue of pages per bin, plus
 * the huge queue (MI_BIN_HUGE) and the full queue (MI_BIN_FULL). Fresh and reclaimed pages go to the
 * front; pages leaving the full queue go to the end. `pages_free_direct[wsize]` mirrors the first
 * page of each small bin so the malloc fast path needs no bin computation.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { benignReads } from '../shared/benign-race.ts';
import { binOf, wsizeOf } from './bins.ts';
import { G_PAGE_EMPTY, blockSize, type Mi } from './internal.ts';
import { BIN_FULL, BIN_HUGE, Q_FIRST, Q_LAST, Q_SIZE, SMALL_SIZE_MAX } from './types.ts';

const IN_FULL = 1;
const HAS_ALIGNED = 2;

export function queueOf(m: Mi, heap: number, bin: number): number {
  return heap + m.layout.heap.pages + bin * m.layout.queueSize;
}

export function binOfQueue(m: Mi, heap: number, pq: number): number {
  return (pq - heap - m.layout.heap.pages) / m.layout.queueSize;
}

/** mi_page_queue_is_special: the huge or the full queue (block_size above the medium maximum). */
export function queueIsSpecial(m: Mi, cpu: Cpu, pq: number): boolean {
  return cpu.load(pq + Q_SIZE) > m.cfg.mediumObjSizeMax;
}

export function pageFlags(m: Mi, cpu: Cpu, page: number): number {
  return cpu.load(page + m.layout.page.flags, 1);
}

export function isInFull(m: Mi, cpu: Cpu, page: number): boolean {
  return (pageFlags(m, cpu, page) & IN_FULL) !== 0;
}

/**
 * mi_page_has_aligned. Any thread reads it (free, realloc, usable size) while the page's owner sets
 * in_full in the same flags byte without synchronisation (page.c): a race mimalloc has by design
 * (has_aligned is set before the block is handed out; in_full is not what is read here).
 */
export function hasAligned(m: Mi, cpu: Cpu, page: number): boolean {
  return (benignReads(cpu, () => pageFlags(m, cpu, page)) & HAS_ALIGNED) !== 0;
}

function setFlag(m: Mi, cpu: Cpu, page: number, bit: number, on: boolean): void {
  const f = pageFlags(m, cpu, page);
  const v = on ? f | bit : f & ~bit;
  if (v !== f) cpu.store(page + m.layout.page.flags, v, 1);
}

export function setInFull(m: Mi, cpu: Cpu, page: number, on: boolean): void {
  setFlag(m, cpu, page, IN_FULL, on);
}

export function setHasAligned(m: Mi, cpu: Cpu, page: number, on: boolean): void {
  setFlag(m, cpu, page, HAS_ALIGNED, on);
}

/** page-queue.c mi_page_queue_of: the queue a page is in (full, or its bin) in its heap. */
export function pageQueueOf(m: Mi, cpu: Cpu, page: number): number {
  const heap = cpu.load(page + m.layout.page.xheap);
  const bin = isInFull(m, cpu, page) ? BIN_FULL : binOf(blockSize(m, cpu, page), m.cfg.mediumObjSizeMax);
  return queueOf(m, heap, bin);
}

/** page-queue.c mi_heap_queue_first_update: point the direct entries of a small bin at its first page. */
function queueFirstUpdate(m: Mi, cpu: Cpu, heap: number, pq: number): void {
  const size = cpu.load(pq + Q_SIZE);
  if (size > SMALL_SIZE_MAX) return;
  let page = cpu.load(pq + Q_FIRST);
  if (page === 0) page = m.statics + G_PAGE_EMPTY;
  const idx = wsizeOf(size);
  const pfd = heap + m.layout.heap.pagesFreeDirect;
  if (cpu.load(pfd + idx * 8) === page) return;
  let start = 0;
  if (idx > 1) {
    // the previous bin's size; up to 3 earlier bins can share a bin due to the minimal alignment
    const bin = binOf(size, m.cfg.mediumObjSizeMax);
    const first = queueOf(m, heap, 0);
    let prev = pq - m.layout.queueSize;
    while (bin === binOf(cpu.load(prev + Q_SIZE), m.cfg.mediumObjSizeMax) && prev > first) prev -= m.layout.queueSize;
    start = Math.min(idx, 1 + wsizeOf(cpu.load(prev + Q_SIZE)));
  }
  for (let sz = start; sz <= idx; sz++) cpu.store(pfd + sz * 8, page);
}

function addPageCount(m: Mi, cpu: Cpu, heap: number, d: number): void {
  const a = heap + m.layout.heap.pageCount;
  cpu.store(a, cpu.load(a) + d);
}

/** Unlinks a page from a queue (the first half of mi_page_queue_remove and ..._enqueue_from); returns its heap. */
function unlink(m: Mi, cpu: Cpu, pq: number, page: number): number {
  const P = m.layout.page;
  const heap = cpu.load(page + P.xheap);
  const prev = cpu.load(page + P.prev);
  const next = cpu.load(page + P.next);
  if (prev !== 0) cpu.store(prev + P.next, next);
  if (next !== 0) cpu.store(next + P.prev, prev);
  if (page === cpu.load(pq + Q_LAST)) cpu.store(pq + Q_LAST, prev);
  if (page === cpu.load(pq + Q_FIRST)) {
    cpu.store(pq + Q_FIRST, next);
    queueFirstUpdate(m, cpu, heap, pq);
  }
  return heap;
}

/** page-queue.c mi_page_queue_remove. */
export function queueRemove(m: Mi, cpu: Cpu, pq: number, page: number): void {
  const P = m.layout.page;
  const heap = unlink(m, cpu, pq, page);
  addPageCount(m, cpu, heap, -1);
  cpu.store(page + P.next, 0);
  cpu.store(page + P.prev, 0);
  setInFull(m, cpu, page, false);
}

/** page-queue.c mi_page_queue_push: at the front. */
export function queuePush(m: Mi, cpu: Cpu, heap: number, pq: number, page: number): void {
  const P = m.layout.page;
  setInFull(m, cpu, page, pq === queueOf(m, heap, BIN_FULL));
  const first = cpu.load(pq + Q_FIRST);
  cpu.store(page + P.next, first);
  cpu.store(page + P.prev, 0);
  if (first !== 0) cpu.store(first + P.prev, page);
  else cpu.store(pq + Q_LAST, page);
  cpu.store(pq + Q_FIRST, page);
  queueFirstUpdate(m, cpu, heap, pq);
  addPageCount(m, cpu, heap, 1);
}

/** page-queue.c mi_page_queue_enqueue_from: move a page to the end of another queue. */
export function queueEnqueueFrom(m: Mi, cpu: Cpu, to: number, from: number, page: number): void {
  const P = m.layout.page;
  const heap = unlink(m, cpu, from, page);
  const last = cpu.load(to + Q_LAST);
  cpu.store(page + P.prev, last);
  cpu.store(page + P.next, 0);
  if (last !== 0) {
    cpu.store(last + P.next, page);
    cpu.store(to + Q_LAST, page);
  } else {
    cpu.store(to + Q_FIRST, page);
    cpu.store(to + Q_LAST, page);
    queueFirstUpdate(m, cpu, heap, to);
  }
  setInFull(m, cpu, page, to === queueOf(m, heap, BIN_FULL));
}

/** page-queue.c mi_page_queue_move_to_front (v2.4.1 page search). */
export function queueMoveToFront(m: Mi, cpu: Cpu, heap: number, pq: number, page: number): void {
  if (cpu.load(pq + Q_FIRST) === page) return;
  queueRemove(m, cpu, pq, page);
  queuePush(m, cpu, heap, pq, page);
}

/** Initial queues and direct pointers of a fresh heap (init.c: a copy of _mi_heap_empty). */
export function queuesInit(m: Mi, cpu: Cpu, heap: number, binSizes: readonly number[]): void {
  const empty = m.statics + G_PAGE_EMPTY;
  for (let i = 0; i < m.layout.heap.pagesDirect; i++) cpu.store(heap + m.layout.heap.pagesFreeDirect + i * 8, empty);
  for (let b = 0; b <= BIN_FULL; b++) {
    const pq = queueOf(m, heap, b);
    cpu.store(pq + Q_FIRST, 0);
    cpu.store(pq + Q_LAST, 0);
    const size = b < BIN_HUGE ? (binSizes[b] as number) : m.cfg.mediumObjSizeMax + (b === BIN_HUGE ? 8 : 16);
    cpu.store(pq + Q_SIZE, size);
  }
}
