/**
 * Fastbins (malloc.c M:1730-1800, _int_free M:4488-4560, REMOVE_FB M:3829 and malloc_consolidate
 * M:4710): singly linked, LIFO, safe-linked lists of small chunks that keep their in-use bit, so
 * nothing coalesces with them until malloc_consolidate. Frees push with a CAS loop and no arena
 * lock; malloc pops with a CAS under the lock (frees may push concurrently).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { ORIGIN_LINK, ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import { ACQUIRE, RELAXED, RELEASE } from '../../machine/memory-order.ts';
import { CHUNK_HDR_SZ, NFASTBINS, fastbinIndex, protectPtr } from './constants.ts';
import { chunksize, head, misaligned, unlockedReads } from './chunk.ts';
import { malloc_printerr } from './bins.ts';
import { coalesce } from './coalesce.ts';
import { AV_HAVE_FASTCHUNKS, AV_MUTEX, AV_SYSTEM_MEM, CH_FD, fastbinAddr } from './layout.ts';
import type { Ptmalloc } from './state.ts';

/** The safe-linked fd of a fastbin chunk, revealed. */
function revealFd(cpu: Cpu, p: number): number {
  return protectPtr(p + CH_FD, cpu.load(p + CH_FD, 8, ORIGIN_LINK));
}

/** _int_free's "invalid next size (fast)" test: the next chunk's size is implausible. */
function nextSizeBad(cpu: Cpu, av: number, p: number, size: number): boolean {
  const nh = head(cpu, p + size);
  return nh <= CHUNK_HDR_SZ || chunksize(cpu, p + size) >= cpu.load(av + AV_SYSTEM_MEM);
}

/**
 * The fastbin part of _int_free: the next chunk's size check (re-done under the lock if it fails
 * without one), the fasttop double-free check, then the push: a plain store while single-threaded,
 * a CAS loop otherwise.
 */
export function fastbinFree(m: Ptmalloc, cpu: Cpu, av: number, p: number, size: number, haveLock: boolean): void {
  m.path(cpu, '_int_free_fast');
  // Without the lock, glibc knows the test may see a concurrent change (it says so, M:4511) and
  // redoes it under the lock: reads racing by design.
  if (haveLock ? nextSizeBad(cpu, av, p, size) : unlockedReads(cpu, () => nextSizeBad(cpu, av, p, size))) {
    let fail = true;
    if (!haveLock) {
      cpu.lock(av + AV_MUTEX);
      fail = nextSizeBad(cpu, av, p, size);
      cpu.unlock(av + AV_MUTEX);
    }
    if (fail) malloc_printerr('free(): invalid next size (fast)', p);
  }
  const perturb = m.perturbByte(cpu);
  if (perturb !== 0) cpu.fill(p + CHUNK_HDR_SZ, size - CHUNK_HDR_SZ, perturb);
  cpu.atomicStore(av + AV_HAVE_FASTCHUNKS, 1, RELAXED, 4); // atomic_store_relaxed
  const fb = fastbinAddr(av, fastbinIndex(size));
  cpu.work(6);
  if (m.singleThread(cpu)) {
    const old = cpu.load(fb);
    if (old === p) malloc_printerr('double free or corruption (fasttop)', p);
    cpu.store(p + CH_FD, protectPtr(p + CH_FD, old), 8, ORIGIN_LINK);
    cpu.store(fb, p);
  } else {
    // `old = *fb` in glibc, a plain read the CAS then checks: relaxed here. The push is
    // catomic_compare_and_exchange_val_rel: a release CAS.
    let old = cpu.atomicLoad(fb, 8, ORIGIN_META, RELAXED);
    for (;;) {
      if (old === p) malloc_printerr('double free or corruption (fasttop)', p);
      cpu.store(p + CH_FD, protectPtr(p + CH_FD, old), 8, ORIGIN_LINK);
      if (cpu.cas(fb, old, p, 8, ORIGIN_META, RELEASE)) break;
      old = cpu.atomicLoad(fb, 8, ORIGIN_META, RELAXED);
    }
    m.count('fastbinCas');
  }
  m.count('freeFastbin');
}

/**
 * Pops the head of fastbin `idx` (REMOVE_FB, or a plain store while single-threaded); 0 when the
 * bin is empty. Caller holds the arena lock.
 */
export function fastbinPop(m: Ptmalloc, cpu: Cpu, av: number, idx: number, what: string): number {
  const fb = fastbinAddr(av, idx);
  if (m.singleThread(cpu)) {
    const victim = cpu.load(fb);
    if (victim === 0) return 0;
    if (misaligned(victim)) malloc_printerr(what, victim);
    cpu.store(fb, revealFd(cpu, victim));
    return victim;
  }
  // REMOVE_FB: `pp = *fb`, then victim->fd read through it before catomic_compare_and_exchange_val_acq.
  // glibc's read is plain; the fd load depends on its address (consume, which compilers make
  // acquire): acquire here, so the pusher's link write (before its release CAS) is ordered.
  let victim = cpu.atomicLoad(fb, 8, ORIGIN_META, ACQUIRE);
  for (;;) {
    if (victim === 0) return 0;
    if (misaligned(victim)) malloc_printerr(what, victim);
    const next = revealFd(cpu, victim);
    if (next !== 0 && misaligned(next)) malloc_printerr('malloc(): unaligned fastbin chunk detected', next);
    if (cpu.cas(fb, victim, next, 8, ORIGIN_META, ACQUIRE)) return victim;
    victim = cpu.atomicLoad(fb, 8, ORIGIN_META, ACQUIRE);
  }
}

const CONSOLIDATE_CHECKS = { prevSize: 'corrupted size vs. prev_size in fastbins', unsorted: null };

/** A bound on one fastbin's length: only a cycle (from an undetected double free) can exceed it. */
const CYCLE_GUARD = 1 << 26;

/**
 * malloc_consolidate (M:4710): empties every fastbin with an atomic exchange and frees each chunk
 * the normal way without the tcache: coalesce with free neighbours, merge into top or put the
 * result at the head of the unsorted bin. Caller holds the arena lock.
 */
export function mallocConsolidate(m: Ptmalloc, cpu: Cpu, av: number): void {
  m.path(cpu, 'malloc_consolidate');
  m.count('mallocConsolidate');
  cpu.atomicStore(av + AV_HAVE_FASTCHUNKS, 0, RELAXED, 4); // atomic_store_relaxed
  for (let i = 0; i < NFASTBINS; i++) {
    const fb = fastbinAddr(av, i);
    let p = cpu.exchange(fb, 0, 8, ORIGIN_META, ACQUIRE); // atomic_exchange_acq
    let steps = 0;
    while (p !== 0) {
      if (misaligned(p)) malloc_printerr('malloc_consolidate(): unaligned fastbin chunk detected', p);
      if (fastbinIndex(chunksize(cpu, p)) !== i) malloc_printerr('malloc_consolidate(): invalid chunk size', p);
      if (++steps > CYCLE_GUARD)
        throw new Error('glibc model: fastbin list has a cycle (the heap was corrupted by an undetected double free)');
      const nextp = revealFd(cpu, p);
      coalesce(m, cpu, av, p, chunksize(cpu, p), CONSOLIDATE_CHECKS);
      p = nextp;
    }
  }
}
