/**
 * The generic allocation path (mimalloc src/page.c `_mi_malloc_generic` and the page search): taken
 * when the direct page's free list is empty or the request is over MI_SMALL_SIZE_MAX.
 *
 * Housekeeping first (the heartbeat and the heap's delayed-free list: on every call in v2.1.2, on
 * every 100th in v2.2.2+ plus a heap collect every `generic_collect` calls), then a page with free
 * blocks: the queue's first page after collecting it; else a walk of the queue, collecting each
 * page, extending the first that can grow (v2.1.2 first fit; v2.4.1 best of 4 candidates) and
 * moving exhausted pages to the full queue; else a fresh page (after freeing expired retired pages).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { pageMalloc } from './alloc.ts';
import { binOf, goodAllocSize } from './bins.ts';
import { deferredFree, heapCollect, heapDelayedFreePartial } from './heap.ts';
import { blockSize, enter, getUsed, heapRandomNext, leave, type Mi } from './internal.ts';
import { pageQueueOf, queueMoveToFront, queueOf, queuePush } from './page-queue.ts';
import { heapCollectRetired, pageExtendFree, pageFreeCollect, pageInit, pageToFull, setRetireExpire, tldOf } from './page.ts';
import { segmentPageAlloc } from './segment.ts';
import { BIN_HUGE, LARGE_OBJ_SIZE_MAX, Q_FIRST, Q_SIZE } from './types.ts';
import { PAGE_IN_QUEUE } from './invariants.ts';

/** page.c mi_page_fresh_alloc: a page from the segments, initialised and pushed on its queue. */
function pageFreshAlloc(m: Mi, cpu: Cpu, heap: number, pq: number, bsize: number): number {
  const page = segmentPageAlloc(m, cpu, heap, tldOf(m, cpu, heap), bsize);
  if (page === 0) return 0;
  // large and huge pages hold one block as big as the page
  const full = pq === queueOf(m, heap, BIN_HUGE) ? blockSize(m, cpu, page) : bsize;
  pageInit(m, cpu, heap, page, full);
  queuePush(m, cpu, heap, pq, page);
  m.counters.add('page.fresh');
  m.valid.page.check(cpu, page, PAGE_IN_QUEUE);
  return page;
}

function immediateAvailable(m: Mi, cpu: Cpu, page: number): boolean {
  return cpu.load(page + m.layout.page.free) !== 0;
}

function expandable(m: Mi, cpu: Cpu, page: number): boolean {
  return cpu.load(page + m.layout.page.capacity, 2) < cpu.load(page + m.layout.page.reserved, 2);
}

/** v2.1.2 mi_page_queue_find_free_ex loop: first fit, extending in place. */
function searchFirstFit(m: Mi, cpu: Cpu, heap: number, pq: number): number {
  let page = cpu.load(pq + Q_FIRST);
  while (page !== 0) {
    const next = cpu.load(page + m.layout.page.next);
    m.counters.add('page.searched');
    pageFreeCollect(m, cpu, page, false);
    if (immediateAvailable(m, cpu, page)) break;
    if (expandable(m, cpu, page)) {
      pageExtendFree(m, cpu, heap, page);
      break;
    }
    pageToFull(m, cpu, page, pq);
    page = next;
  }
  return page;
}

/** v2.4.1 mi_page_queue_find_free_ex loop: up to MI_MAX_CANDIDATE_SEARCH candidates, preferring fuller pages. */
function searchCandidates(m: Mi, cpu: Cpu, heap: number, pq: number): number {
  let page = cpu.load(pq + Q_FIRST);
  let candidate = 0;
  let count = 0;
  while (page !== 0) {
    const next = cpu.load(page + m.layout.page.next);
    m.counters.add('page.searched');
    count++;
    pageFreeCollect(m, cpu, page, false);
    const available = immediateAvailable(m, cpu, page);
    if (!available && !expandable(m, cpu, page)) {
      pageToFull(m, cpu, page, pq);
    } else {
      const reserved = cpu.load(page + m.layout.page.reserved, 2);
      const used = getUsed(m, cpu, page);
      const mostlyUsed = reserved - used <= Math.floor(reserved / 8);
      if (candidate === 0) {
        candidate = page;
        count = 0;
      } else if (used >= getUsed(m, cpu, candidate) && !mostlyUsed && !expandable(m, cpu, page)) {
        candidate = page;
      }
      if (available || count > m.cfg.candidateSearch) break;
    }
    page = next;
  }
  if (candidate !== 0 && !immediateAvailable(m, cpu, candidate)) pageExtendFree(m, cpu, heap, candidate);
  if (candidate !== 0) queueMoveToFront(m, cpu, heap, pq, candidate);
  return candidate;
}

/** page.c mi_page_queue_find_free_ex. */
function findFreeEx(m: Mi, cpu: Cpu, heap: number, pq: number, firstTry: boolean): number {
  let page = m.cfg.candidateSearch > 1 ? searchCandidates(m, cpu, heap, pq) : searchFirstFit(m, cpu, heap, pq);
  if (page === 0) {
    heapCollectRetired(m, cpu, heap, false);
    page = pageFreshAlloc(m, cpu, heap, pq, cpu.load(pq + Q_SIZE)); // mi_page_fresh: the queue's block size
    if (page === 0 && firstTry) page = findFreeEx(m, cpu, heap, pq, false);
  } else {
    setRetireExpire(m, cpu, page, 0);
  }
  return page;
}

/** page.c mi_find_free_page: the queue's first page if it has (or, collected, gets) free blocks. */
function findFreePage(m: Mi, cpu: Cpu, heap: number, size: number): number {
  const pq = queueOf(m, heap, binOf(size, m.cfg.mediumObjSizeMax));
  const page = cpu.load(pq + Q_FIRST);
  if (page !== 0) {
    // secure: extend instead of collecting half the time, for more randomness
    if (m.cfg.coinExtend && expandable(m, cpu, page) && (heapRandomNext(m, cpu, heap) & 1) === 1) pageExtendFree(m, cpu, heap, page);
    else pageFreeCollect(m, cpu, page, false);
    if (immediateAvailable(m, cpu, page)) {
      setRetireExpire(m, cpu, page, 0);
      return page;
    }
  }
  return findFreeEx(m, cpu, heap, pq, true);
}

/** page.c mi_large_huge_page_alloc: every large or huge malloc gets a fresh page in the huge queue. */
function largeHugePageAlloc(m: Mi, cpu: Cpu, heap: number, size: number): number {
  const bsize = goodAllocSize(size);
  const page = pageFreshAlloc(m, cpu, heap, queueOf(m, heap, BIN_HUGE), bsize);
  if (page !== 0) m.counters.add(bsize <= LARGE_OBJ_SIZE_MAX ? 'page.large' : 'page.huge');
  return page;
}

/** page.c mi_find_page: `size` includes the padding. */
function findPage(m: Mi, cpu: Cpu, heap: number, size: number): number {
  if (size - m.cfg.padding > m.cfg.mediumObjSizeMax - m.cfg.padding) return largeHugePageAlloc(m, cpu, heap, size);
  return findFreePage(m, cpu, heap, size);
}

/** page.c _mi_malloc_generic. `size` includes the padding. */
export function mallocGeneric(m: Mi, cpu: Cpu, heap: number, size: number, zero: boolean): number {
  const prev = enter(m, cpu, m.paths.generic);
  m.counters.add('malloc.generic');
  cpu.work(20);
  const H = m.layout.heap;
  if (m.cfg.genericEvery === 1) {
    deferredFree(m, cpu, heap);
    heapDelayedFreePartial(m, cpu, heap);
  } else {
    const n = cpu.load(heap + H.genericCount) + 1;
    if (n >= m.cfg.genericEvery) {
      const total = cpu.load(heap + H.genericCollectCount) + n;
      cpu.store(heap + H.genericCount, 0);
      deferredFree(m, cpu, heap);
      heapDelayedFreePartial(m, cpu, heap);
      if (total >= m.cfg.genericCollect) {
        cpu.store(heap + H.genericCollectCount, 0);
        heapCollect(m, cpu, heap, 'normal');
      } else {
        cpu.store(heap + H.genericCollectCount, total);
      }
    } else {
      cpu.store(heap + H.genericCount, n);
    }
  }
  let page = findPage(m, cpu, heap, size);
  if (page === 0) {
    heapCollect(m, cpu, heap, 'force');
    page = findPage(m, cpu, heap, size);
  }
  let p = 0;
  if (page !== 0) {
    p = pageMalloc(m, cpu, heap, page, size, zero);
    // v2.4.1: a page that is now completely used (e.g. a large page's single block) moves to the full queue
    if (m.cfg.version === '2.4.1' && cpu.load(page + m.layout.page.reserved, 2) === getUsed(m, cpu, page)) {
      pageToFull(m, cpu, page, pageQueueOf(m, cpu, page));
    }
  }
  leave(m, cpu, prev);
  return p;
}
