/**
 * The page's `xthread_free` list: remote frees pushed with a CAS, collected by the owner
 * (mimalloc src/free.c mi_free_block_delayed_mt, src/page.c _mi_page_thread_free_collect).
 *
 * Two formats:
 * - mimalloc's: a singly linked list of blocks; the owner takes it with one CAS and walks all of it
 *   to find the tail and the count (the walk the BatchIt paper's mimalloc patch keeps, section 3.1);
 * - with `batchit.carryLength` (the deeper integration the paper suggests): a list of batches; the
 *   list points at the *tail* of the newest batch, whose link word is a descriptor (head, length,
 *   tail of the next batch, as block indices in the page), so the owner splices each batch in
 *   constant time without walking it. (Like snmalloc's BatchIt rings, where the message is the tail.)
 */
import { AllocatorAbort } from '../kit/contract.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { ACQ_REL, RELAXED } from '../../machine/memory-order.ts';
import { ORIGIN_META } from '../../machine/origin-counters.ts';
import { blockNext, blockSetNext, blockSize, getUsed, loadLink, pageStart, setUsed, storeLink, tfBlock, type Mi } from './internal.ts';

const TWO16 = 65536;
const TWO32 = 4294967296;

/** A batch descriptor in the tail block's link word (encoded with the page keys when the lists are; no NULL). */
function descSet(m: Mi, cpu: Cpu, page: number, tail: number, desc: number): void {
  storeLink(m, cpu, tail, desc, -1, page + m.layout.page.keys, m.pageKeys);
}

function descGet(m: Mi, cpu: Cpu, page: number, tail: number): number {
  return loadLink(m, cpu, tail, -1, page + m.layout.page.keys, m.pageKeys);
}

/** Block index in the page and back. */
interface Geometry {
  start: number;
  bsize: number;
}

function geometry(m: Mi, cpu: Cpu, page: number): Geometry {
  const bsize = blockSize(m, cpu, page);
  return { start: pageStart(m, cpu, page, bsize), bsize };
}

/** Pushes batch `head..tail` onto the list whose current top block is `top` (carryLength format): writes the tail's descriptor. */
export function linkBatch(m: Mi, cpu: Cpu, page: number, head: number, tail: number, length: number, top: number): void {
  const g = geometry(m, cpu, page);
  const next = top === 0 ? 0 : (top - g.start) / g.bsize + 1;
  descSet(m, cpu, page, tail, next * TWO32 + ((head - g.start) / g.bsize) * TWO16 + length);
}

export interface Collected {
  head: number;
  tail: number;
  count: number;
}

/**
 * Turns the list taken from `xthread_free` (top block `top`) into one chain `head..tail` of `count`
 * blocks: mimalloc walks every link; the carryLength format splices batch by batch.
 */
export function chainOf(m: Mi, cpu: Cpu, page: number, top: number, max: number, res: Collected): void {
  if (!m.cfg.carryLength) {
    let count = 1;
    let tail = top;
    let next: number;
    while ((next = blockNext(m, cpu, page, tail)) !== 0 && count <= max) {
      count++;
      tail = next;
    }
    m.counters.add('collect.blocksWalked', count);
    res.head = top;
    res.tail = tail;
    res.count = count;
    return;
  }
  const g = geometry(m, cpu, page);
  let t = top;
  let prevTail = 0;
  let count = 0;
  while (t !== 0) {
    const d = descGet(m, cpu, page, t);
    const head = g.start + (Math.floor(d / TWO16) % TWO16) * g.bsize;
    if (prevTail !== 0) blockSetNext(m, cpu, page, prevTail, head);
    else res.head = head;
    prevTail = t;
    count += d % TWO16;
    m.counters.add('collect.batches');
    if (count > max) break;
    const nextIdx = Math.floor(d / TWO32);
    t = nextIdx === 0 ? 0 : g.start + (nextIdx - 1) * g.bsize;
  }
  res.tail = prevTail;
  res.count = count;
}

const scratch: Collected = { head: 0, tail: 0, count: 0 };

/**
 * page.c _mi_page_thread_free_collect: take the list with one CAS (keeping the delayed-state bits),
 * find its tail and count, prepend it to `local_free`, and lower `used` by the count.
 */
export function pageThreadFreeCollect(m: Mi, cpu: Cpu, page: number): void {
  const P = m.layout.page;
  // mi_atomic_load_relaxed, then mi_atomic_cas_weak_acq_rel (page.c).
  let tf = cpu.atomicLoad(page + P.xthreadFree, 8, ORIGIN_META, RELAXED);
  while (!cpu.cas(page + P.xthreadFree, tf, tf - tfBlock(tf), 8, ORIGIN_META, ACQ_REL))
    tf = cpu.atomicLoad(page + P.xthreadFree, 8, ORIGIN_META, RELAXED);
  const head = tfBlock(tf);
  if (head === 0) return;
  const max = cpu.load(page + P.capacity, 2);
  chainOf(m, cpu, page, head, max, scratch);
  if (scratch.count > max) {
    throw new AllocatorAbort('mimalloc: error: corrupted thread-free list', page);
  }
  m.counters.add('collect.pages');
  m.counters.add('collect.blocks', scratch.count);
  blockSetNext(m, cpu, page, scratch.tail, cpu.load(page + P.localFree));
  cpu.store(page + P.localFree, scratch.head);
  setUsed(m, cpu, page, getUsed(m, cpu, page) - scratch.count);
}

/** Calls `fn` on every block of the page's thread-free list (for the double-free check and heap walks). */
export function forEachThreadFree(m: Mi, cpu: Cpu, page: number, fn: (block: number) => boolean | void): boolean {
  const top = tfBlock(cpu.load(page + m.layout.page.xthreadFree));
  if (!m.cfg.carryLength) {
    for (let b = top; b !== 0; b = blockNext(m, cpu, page, b)) if (fn(b) === true) return true;
    return false;
  }
  const g = geometry(m, cpu, page);
  for (let t = top; t !== 0;) {
    const d = descGet(m, cpu, page, t);
    let b = g.start + (Math.floor(d / TWO16) % TWO16) * g.bsize;
    const len = d % TWO16;
    for (let i = 0; i < len; i++) {
      if (fn(b) === true) return true;
      if (i < len - 1) b = blockNext(m, cpu, page, b);
    }
    const nextIdx = Math.floor(d / TWO32);
    t = nextIdx === 0 ? 0 : g.start + (nextIdx - 1) * g.bsize;
  }
  return false;
}
