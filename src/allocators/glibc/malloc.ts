/**
 * The public entry points __libc_malloc and __libc_free (malloc.c M:3280-3390): the tcache first,
 * with no lock; then _int_malloc on the caller's arena (no lock while single-threaded), or, for
 * free, the dynamic mmap threshold and munmap for mmapped chunks and _int_free on the chunk's
 * owning arena (which may be another thread's) for the rest.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { DEFAULT_MMAP_THRESHOLD_MAX, checkedRequest2size, csize2tidx, sizeOf } from './constants.ts';
import { headUnlocked, isMmapped, mem2chunk } from './chunk.ts';
import { arenaForChunk, arenaGet, ptmallocInit } from './arena.ts';
import { intFree } from './int-free.ts';
import { intMalloc, intMallocLocked } from './int-malloc.ts';
import { munmapChunk } from './sysmalloc.ts';
import { maybeInitTcache, tcacheBinUsable, tcacheCount, tcacheGet, tcacheOf } from './tcache.ts';
import { MP_MMAP_THRESHOLD, MP_NO_DYN_THRESHOLD, MP_TRIM_THRESHOLD } from './layout.ts';
import type { Ptmalloc } from './state.ts';

/** __libc_malloc. */
export function libcMalloc(m: Ptmalloc, cpu: Cpu, bytes: number): number {
  ptmallocInit(m, cpu);
  const tbytes = checkedRequest2size(bytes);
  if (tbytes === 0) return 0;
  const tcIdx = csize2tidx(tbytes);
  maybeInitTcache(m, cpu);
  cpu.work(6);
  const tc = tcacheOf(cpu);
  if (tcacheBinUsable(m, cpu, tcIdx) && tc !== 0 && tcacheCount(cpu, tc, tcIdx) > 0) {
    m.path(cpu, 'tcache_get');
    m.count('mallocTcache');
    return tcacheGet(cpu, tc, tcIdx);
  }
  if (m.singleThread(cpu)) return intMalloc(m, cpu, m.mainArena, bytes);
  return intMallocLocked(m, cpu, arenaGet(m, cpu, bytes), bytes);
}

/** __libc_free. */
export function libcFree(m: Ptmalloc, cpu: Cpu, mem: number): void {
  if (mem === 0) return;
  const p = mem2chunk(mem);
  const h = headUnlocked(cpu, p);
  if (isMmapped(h)) {
    // The dynamic threshold (M:3363): compares the raw size word, IS_MMAPPED bit included.
    if (m.mpGet(cpu, MP_NO_DYN_THRESHOLD, 4) === 0 && h > m.mpGet(cpu, MP_MMAP_THRESHOLD) && h <= DEFAULT_MMAP_THRESHOLD_MAX) {
      m.mpSet(cpu, MP_MMAP_THRESHOLD, sizeOf(h));
      m.mpSet(cpu, MP_TRIM_THRESHOLD, 2 * sizeOf(h));
      m.count('mmapThresholdRaised');
      m.counters.set('mmapThresholdBytes', sizeOf(h));
    }
    munmapChunk(m, cpu, p);
    return;
  }
  maybeInitTcache(m, cpu);
  intFree(m, cpu, arenaForChunk(m, cpu, p, h), p, false);
}
