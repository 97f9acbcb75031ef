/**
 * BatchIt for mimalloc (Filardo & Parkinson, ISMM 2024, section 3.1), on the shared BatchIt cache
 * (src/allocators/shared/batchit).
 *
 * A remote free no longer CASes the block onto the page's `xthread_free`: the freeing thread keeps
 * a small set-associative cache (16 lists, 2-way, in its thread data) of per-page lists of blocks it
 * freed remotely, and appends to the page's list without any atomic. When a list is evicted (a
 * miss in a full set evicts the longest list) or flushed (thread exit), the whole list goes to the
 * page with one CAS on `xthread_free` (tail->next = old head). If the page is armed for delayed
 * free, two messages are needed, as the paper describes: the first block goes through the owner
 * heap's delayed list (3 CAS) to make the owner look at the page, the rest follows with one CAS.
 * The owner still walks the list when it collects it, unless `batchit.carryLength` (thread-free.ts).
 */
import type { BatchItHooks, BatchSink } from '../shared/batchit/index.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { casFailures, freeBlockDelayedMt } from './free.ts';
import { heapEnsure } from './heap.ts';
import { blockNext, blockSetNext, enter, leave, tfBlock, tfDelayed, type Mi } from './internal.ts';
import { linkBatch } from './thread-free.ts';
import { USE_DELAYED_FREE } from './types.ts';

/** The cache's link hooks: mimalloc's own (possibly encoded) free-list links, keyed by the current page. */
export function batchHooks(mi: () => Mi): BatchItHooks {
  return {
    initNode: (cpu, obj) => blockSetNext(mi(), cpu, mi().batchPage, obj, 0),
    link: (cpu, prevTail, obj, page) => blockSetNext(mi(), cpu, page, prevTail, obj),
  };
}

/** One CAS splices `head..tail` (`length` blocks) onto the page's thread-free list. */
function pushBatch(m: Mi, cpu: Cpu, page: number, head: number, tail: number, length: number): void {
  const a = page + m.layout.page.xthreadFree;
  const failed = casFailures(cpu);
  for (;;) {
    const tf = cpu.atomicLoad(a);
    const top = tfBlock(tf);
    let tfx: number;
    if (m.cfg.carryLength) {
      linkBatch(m, cpu, page, head, tail, length, top);
      tfx = tail + tfDelayed(tf);
    } else {
      blockSetNext(m, cpu, page, tail, top);
      tfx = head + tfDelayed(tf);
    }
    if (cpu.cas(a, tf, tfx)) break;
  }
  m.counters.add('xthread.casRetries', casFailures(cpu) - failed);
  m.counters.add('batchit.pushes');
}

/** The sink of evicted and flushed lists: the page's lists, keyed by its mi_page_t address. */
export function batchSink(m: Mi): BatchSink {
  return (cpu, page, head, tail, length) => {
    const prev = enter(m, cpu, m.paths.batchitEvict);
    let h = head;
    let n = length;
    if (tfDelayed(cpu.atomicLoad(page + m.layout.page.xthreadFree)) === USE_DELAYED_FREE) {
      // the owner does not watch this page: notify it with the first block, then send the rest
      m.counters.add('batchit.armed');
      const second = n > 1 ? blockNext(m, cpu, page, head) : 0;
      freeBlockDelayedMt(m, cpu, page, head);
      h = second;
      n--;
    }
    if (n > 0) pushBatch(m, cpu, page, h, tail, n);
    leave(m, cpu, prev);
  };
}

/** A remote free into the cache (no atomics on a hit). The thread's heap is set up if it has none yet. */
export function batchRemoteFree(m: Mi, cpu: Cpu, page: number, block: number): void {
  const cache = m.batch;
  if (cache === null || m.batchSink === null) return;
  const heap = heapEnsure(m, cpu);
  const prev = enter(m, cpu, m.paths.batchit);
  cpu.work(6);
  m.batchPage = page;
  cache.add(cpu, heap + m.tdBatch, page, block, m.batchSink);
  leave(m, cpu, prev);
}

/** Posts every open list (at thread exit). */
export function batchFlush(m: Mi, cpu: Cpu, heap: number): void {
  if (m.batch === null || m.batchSink === null) return;
  m.batch.flush(cpu, heap + m.tdBatch, m.batchSink);
}
