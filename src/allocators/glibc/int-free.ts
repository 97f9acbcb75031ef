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
  CHUNK_HDR_SZ,
  FASTBIN_CONSOLIDATION_THRESHOLD,
  MALLOC_ALIGNMENT,
  MINSIZE,
  PREV_INUSE,
  csize2tidx,
  sizeOf,
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
  AV_FLAGS,
  AV_HAVE_FASTCHUNKS,
  AV_MUTEX,
  AV_SYSTEM_MEM,
  AV_TOP,
  G_GLOBAL_MAX_FAST,
  MP_TOP_PAD,
  MP_TRIM_THRESHOLD,
  NONCONTIGUOUS_BIT,
  TLS_THREAD_ARENA,
} from './layout.ts';
import type { Ptmalloc } from './state.ts';
import { BINS } from './check-state.ts';

/** Frees chunk `p` of arena `av`; `haveLock` when the caller already holds the arena lock. */
export function intFree(m: Ptmalloc, cpu: Cpu, av: number, p: number, haveLock: boolean): void {
  const h = haveLock ? head(cpu, p) : headUnlocked(cpu, p);
  const size = sizeOf(h);
  cpu.work(8);
  if (wrapsAround(p, size) || misaligned(p)) malloc_printerr('free(): invalid pointer', p + CHUNK_HDR_SZ);
  if (size < MINSIZE || size % MALLOC_ALIGNMENT !== 0) malloc_printerr('free(): invalid size', p + CHUNK_HDR_SZ);
  const tc = tcacheOf(cpu);
  const tcIdx = csize2tidx(size);
  if (tc !== 0 && tcacheBinUsable(m, cpu, tcIdx)) {
    tcacheDoubleFreeCheck(m, cpu, tc, p, tcIdx);
    if (tcacheHasRoom(m, cpu, tc, tcIdx)) {
      m.path(cpu, 'tcache_put');
      tcachePut(m, cpu, tc, p, tcIdx);
      m.count('freeTcache');
      return;
    }
  }
  // TRIM_FASTBINS is 0: chunks bordering top go to the fastbins too.
  if (size <= cpu.load(m.g(G_GLOBAL_MAX_FAST))) {
    fastbinFree(m, cpu, av, p, size, haveLock);
    BINS.check(cpu, av);
    return;
  }
  if (isMmapped(h)) {
    munmapChunk(m, cpu, p);
    return;
  }
  const lockHere = !haveLock && !m.singleThread(cpu);
  if (lockHere) {
    cpu.lock(av + AV_MUTEX);
    // Statistics only (read without charge): a free locking an arena the thread is not bound to.
    if (av !== cpu.machine.peek(cpu.tls + TLS_THREAD_ARENA)) m.count('freeLockedOtherArena');
  }
  freeNormal(m, cpu, av, p, size);
  BINS.check(cpu, av);
  if (lockHere) cpu.unlock(av + AV_MUTEX);
}

/** The checks of the locked path (M:4572-4590). */
function checkNormalFree(cpu: Cpu, av: number, p: number, size: number): void {
  const top = cpu.load(av + AV_TOP);
  const nextchunk = p + size;
  if (p === top) malloc_printerr('double free or corruption (top)', p + CHUNK_HDR_SZ);
  const contiguous = (cpu.load(av + AV_FLAGS, 4) & NONCONTIGUOUS_BIT) === 0;
  if (contiguous && nextchunk >= top + chunksize(cpu, top)) malloc_printerr('double free or corruption (out)', p + CHUNK_HDR_SZ);
  const nh = head(cpu, nextchunk);
  if (!flag(nh, PREV_INUSE)) malloc_printerr('double free or corruption (!prev)', p + CHUNK_HDR_SZ);
  if (nh <= CHUNK_HDR_SZ || sizeOf(nh) >= cpu.load(av + AV_SYSTEM_MEM))
    malloc_printerr('free(): invalid next size (normal)', p + CHUNK_HDR_SZ);
}

const FREE_CHECKS = { prevSize: 'corrupted size vs. prev_size while consolidating', unsorted: 'free(): corrupted unsorted chunks' };

/** Coalesce and bin (or merge into top) under the lock, then consolidate and trim after a large free. */
function freeNormal(m: Ptmalloc, cpu: Cpu, av: number, chunk: number, chunkSize: number): void {
  m.path(cpu, '_int_free');
  m.count('freeNormal');
  checkNormalFree(cpu, av, chunk, chunkSize);
  const pb = m.perturbByte(cpu);
  if (pb !== 0) cpu.fill(chunk + CHUNK_HDR_SZ, chunkSize - CHUNK_HDR_SZ, pb);
  const size = coalesce(m, cpu, av, chunk, chunkSize, FREE_CHECKS);
  if (size >= FASTBIN_CONSOLIDATION_THRESHOLD) trimAfterLargeFree(m, cpu, av);
}

/** M:4665-4690: consolidate fastbins, then systrim past the trim threshold, or always heap_trim. */
function trimAfterLargeFree(m: Ptmalloc, cpu: Cpu, av: number): void {
  if (cpu.load(av + AV_HAVE_FASTCHUNKS, 4, ORIGIN_META, RELAXED) !== 0) mallocConsolidate(m, cpu, av);
  const top = cpu.load(av + AV_TOP);
  if (av === m.mainArena) {
    if (chunksize(cpu, top) >= m.mpGet(cpu, MP_TRIM_THRESHOLD)) systrim(m, cpu, m.mpGet(cpu, MP_TOP_PAD), av);
  } else {
    heapTrim(m, cpu, heapForPtr(top), m.mpGet(cpu, MP_TOP_PAD));
  }
}
