/**
 * _int_free (malloc.c M:4416-4690): the cheap pointer and size checks; the tcache (with the
 * double-free key test); the lock-free fastbin push; otherwise, under the owning arena's lock, the
 * double-free checks, coalescing backward and forward (or into top), the unsorted bin, and for a
 * result of 64 KiB or more: malloc_consolidate and the trim (systrim for the main arena, heap_trim
 * for the others).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { RELAXED } from '../../machine/memory-order.ts';
import { ORIGIN_META } from '../../machine/origin-counters.ts';
import {
  CHUNK_HDR_SZ, FASTBIN_CONSOLIDATION_THRESHOLD, MALLOC_ALIGNMENT, MINSIZE, PREV_INUSE, csize2tidx, sizeOf,
  wrapsAround,
} from './constants.ts';
import { chunksize, flag, head, headUnlocked, isMmapped, misaligned } from './chunk.ts';
import { malloc_printerr } from './bins.ts';
import { coalesce } from './coalesce.ts';
import { fastbinFree, mallocConsolidate } from './fastbins.ts';
import { heapForPtr } from './arena.ts';
import { heapTrim } from './heap.ts';
import { munmapChunk, systrim } from './sysmalloc.ts';
import { tcacheBinUsable, tcacheDoubleFreeCheck, tcacheHasRoom, tcacheOf, tcachePut } from './tcache.ts';
import {
  AV_FLAGS, AV_HAVE_FASTCHUNKS, AV_MUTEX, AV_SYSTEM_MEM, AV_TOP, G_GLOBAL_MAX_FAST, MP_TOP_PAD, MP_TRIM_THRESHOLD,
  NONCONTIGUOUS_BIT, TLS_THREAD_ARENA,
} from './layout.ts';
import type { Ptmalloc } from './state.ts';

/** Frees chunk `p` of arena `av`; `haveLock` when the caller already holds the arena lock. */
export function intFree(m: Ptmalloc, c: Cpu, av: number, p: number, haveLock: boolean): void {
  const h = haveLock ? head(c, p) : headUnlocked(c, p);
  const size = sizeOf(h);
  c.work(8);
  if (wrapsAround(p, size) || misaligned(p)) malloc_printerr('free(): invalid pointer', p + CHUNK_HDR_SZ);
  if (size < MINSIZE || size % MALLOC_ALIGNMENT !== 0) malloc_printerr('free(): invalid size', p + CHUNK_HDR_SZ);
  const tc = tcacheOf(c);
  const tcIdx = csize2tidx(size);
  if (tc !== 0 && tcacheBinUsable(m, c, tcIdx)) {
    tcacheDoubleFreeCheck(m, c, tc, p, tcIdx);
    if (tcacheHasRoom(m, c, tc, tcIdx)) {
      m.path(c, 'tcache_put');
      tcachePut(m, c, tc, p, tcIdx);
      m.count('freeTcache');
      return;
    }
  }
  // TRIM_FASTBINS is 0: chunks bordering top go to the fastbins too.
  if (size <= c.load(m.g(G_GLOBAL_MAX_FAST))) {
    fastbinFree(m, c, av, p, size, haveLock);
    return;
  }
  if (isMmapped(h)) {
    munmapChunk(m, c, p);
    return;
  }
  const lockHere = !haveLock && !m.singleThread(c);
  if (lockHere) {
    c.lock(av + AV_MUTEX);
    // Statistics only (read without charge): a free locking an arena the thread is not bound to.
    if (av !== c.machine.peek(c.tls + TLS_THREAD_ARENA)) m.count('freeLockedOtherArena');
  }
  freeNormal(m, c, av, p, size);
  if (lockHere) c.unlock(av + AV_MUTEX);
}

/** The checks of the locked path (M:4572-4590). */
function checkNormalFree(c: Cpu, av: number, p: number, size: number): void {
  const top = c.load(av + AV_TOP);
  const nextchunk = p + size;
  if (p === top) malloc_printerr('double free or corruption (top)', p + CHUNK_HDR_SZ);
  const contiguous = (c.load(av + AV_FLAGS, 4) & NONCONTIGUOUS_BIT) === 0;
  if (contiguous && nextchunk >= top + chunksize(c, top)) malloc_printerr('double free or corruption (out)', p + CHUNK_HDR_SZ);
  const nh = head(c, nextchunk);
  if (!flag(nh, PREV_INUSE)) malloc_printerr('double free or corruption (!prev)', p + CHUNK_HDR_SZ);
  if (nh <= CHUNK_HDR_SZ || sizeOf(nh) >= c.load(av + AV_SYSTEM_MEM)) malloc_printerr('free(): invalid next size (normal)', p + CHUNK_HDR_SZ);
}

const FREE_CHECKS = { prevSize: 'corrupted size vs. prev_size while consolidating', unsorted: 'free(): corrupted unsorted chunks' };

/** Coalesce and bin (or merge into top) under the lock, then consolidate and trim after a large free. */
function freeNormal(m: Ptmalloc, c: Cpu, av: number, chunk: number, chunkSize: number): void {
  m.path(c, '_int_free');
  m.count('freeNormal');
  checkNormalFree(c, av, chunk, chunkSize);
  const pb = m.perturbByte(c);
  if (pb !== 0) c.fill(chunk + CHUNK_HDR_SZ, chunkSize - CHUNK_HDR_SZ, pb);
  const size = coalesce(m, c, av, chunk, chunkSize, FREE_CHECKS);
  if (size >= FASTBIN_CONSOLIDATION_THRESHOLD) trimAfterLargeFree(m, c, av);
}

/** M:4665-4690: consolidate fastbins, then systrim past the trim threshold, or always heap_trim. */
function trimAfterLargeFree(m: Ptmalloc, c: Cpu, av: number): void {
  if (c.load(av + AV_HAVE_FASTCHUNKS, 4, ORIGIN_META, RELAXED) !== 0) mallocConsolidate(m, c, av);
  const top = c.load(av + AV_TOP);
  if (av === m.mainArena) {
    if (chunksize(c, top) >= m.mpGet(c, MP_TRIM_THRESHOLD)) systrim(m, c, m.mpGet(c, MP_TOP_PAD), av);
  } else {
    heapTrim(m, c, heapForPtr(top), m.mpGet(c, MP_TOP_PAD));
  }
}
