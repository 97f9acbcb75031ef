/**
 * Pages (mimalloc src/page.c): the three free lists of free-list sharding (`free` for malloc,
 * `local_free` for the owner's frees, atomic `xthread_free` for other threads' frees), collection,
 * incremental extension of the free list, initialisation, the full queue, retirement and freeing.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { RELAXED, RELEASE } from '../../machine/memory-order.ts';
import { ORIGIN_META } from '../../machine/origin-counters.ts';
import { binOf } from './bins.ts';
import {
  blockNext,
  blockSetNext,
  blockSize,
  enter,
  getUsed,
  heapRandomNext,
  leave,
  pageAreaSize,
  pageStart,
  segmentOf,
  tfBlock,
  tfDelayed,
  type Mi,
} from './internal.ts';
import {
  binOfQueue,
  isInFull,
  pageQueueOf,
  queueEnqueueFrom,
  queueIsSpecial,
  queueOf,
  queuePush,
  queueRemove,
  setHasAligned,
  setInFull,
} from './page-queue.ts';
import { segmentPageAbandon } from './segment-abandon.ts';
import { segmentPageFree } from './segment.ts';
import { pageThreadFreeCollect } from './thread-free.ts';
import { PAGE_IN_QUEUE } from './invariants.ts';
import { BIN_FULL, DELAYED_FREEING, HUGE_BLOCK_SIZE, NEVER_DELAYED_FREE, Q_FIRST, Q_LAST, SLICE_SIZE } from './types.ts';

/** page.c: MI_MAX_EXTEND_SIZE (one OS page of fresh blocks per extension), MI_RETIRE_CYCLES. */
const MAX_EXTEND_SIZE = 4096;
const RETIRE_CYCLES = 16;
/** page.c: MI_MAX_SLICE_SHIFT (at most 64 interleaved runs in a randomised extension), MI_MIN_SLICES. */
const MAX_SLICE_SHIFT = 6;
const MIN_SLICES = 2;

export function tldOf(m: Mi, cpu: Cpu, heap: number): number {
  return cpu.load(heap + m.layout.heap.tld);
}

export function retireExpire(m: Mi, cpu: Cpu, page: number): number {
  return cpu.load(page + m.layout.page.retire, 1) >> 1;
}

export function setRetireExpire(m: Mi, cpu: Cpu, page: number, v: number): void {
  const b = cpu.load(page + m.layout.page.retire, 1);
  if (b >> 1 !== v) cpu.store(page + m.layout.page.retire, (v << 1) | (b & 1), 1);
}

/**
 * page.c _mi_page_try_use_delayed_free / _mi_page_use_delayed_free: set the page's delayed-free
 * state (the low bits of xthread_free) with a CAS, unless it already has it or is NEVER (sticky).
 * DELAYED_FREEING is never seen: a remote free's three steps complete within one operation.
 */
export function pageUseDelayedFree(m: Mi, cpu: Cpu, page: number, delay: number, overrideNever: boolean): void {
  const a = page + m.layout.page.xthreadFree;
  for (;;) {
    const tf = cpu.atomicLoad(a);
    const old = tfDelayed(tf);
    if (old === delay || old === DELAYED_FREEING || (!overrideNever && old === NEVER_DELAYED_FREE)) return;
    if (cpu.cas(a, tf, tf - old + delay, 8, ORIGIN_META, RELEASE)) return; // mi_atomic_cas_weak_release
  }
}

/**
 * page.c _mi_page_free_collect: collect the thread-free list when it is non-empty (a relaxed load
 * first, to avoid the atomic), then move `local_free` to `free` when `free` is empty (O(1)); on a
 * forced collect (thread exit) the local list is appended even when `free` is not empty.
 */
export function pageFreeCollect(m: Mi, cpu: Cpu, page: number, force: boolean): void {
  const P = m.layout.page;
  if (force || tfBlock(cpu.load(page + P.xthreadFree, 8, ORIGIN_META, RELAXED)) !== 0) {
    const prev = enter(m, cpu, m.paths.collect);
    pageThreadFreeCollect(m, cpu, page);
    leave(m, cpu, prev);
  }
  const local = cpu.load(page + P.localFree);
  if (local === 0) return;
  const free = cpu.load(page + P.free);
  if (free === 0) {
    cpu.store(page + P.free, local);
    cpu.store(page + P.localFree, 0);
  } else if (force) {
    let tail = local;
    let next: number;
    while ((next = blockNext(m, cpu, page, tail)) !== 0) tail = next;
    blockSetNext(m, cpu, page, tail, free);
    cpu.store(page + P.free, local);
    cpu.store(page + P.localFree, 0);
  }
}

export function pageAllFree(m: Mi, cpu: Cpu, page: number): boolean {
  return getUsed(m, cpu, page) === 0;
}

/** page.c _mi_page_reclaim: a page of a reclaimed segment joins its bin's queue. */
export function pageReclaim(m: Mi, cpu: Cpu, heap: number, page: number): void {
  m.valid.page.check(cpu, page);
  queuePush(m, cpu, heap, queueOf(m, heap, binOf(blockSize(m, cpu, page), m.cfg.mediumObjSizeMax)), page);
  m.counters.add('page.reclaimed');
  m.valid.page.check(cpu, page, PAGE_IN_QUEUE);
}

/** page.c _mi_page_unfull: back from the full queue to the end of its bin's queue. */
export function pageUnfull(m: Mi, cpu: Cpu, page: number): void {
  m.valid.page.check(cpu, page, PAGE_IN_QUEUE);
  if (!isInFull(m, cpu, page)) return;
  const heap = cpu.load(page + m.layout.page.xheap);
  const full = queueOf(m, heap, BIN_FULL);
  setInFull(m, cpu, page, false);
  const pq = pageQueueOf(m, cpu, page);
  setInFull(m, cpu, page, true);
  queueEnqueueFrom(m, cpu, pq, full, page);
  m.counters.add('page.unfull');
}

/** page.c mi_page_to_full: to the full queue, then collect once more (a free may have raced the move). */
export function pageToFull(m: Mi, cpu: Cpu, page: number, pq: number): void {
  if (isInFull(m, cpu, page)) return;
  const heap = cpu.load(page + m.layout.page.xheap);
  queueEnqueueFrom(m, cpu, queueOf(m, heap, BIN_FULL), pq, page);
  m.counters.add('page.toFull');
  pageFreeCollect(m, cpu, page, false);
}

/** Takes a page out of its queue and heap (mi_page_queue_remove, mi_page_set_heap(NULL)); returns the heap's tld. */
function pageDetach(m: Mi, cpu: Cpu, page: number, pq: number): number {
  const tld = tldOf(m, cpu, cpu.load(page + m.layout.page.xheap));
  queueRemove(m, cpu, pq, page);
  cpu.atomicStore(page + m.layout.page.xheap, 0);
  return tld;
}

/** page.c _mi_page_abandon: out of the heap; the segment counts an abandoned page. */
export function pageAbandon(m: Mi, cpu: Cpu, page: number, pq: number): void {
  m.valid.page.check(cpu, page, PAGE_IN_QUEUE);
  const tld = pageDetach(m, cpu, page, pq);
  m.counters.add('page.abandoned');
  segmentPageAbandon(m, cpu, tld, page);
}

/** page.c _mi_page_free: out of its queue and back to the segment as a free span. */
export function pageFree(m: Mi, cpu: Cpu, page: number, pq: number): void {
  m.valid.page.check(cpu, page, PAGE_IN_QUEUE);
  setHasAligned(m, cpu, page, false);
  const tld = pageDetach(m, cpu, page, pq);
  m.counters.add('page.freed');
  segmentPageFree(m, cpu, tld, page);
}

/**
 * page.c _mi_page_retire: an empty page that is the only one in its queue is kept for a few
 * generic calls (16, or 4 for medium blocks; v2.1.2 one more) in case allocations follow;
 * otherwise it is freed at once.
 */
export function pageRetire(m: Mi, cpu: Cpu, page: number): void {
  m.valid.page.check(cpu, page, PAGE_IN_QUEUE);
  setHasAligned(m, cpu, page, false);
  const pq = pageQueueOf(m, cpu, page);
  if (!queueIsSpecial(m, cpu, pq) && cpu.load(pq + Q_LAST) === page && cpu.load(pq + Q_FIRST) === page) {
    const bsize = blockSize(m, cpu, page);
    setRetireExpire(m, cpu, page, m.cfg.retireExtra + (bsize <= m.cfg.smallObjSizeMax ? RETIRE_CYCLES : RETIRE_CYCLES / 4));
    const heap = cpu.load(page + m.layout.page.xheap);
    const bin = binOfQueue(m, heap, pq);
    const H = m.layout.heap;
    if (bin < cpu.load(heap + H.retiredMin)) cpu.store(heap + H.retiredMin, bin);
    if (bin > cpu.load(heap + H.retiredMax)) cpu.store(heap + H.retiredMax, bin);
    m.counters.add('page.retired');
    return;
  }
  pageFree(m, cpu, page, pq);
}

/** page.c _mi_heap_collect_retired: count down the retired pages (only queue heads) and free the expired. */
export function heapCollectRetired(m: Mi, cpu: Cpu, heap: number, force: boolean): void {
  const H = m.layout.heap;
  let min = BIN_FULL;
  let max = 0;
  const hi = cpu.load(heap + H.retiredMax);
  for (let bin = cpu.load(heap + H.retiredMin); bin <= hi; bin++) {
    const pq = queueOf(m, heap, bin);
    const page = cpu.load(pq + Q_FIRST);
    if (page === 0) continue;
    const expire = retireExpire(m, cpu, page);
    if (expire === 0) continue;
    if (pageAllFree(m, cpu, page)) {
      setRetireExpire(m, cpu, page, expire - 1);
      if (force || expire - 1 === 0) {
        pageFree(m, cpu, page, pq);
      } else {
        min = Math.min(min, bin);
        max = Math.max(max, bin);
      }
    } else {
      setRetireExpire(m, cpu, page, 0);
    }
  }
  cpu.store(heap + H.retiredMin, min);
  cpu.store(heap + H.retiredMax, max);
}

/** page.c mi_page_free_list_extend: thread `extend` fresh blocks in address order. */
function extendSequential(m: Mi, cpu: Cpu, page: number, start: number, bsize: number, extend: number): void {
  const last = start + (extend - 1) * bsize;
  for (let b = start; b < last; b += bsize) blockSetNext(m, cpu, page, b, b + bsize);
  blockSetNext(m, cpu, page, last, cpu.load(page + m.layout.page.free));
  cpu.store(page + m.layout.page.free, start);
}

/** random.c _mi_random_shuffle (splitmix64 finaliser), on 64-bit values. */
function shuffle(x: bigint): bigint {
  const M = (1n << 64n) - 1n;
  let v = x === 0n ? 17n : x;
  v ^= v >> 30n;
  v = (v * 0xbf58476d1ce4e5b9n) & M;
  v ^= v >> 27n;
  v = (v * 0x94d049bb133111ebn) & M;
  return v ^ (v >> 31n);
}

/**
 * page.c mi_page_free_list_extend_secure: the new blocks are split into up to 64 runs and threaded
 * by jumping between runs at random, so consecutive allocations are not adjacent.
 */
function extendSecure(m: Mi, cpu: Cpu, heap: number, page: number, start: number, bsize: number, extend: number): void {
  let shift = MAX_SLICE_SHIFT;
  while (extend >> shift === 0) shift--;
  const n = 1 << shift;
  const per = Math.floor(extend / n);
  const blocks: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    blocks.push(start + i * per * bsize);
    counts.push(per);
  }
  counts[n - 1] = (counts[n - 1] as number) + (extend % n);
  const r = BigInt(heapRandomNext(m, cpu, heap)) | (BigInt(cpu.random32()) << 32n);
  let current = Number(r % BigInt(n));
  counts[current] = (counts[current] as number) - 1;
  const freeStart = blocks[current] as number;
  let rnd = shuffle(r | 1n);
  for (let i = 1; i < extend; i++) {
    const round = i % 8;
    if (round === 0) rnd = shuffle(rnd);
    cpu.work(4);
    let next = Number((rnd >> BigInt(8 * round)) & BigInt(n - 1));
    while ((counts[next] as number) === 0) next = (next + 1) % n;
    counts[next] = (counts[next] as number) - 1;
    const block = blocks[current] as number;
    blocks[current] = block + bsize;
    blockSetNext(m, cpu, page, block, blocks[next] as number);
    current = next;
  }
  blockSetNext(m, cpu, page, blocks[current] as number, cpu.load(page + m.layout.page.free));
  cpu.store(page + m.layout.page.free, freeStart);
}

/**
 * page.c mi_page_extend_free: grow `capacity` toward `reserved` by at most one OS page of blocks
 * (at least MI_MIN_EXTEND), writing the new free list into fresh memory (the first touch of it).
 */
export function pageExtendFree(m: Mi, cpu: Cpu, heap: number, page: number): void {
  const P = m.layout.page;
  if (m.cfg.extendOnlyWhenEmpty && cpu.load(page + P.free) !== 0) return;
  const capacity = cpu.load(page + P.capacity, 2);
  const reserved = cpu.load(page + P.reserved, 2);
  if (capacity >= reserved) return;
  m.valid.page.check(cpu, page);
  const prev = enter(m, cpu, m.paths.extend);
  const bsize = blockSize(m, cpu, page);
  let extend = reserved - capacity;
  const maxExtend = Math.max(m.cfg.minExtend, bsize >= MAX_EXTEND_SIZE ? m.cfg.minExtend : Math.floor(MAX_EXTEND_SIZE / bsize));
  if (extend > maxExtend) extend = maxExtend;
  const start = pageStart(m, cpu, page, bsize) + capacity * bsize;
  if (extend < MIN_SLICES || !m.cfg.randomExtend) extendSequential(m, cpu, page, start, bsize, extend);
  else extendSecure(m, cpu, heap, page, start, bsize, extend);
  cpu.store(page + P.capacity, capacity + extend, 2);
  m.counters.add('page.extended');
  leave(m, cpu, prev);
  m.valid.page.check(cpu, page);
}

/** page.c mi_page_init: owner heap, block size, reserved count, keys; then the first extension. */
export function pageInit(m: Mi, cpu: Cpu, heap: number, page: number, bsize: number): void {
  const P = m.layout.page;
  cpu.atomicStore(page + P.xheap, heap);
  cpu.store(page + P.blockSize, bsize < HUGE_BLOCK_SIZE ? bsize : HUGE_BLOCK_SIZE, P.blockSizeSize);
  const area = pageAreaSize(m, cpu, page, bsize);
  if (P.pageStart >= 0) {
    // v2.4.1 keeps page_start in the page (page.c mi_page_init / segment.c _mi_segment_page_start)
    const segment = segmentOf(page);
    const idx = (page - segment - m.layout.segment.slices) / P.size;
    cpu.store(page + P.pageStart, segment + idx * SLICE_SIZE + (cpu.load(page + P.sliceCount, 4) * SLICE_SIZE - area));
  }
  cpu.store(page + P.reserved, Math.min(65535, Math.floor(area / bsize)), 2);
  if (P.keys >= 0) {
    for (let k = 0; k < 2; k++) cpu.store64(page + P.keys + 8 * k, heapRandomNext(m, cpu, heap), cpu.random32());
  }
  pageExtendFree(m, cpu, heap, page);
  m.valid.page.check(cpu, page);
}
