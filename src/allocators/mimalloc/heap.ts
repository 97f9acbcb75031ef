/**
 * Heaps and threads (mimalloc src/heap.c, src/init.c, and the delayed-free drain of src/page.c).
 *
 * Each thread's default heap lives in its mi_thread_data_t (heap, then tld), allocated from the OS
 * (or a 16-entry cache of exited threads' data) on the thread's first allocation, and reached
 * through one TLS word (`_mi_heap_default`). At thread exit the heap is collected with MI_ABANDON:
 * its pages stop using delayed free, the delayed list is drained, empty pages are freed and the
 * rest abandoned to other threads.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { ACQ_REL, RELAXED } from '../../machine/memory-order.ts';
import { ORIGIN_META } from '../../machine/origin-counters.ts';
import { batchFlush } from './batchit.ts';
import { freeDelayedBlock } from './free.ts';
import { G_TD_CACHE, TD_CACHE_SIZE, blockNextHeap, enter, leave, type Mi } from './internal.ts';
import { osAlloc, osFree } from './os.ts';
import { queueOf, queuesInit } from './page-queue.ts';
import { heapCollectRetired, pageAbandon, pageAllFree, pageFree, pageFreeCollect, pageUseDelayedFree } from './page.ts';
import { abandonedCollect } from './segment-abandon.ts';
import { sliceBin } from './segment-span.ts';
import { BIN_FULL, NEVER_DELAYED_FREE, Q_FIRST, Q_SIZE, RANDOM_AVAILABLE, SEGMENT_BIN_MAX } from './types.ts';

/** The thread's default heap (the TLS word), or 0 before its first allocation. */
export function heapOf(cpu: Cpu): number {
  return cpu.load(cpu.tls);
}

/** init.c mi_thread_data_zalloc: an exited thread's data from td_cache, else a fresh OS allocation. */
function threadDataAlloc(m: Mi, cpu: Cpu): number {
  for (let i = 0; i < TD_CACHE_SIZE; i++) {
    const slot = m.statics + G_TD_CACHE + i * 8;
    if (cpu.atomicLoad(slot) !== 0) {
      const td = cpu.exchange(slot, 0);
      if (td !== 0) {
        cpu.fill(td, m.tdSize, 0, 0); // _mi_memzero_aligned
        return td;
      }
    }
  }
  return osAlloc(m, cpu, m.tdSize, 4096, 'mimalloc:thread-data');
}

/** init.c mi_thread_data_free: into an empty td_cache slot, else back to the OS. */
function threadDataFree(m: Mi, cpu: Cpu, td: number): void {
  for (let i = 0; i < TD_CACHE_SIZE; i++) {
    const slot = m.statics + G_TD_CACHE + i * 8;
    if (cpu.atomicLoad(slot) === 0 && cpu.cas(slot, 0, td)) return;
  }
  osFree(m, cpu, td, m.tdSize);
}

/**
 * init.c _mi_heap_init (mi_thread_init): thread data, a copy of the empty heap and tld, fresh
 * randomness (one getrandom call seeds the heap's ChaCha context), cookie and keys; then the TLS
 * word points at the heap.
 */
export function threadInit(m: Mi, cpu: Cpu): number {
  const td = threadDataAlloc(m, cpu);
  const heap = td;
  const tld = td + m.tdTld;
  const H = m.layout.heap;
  queuesInit(m, cpu, heap, m.binSize);
  cpu.store(heap + H.tld, tld);
  cpu.store(heap + H.threadId, cpu.tls);
  cpu.store(heap + H.retiredMin, BIN_FULL);
  cpu.store(heap + H.retiredMax, 0);
  // _mi_random_init: 32 bytes from the OS seed the ChaCha20 input block
  cpu.getrandom();
  cpu.touch(heap + H.random, 64, true);
  cpu.store(heap + H.random + RANDOM_AVAILABLE, 0, 4);
  cpu.store(heap + H.cookie, cpu.random32() | 1);
  for (let k = 0; k < 2; k++) cpu.store64(heap + H.keys + 8 * k, cpu.random32(), cpu.random32());
  // tld: backing heap, the span queues' slice counts (init.c MI_SEGMENT_SPAN_QUEUES_EMPTY)
  cpu.store(tld + m.layout.tld.heapBacking, heap);
  const counts = new Array<number>(SEGMENT_BIN_MAX + 1).fill(1);
  for (let c = 1; c <= 1024; c++) counts[sliceBin(c)] = c;
  for (let b = 0; b <= SEGMENT_BIN_MAX; b++) cpu.store(tld + m.layout.tld.spans + b * m.layout.queueSize + Q_SIZE, counts[b] as number);
  cpu.store(cpu.tls, heap);
  m.counters.add('heap.threadInit');
  return heap;
}

/** The calling thread's heap, initialising the thread on first use (mi_heap_get_default). */
export function heapEnsure(m: Mi, cpu: Cpu): number {
  const heap = heapOf(cpu);
  return heap !== 0 ? heap : threadInit(m, cpu);
}

/**
 * page.c _mi_heap_delayed_free_partial: take the heap's delayed list (a relaxed load, then a CAS;
 * deliberately not an exchange as the list is usually empty) and free each block as the owner,
 * which re-arms its page, collects it and may unfull or retire it.
 */
export function heapDelayedFreePartial(m: Mi, cpu: Cpu, heap: number): void {
  const a = heap + m.layout.heap.threadDelayedFree;
  let block = cpu.load(a, 8, ORIGIN_META, RELAXED);
  while (block !== 0 && !cpu.cas(a, block, 0, 8, ORIGIN_META, ACQ_REL)) block = cpu.atomicLoad(a, 8, ORIGIN_META, RELAXED);
  if (block === 0) return;
  const prev = enter(m, cpu, m.paths.delayedFree);
  m.counters.add('delayed.drains');
  while (block !== 0) {
    const next = blockNextHeap(m, cpu, heap, block);
    m.counters.add('delayed.blocks');
    freeDelayedBlock(m, cpu, block);
    block = next;
  }
  leave(m, cpu, prev);
}

/** page.c _mi_deferred_free: the heartbeat (no deferred-free callback is registered). */
export function deferredFree(m: Mi, cpu: Cpu, heap: number): void {
  const tld = cpu.load(heap + m.layout.heap.tld);
  cpu.store(tld + m.layout.tld.heartbeat, cpu.load(tld + m.layout.tld.heartbeat) + 1);
}

type Visit = (page: number, pq: number) => void;

/** heap.c mi_heap_visit_pages: every page of every queue (the next pointer read before the visit). */
function visitPages(m: Mi, cpu: Cpu, heap: number, fn: Visit): void {
  if (cpu.load(heap + m.layout.heap.pageCount) === 0) return;
  for (let b = 0; b <= BIN_FULL; b++) {
    const pq = queueOf(m, heap, b);
    let page = cpu.load(pq + Q_FIRST);
    while (page !== 0) {
      const next = cpu.load(page + m.layout.page.next);
      fn(page, pq);
      page = next;
    }
  }
}

export type CollectMode = 'normal' | 'force' | 'abandon';

/** heap.c mi_heap_collect_ex. */
export function heapCollect(m: Mi, cpu: Cpu, heap: number, mode: CollectMode): void {
  const force = mode !== 'normal';
  deferredFree(m, cpu, heap);
  if (mode === 'abandon') visitPages(m, cpu, heap, (page) => pageUseDelayedFree(m, cpu, page, NEVER_DELAYED_FREE, false));
  heapDelayedFreePartial(m, cpu, heap);
  heapCollectRetired(m, cpu, heap, force);
  visitPages(m, cpu, heap, (page, pq) => {
    pageFreeCollect(m, cpu, page, force);
    if (pageAllFree(m, cpu, page)) pageFree(m, cpu, page, pq);
    else if (mode === 'abandon') pageAbandon(m, cpu, page, pq);
  });
  abandonedCollect(m, cpu, heap, mode === 'force');
}

/**
 * init.c _mi_thread_done -> _mi_heap_done: (BatchIt: post every open list) collect and abandon the
 * heap, then release the thread data; the TLS word is reset.
 */
export function threadDone(m: Mi, cpu: Cpu): void {
  const heap = heapOf(cpu);
  if (heap === 0) return;
  const prev = enter(m, cpu, m.paths.threadDone);
  if (m.batch !== null) batchFlush(m, cpu, heap);
  heapCollect(m, cpu, heap, 'abandon');
  cpu.store(cpu.tls, 0);
  threadDataFree(m, cpu, heap);
  m.counters.add('heap.threadDone');
  leave(m, cpu, prev);
}
