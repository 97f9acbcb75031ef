/**
 * Free (mimalloc src/alloc.c in v2.1.2, src/free.c from v2.1.4): the segment by masking, the owner by
 * the segment's `thread_id`, the page by the slice's back offset.
 *
 * - local free: push on the page's `local_free`, `used--`; an empty page retires; a page in the
 *   full queue (or with aligned blocks) takes the generic local path, which unfulls it;
 * - remote free: one CAS pushes the block on the page's `xthread_free` (retried on contention);
 *   when the page is armed (delayed state USE_DELAYED_FREE, as every fresh page is and every page
 *   the owner processed since) the block instead goes to the owner heap's `thread_delayed_free`
 *   list: 3 CAS (state -> DELAYED_FREEING, push on the heap list, state -> NO_DELAYED_FREE);
 * - with BatchIt, the remote push is replaced by the freeing thread's per-page cache (batchit.ts).
 */
import { AllocatorAbort } from '../kit/contract.ts';
import { A_CAS_FAILED } from '../../machine/atomic-stats.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { RELAXED, RELEASE } from '../../machine/memory-order.ts';
import { ORIGIN_META } from '../../machine/origin-counters.ts';
import { usableBlockSize, pagePtrUnalign } from './alloc.ts';
import { batchRemoteFree } from './batchit.ts';
import { decode } from './encode.ts';
import {
  blockNext,
  blockSetNext,
  blockSetNextHeap,
  blockSize,
  enter,
  getUsed,
  inSamePage,
  leave,
  pageOf,
  readKeys,
  segmentOf,
  setUsed,
  tfBlock,
  tfDelayed,
  type Mi,
} from './internal.ts';
import { hasAligned, pageFlags } from './page-queue.ts';
import { pageFreeCollect, pageRetire, pageUnfull, pageUseDelayedFree } from './page.ts';
import { checkPadding, paddingShrink } from './padding.ts';
import { cookieOf, segmentHugePageReset } from './segment.ts';
import { segmentAttemptReclaim } from './segment-abandon.ts';
import { heapEnsure, heapOf } from './heap.ts';
import { forEachThreadFree } from './thread-free.ts';
import { DELAYED_FREEING, NO_DELAYED_FREE, SEGMENT_HUGE, USE_DELAYED_FREE, WORD } from './types.ts';

/** The machine's count of failed CAS (a retry of a CAS loop, in the timing model). */
export function casFailures(cpu: Cpu): number {
  return cpu.machine.atomics[A_CAS_FAILED] as number;
}

/** alloc.c mi_list_contains. */
function listContains(m: Mi, cpu: Cpu, page: number, list: number, elem: number): boolean {
  for (let b = list; b !== 0; b = blockNext(m, cpu, page, b)) if (b === elem) return true;
  return false;
}

/**
 * alloc.c mi_check_is_double_free (MI_SECURE >= 4): if the block's first word decodes to NULL or a
 * block of the same page, it may already be free: search the page's three lists.
 */
function checkIsDoubleFree(m: Mi, cpu: Cpu, page: number, block: number): void {
  if (!m.cfg.encoded || m.cfg.secure < 4) return;
  const lo = cpu.load64(block);
  const hi = cpu.hi;
  readKeys(cpu, page + m.layout.page.keys, m.pageKeys);
  const n = decode(page, lo, hi, m.pageKeys);
  if (n < 0 || n % WORD !== 0 || (n !== 0 && !inSamePage(m, cpu, block, n))) return;
  const P = m.layout.page;
  if (
    listContains(m, cpu, page, cpu.load(page + P.free), block) ||
    listContains(m, cpu, page, cpu.load(page + P.localFree), block) ||
    forEachThreadFree(m, cpu, page, (b) => b === block)
  ) {
    throw new AllocatorAbort(
      `mimalloc: error: double free detected of block 0x${block.toString(16)} with size ${blockSize(m, cpu, page)}`,
      block,
    );
  }
}

/** free.c mi_free_block_local: checks, push on `local_free`, retire an empty page, unfull a full one. */
function freeBlockLocal(m: Mi, cpu: Cpu, page: number, block: number, checkFull: boolean): void {
  const P = m.layout.page;
  checkIsDoubleFree(m, cpu, page, block);
  if (m.cfg.padding > 0) checkPadding(m, cpu, page, block, blockSize(m, cpu, page));
  blockSetNext(m, cpu, page, block, cpu.load(page + P.localFree));
  cpu.store(page + P.localFree, block);
  const used = getUsed(m, cpu, page) - 1;
  setUsed(m, cpu, page, used);
  if (used === 0) pageRetire(m, cpu, page);
  else if (checkFull) pageUnfull(m, cpu, page);
}

/**
 * free.c mi_free_block_delayed_mt: push on `xthread_free` with a CAS, or, when the page is armed,
 * on the owner heap's delayed list (3 CAS).
 */
export function freeBlockDelayedMt(m: Mi, cpu: Cpu, page: number, block: number): void {
  const a = page + m.layout.page.xthreadFree;
  // Orders as free.c: relaxed loads of xthread_free, release CASes; an acquire load of xheap; the
  // heap's delayed list read relaxed and pushed with a release CAS.
  let tf = cpu.atomicLoad(a, 8, ORIGIN_META, RELAXED);
  let useDelayed: boolean;
  const failed = casFailures(cpu);
  for (;;) {
    useDelayed = tfDelayed(tf) === USE_DELAYED_FREE;
    let tfx: number;
    if (useDelayed) {
      tfx = tf - USE_DELAYED_FREE + DELAYED_FREEING;
    } else {
      blockSetNext(m, cpu, page, block, tfBlock(tf));
      tfx = block + tfDelayed(tf);
    }
    if (cpu.cas(a, tf, tfx, 8, ORIGIN_META, RELEASE)) break;
    tf = cpu.atomicLoad(a, 8, ORIGIN_META, RELAXED);
  }
  m.counters.add('xthread.casRetries', casFailures(cpu) - failed);
  if (!useDelayed) {
    m.counters.add('free.remote.common');
    return;
  }
  const prev = enter(m, cpu, m.paths.freeDelayed);
  m.counters.add('free.remote.armed');
  const heap = cpu.atomicLoad(page + m.layout.page.xheap);
  if (heap !== 0) {
    const d = heap + m.layout.heap.threadDelayedFree;
    let dfree = cpu.load(d, 8, ORIGIN_META, RELAXED);
    for (;;) {
      blockSetNextHeap(m, cpu, heap, block, dfree);
      if (cpu.cas(d, dfree, block, 8, ORIGIN_META, RELEASE)) break;
      dfree = cpu.atomicLoad(d, 8, ORIGIN_META, RELAXED);
    }
  }
  for (;;) {
    tf = cpu.atomicLoad(a, 8, ORIGIN_META, RELAXED);
    if (cpu.cas(a, tf, tf - tfDelayed(tf) + NO_DELAYED_FREE, 8, ORIGIN_META, RELEASE)) break;
  }
  leave(m, cpu, prev);
}

/**
 * free.c mi_free_block_mt: (2cca58/v2.4.1 with abandoned_reclaim_on_free: reclaim an abandoned
 * segment and free locally instead), padding checks, huge-page reset, then the remote push (or BatchIt).
 */
function freeBlockMt(m: Mi, cpu: Cpu, segment: number, page: number, block: number): void {
  if (m.cfg.reclaimOnFree && cpu.load(segment + m.layout.segment.threadId, 8, ORIGIN_META, RELAXED) === 0) {
    // mi_heap_get_default() initialises the thread (2cca58); v2.4.1 skips threads already done
    const heap = m.cfg.version === '2.4.1' ? heapOf(cpu) : heapEnsure(m, cpu);
    if (heap !== 0 && segmentAttemptReclaim(m, cpu, heap, segment)) {
      free(m, cpu, block); // now a local free in our heap
      return;
    }
  }
  const prev = enter(m, cpu, m.paths.freeMt);
  cpu.work(8);
  m.counters.add('free.remote');
  if (m.cfg.padding > 0) {
    const bsize = blockSize(m, cpu, page);
    checkPadding(m, cpu, page, block, bsize);
    paddingShrink(m, cpu, page, block, bsize, WORD);
  }
  if (cpu.load(segment + m.layout.segment.kind, 4) === SEGMENT_HUGE) {
    segmentHugePageReset(m, cpu, block, usableBlockSize(m, cpu, page));
  }
  if (m.batch !== null) batchRemoteFree(m, cpu, page, block);
  else freeBlockDelayedMt(m, cpu, page, block);
  leave(m, cpu, prev);
}

/** alloc.c _mi_free_generic: unalign an interior pointer, then a local or remote free. */
function freeGeneric(m: Mi, cpu: Cpu, segment: number, page: number, local: boolean, p: number): void {
  const block = hasAligned(m, cpu, page) ? pagePtrUnalign(m, cpu, page, p) : p;
  if (local) freeBlockLocal(m, cpu, page, block, true);
  else freeBlockMt(m, cpu, segment, page, block);
}

/** alloc.c mi_free: written so the local fast path touches the segment line, the page and the block. */
export function free(m: Mi, cpu: Cpu, p: number): void {
  if (p === 0) return;
  cpu.work(6);
  const segment = segmentOf(p);
  if (m.cfg.cookieCheck && cpu.load(segment + m.layout.segment.cookie) !== cookieOf(m, cpu, segment)) {
    throw new AllocatorAbort(`mimalloc: error: mi_free: pointer does not point to a valid heap space: 0x${p.toString(16)}`, p);
  }
  const local = cpu.load(segment + m.layout.segment.threadId, 8, ORIGIN_META, RELAXED) === cpu.tls; // mi_atomic_load_relaxed
  const page = pageOf(m, cpu, segment, p);
  if (local) {
    m.counters.add('free.local');
    if (pageFlags(m, cpu, page) === 0) freeBlockLocal(m, cpu, page, p, false);
    else freeGeneric(m, cpu, segment, page, true, p);
  } else {
    freeGeneric(m, cpu, segment, page, false, p);
  }
}

/**
 * alloc.c _mi_free_delayed_block: the owner frees a block taken from its heap's delayed list: re-arm
 * the page, collect its other remote frees, then a local free (which may unfull or retire it).
 */
export function freeDelayedBlock(m: Mi, cpu: Cpu, block: number): void {
  const segment = segmentOf(block);
  const page = pageOf(m, cpu, segment, block);
  pageUseDelayedFree(m, cpu, page, USE_DELAYED_FREE, false);
  pageFreeCollect(m, cpu, page, false);
  freeBlockLocal(m, cpu, page, block, true);
}
