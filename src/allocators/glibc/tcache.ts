/**
 * The per-thread cache (malloc.c M:3120-3275, since 2.26): a tcache_perthread_struct allocated
 * through the thread's arena on its first malloc or free, reached through the `tcache` __thread
 * variable; 64 LIFO bins of at most tcache_count chunks, checked before anything else on malloc and
 * on free, with no lock and no atomic. A cached chunk's user data holds the safe-linked next
 * pointer and the process-wide tcache_key, by which free spots a double free.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { ORIGIN_LINK, ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import { TCACHE_MAX_BINS, protectPtr } from './constants.ts';
import { chunk2mem, misaligned } from './chunk.ts';
import { malloc_printerr } from './bins.ts';
import { arenaGet } from './arena.ts';
import { intMallocLocked } from './int-malloc.ts';
import { libcFree } from './malloc.ts';
import {
  G_TCACHE_KEY,
  MP_TCACHE_BINS,
  MP_TCACHE_COUNT,
  TC_COUNTS,
  TC_ENTRIES,
  TCACHE_STRUCT_SIZE,
  TE_KEY,
  TE_NEXT,
  TLS_TCACHE,
  TLS_TCACHE_SHUTTING_DOWN,
} from './layout.ts';
import type { Ptmalloc } from './state.ts';

/** The thread's tcache pointer (0 before tcache_init and after shutdown). */
export function tcacheOf(cpu: Cpu): number {
  return cpu.load(cpu.tls + TLS_TCACHE);
}

export function tcacheCount(cpu: Cpu, tc: number, idx: number): number {
  return cpu.load(tc + TC_COUNTS + idx * 2, 2);
}

/** tc_idx < mp_.tcache_bins. */
export function tcacheBinUsable(m: Ptmalloc, cpu: Cpu, idx: number): boolean {
  return idx < m.mpGet(cpu, MP_TCACHE_BINS);
}

/** counts[idx] < mp_.tcache_count. */
export function tcacheHasRoom(m: Ptmalloc, cpu: Cpu, tc: number, idx: number): boolean {
  return tcacheCount(cpu, tc, idx) < m.mpGet(cpu, MP_TCACHE_COUNT);
}

/** tcache_put (M:3169): key, safe-linked next, head, count. */
export function tcachePut(m: Ptmalloc, cpu: Cpu, tc: number, chunk: number, idx: number): void {
  const e = chunk2mem(chunk);
  cpu.store(e + TE_KEY, cpu.load(m.g(G_TCACHE_KEY)), 8, ORIGIN_LINK);
  const slot = tc + TC_ENTRIES + idx * 8;
  cpu.store(e + TE_NEXT, protectPtr(e + TE_NEXT, cpu.load(slot)), 8, ORIGIN_LINK);
  cpu.store(slot, e);
  cpu.store(tc + TC_COUNTS + idx * 2, tcacheCount(cpu, tc, idx) + 1, 2);
  cpu.work(4);
}

/** tcache_get (M:3185): pops the head, clears its key. */
export function tcacheGet(cpu: Cpu, tc: number, idx: number): number {
  const slot = tc + TC_ENTRIES + idx * 8;
  const e = cpu.load(slot);
  if (misaligned(e)) malloc_printerr('malloc(): unaligned tcache chunk detected', e);
  cpu.store(slot, protectPtr(e + TE_NEXT, cpu.load(e + TE_NEXT, 8, ORIGIN_LINK)));
  cpu.store(tc + TC_COUNTS + idx * 2, tcacheCount(cpu, tc, idx) - 1, 2);
  cpu.store(e + TE_KEY, 0, 8, ORIGIN_LINK);
  cpu.work(4);
  return e;
}

/**
 * The double-free test of _int_free (M:4449-4475): a chunk whose key word equals tcache_key is
 * looked for in this thread's bin (at most tcache_count steps); found means a double free. A
 * coincidental match costs the walk and nothing else.
 */
export function tcacheDoubleFreeCheck(m: Ptmalloc, cpu: Cpu, tc: number, p: number, idx: number): void {
  const e = chunk2mem(p);
  if (cpu.load(e + TE_KEY, 8, ORIGIN_LINK) !== cpu.load(m.g(G_TCACHE_KEY))) return;
  m.count('tcacheKeyMatches');
  const limit = m.mpGet(cpu, MP_TCACHE_COUNT);
  let cnt = 0;
  for (let tmp = cpu.load(tc + TC_ENTRIES + idx * 8); tmp !== 0; cnt++) {
    if (cnt >= limit) malloc_printerr('free(): too many chunks detected in tcache', p);
    if (misaligned(tmp)) malloc_printerr('free(): unaligned chunk detected in tcache 2', tmp);
    if (tmp === e) malloc_printerr('free(): double free detected in tcache 2', e);
    tmp = protectPtr(tmp + TE_NEXT, cpu.load(tmp + TE_NEXT, 8, ORIGIN_LINK));
  }
}

/**
 * tcache_init (M:3229): allocates the struct through the thread's arena (arena_get, _int_malloc,
 * arena_get_retry on failure, unlock) and zeroes it. MAYBE_INIT_TCACHE calls it whenever the pointer is NULL and the thread
 * is not shutting down.
 */
export function maybeInitTcache(m: Ptmalloc, cpu: Cpu): void {
  if (tcacheOf(cpu) !== 0 || cpu.load(cpu.tls + TLS_TCACHE_SHUTTING_DOWN, 1) !== 0) return;
  m.path(cpu, 'tcache_init');
  m.count('tcacheInit');
  const victim = intMallocLocked(m, cpu, arenaGet(m, cpu, TCACHE_STRUCT_SIZE), TCACHE_STRUCT_SIZE);
  if (victim !== 0) {
    cpu.store(cpu.tls + TLS_TCACHE, victim);
    cpu.fill(victim, TCACHE_STRUCT_SIZE, 0, ORIGIN_META);
  }
}

/**
 * tcache_thread_shutdown (M:3197): disables the tcache, frees every cached chunk back to its
 * arena (through free, which no longer sees a tcache) and then the struct itself.
 */
export function tcacheThreadShutdown(m: Ptmalloc, cpu: Cpu): void {
  const tc = tcacheOf(cpu);
  cpu.store(cpu.tls + TLS_TCACHE_SHUTTING_DOWN, 1, 1);
  if (tc === 0) return;
  cpu.store(cpu.tls + TLS_TCACHE, 0);
  for (let i = 0; i < TCACHE_MAX_BINS; i++) {
    const slot = tc + TC_ENTRIES + i * 8;
    for (let e = cpu.load(slot); e !== 0; e = cpu.load(slot)) {
      if (misaligned(e)) malloc_printerr('tcache_thread_shutdown(): unaligned tcache chunk detected', e);
      cpu.store(slot, protectPtr(e + TE_NEXT, cpu.load(e + TE_NEXT, 8, ORIGIN_LINK)));
      libcFree(m, cpu, e);
      m.count('tcacheShutdownFrees');
    }
  }
  libcFree(m, cpu, tc);
}
