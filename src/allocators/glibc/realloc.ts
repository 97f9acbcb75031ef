/**
 * __libc_realloc and _int_realloc (malloc.c M:3393-3511, M:4812-4905): realloc(p, 0) frees;
 * a heap chunk (arena locked) shrinks in place, grows into top or into a free next chunk, or moves
 * (_int_malloc, memcpy, _int_free, with no copy when the new chunk is the old one's neighbour); the
 * split-off tail is freed and may land in the tcache.
 * An mmapped chunk is resized with mremap_chunk (HAVE_MREMAP on Linux), falling back to keeping
 * it if it is big enough, or malloc, copy, munmap.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { ORIGIN_APP } from '../../machine/cache-hierarchy.ts';
import {
  CHUNK_HDR_SZ,
  MALLOC_ALIGN_MASK,
  MINSIZE,
  NON_MAIN_ARENA,
  PREV_INUSE,
  SIZE_SZ,
  checkedRequest2size,
  sizeOf,
  wrapsAround,
} from './constants.ts';
import { chunk2mem, chunksize, head, inuse, isMmapped, mem2chunk, misaligned, setHead, setHeadSize, setInuseBitAtOffset } from './chunk.ts';
import { malloc_printerr, unlinkChunk } from './bins.ts';
import { arenaForChunk, ptmallocInit } from './arena.ts';
import { intFree } from './int-free.ts';
import { intMalloc } from './int-malloc.ts';
import { libcFree, libcMalloc } from './malloc.ts';
import { mremapChunk, munmapChunk } from './sysmalloc.ts';
import { maybeInitTcache } from './tcache.ts';
import { AV_MUTEX, AV_SYSTEM_MEM, AV_TOP } from './layout.ts';
import type { Ptmalloc } from './state.ts';

/** __libc_realloc. */
export function libcRealloc(m: Ptmalloc, cpu: Cpu, oldmem: number, bytes: number): number {
  ptmallocInit(m, cpu);
  if (bytes === 0 && oldmem !== 0) {
    libcFree(m, cpu, oldmem); // REALLOC_ZERO_BYTES_FREES
    return 0;
  }
  if (oldmem === 0) return libcMalloc(m, cpu, bytes);
  const oldp = mem2chunk(oldmem);
  const h = head(cpu, oldp);
  const oldsize = sizeOf(h);
  let av = 0;
  if (!isMmapped(h)) {
    maybeInitTcache(m, cpu);
    av = arenaForChunk(m, cpu, oldp, h);
  }
  if (wrapsAround(oldp, oldsize) || misaligned(oldp)) malloc_printerr('realloc(): invalid pointer', oldmem);
  const nb = checkedRequest2size(bytes);
  if (nb === 0) return 0;
  if (isMmapped(h)) {
    const np = mremapChunk(m, cpu, oldp, nb);
    if (np !== 0) return chunk2mem(np);
    if (oldsize - SIZE_SZ >= nb) return oldmem; // do nothing
    const newmem = libcMalloc(m, cpu, bytes);
    if (newmem === 0) return 0;
    cpu.copy(newmem, oldmem, oldsize - CHUNK_HDR_SZ, ORIGIN_APP);
    munmapChunk(m, cpu, oldp);
    return newmem;
  }
  if (m.singleThread(cpu)) return intRealloc(m, cpu, av, oldp, oldsize, nb);
  cpu.lock(av + AV_MUTEX);
  let newp = intRealloc(m, cpu, av, oldp, oldsize, nb);
  cpu.unlock(av + AV_MUTEX);
  if (newp === 0) {
    // Try harder to allocate memory in other arenas.
    newp = libcMalloc(m, cpu, bytes);
    if (newp !== 0) {
      cpu.copy(newp, oldmem, oldsize - SIZE_SZ, ORIGIN_APP);
      intFree(m, cpu, av, oldp, false);
    }
  }
  return newp;
}

/** _int_realloc (M:4812), arena lock held. */
function intRealloc(m: Ptmalloc, cpu: Cpu, av: number, oldp: number, oldsize: number, nb: number): number {
  m.path(cpu, '_int_realloc');
  m.count('reallocs');
  const systemMem = cpu.load(av + AV_SYSTEM_MEM);
  if (head(cpu, oldp) <= CHUNK_HDR_SZ || oldsize >= systemMem) malloc_printerr('realloc(): invalid old size', chunk2mem(oldp));
  const next = oldp + oldsize;
  const nextsize = chunksize(cpu, next);
  if (head(cpu, next) <= CHUNK_HDR_SZ || nextsize >= systemMem) malloc_printerr('realloc(): invalid next size', chunk2mem(oldp));
  const abit = av !== m.mainArena ? NON_MAIN_ARENA : 0;
  let newp = oldp;
  let newsize = oldsize;
  if (oldsize < nb) {
    const top = cpu.load(av + AV_TOP);
    if (next === top && oldsize + nextsize >= nb + MINSIZE) {
      // Grow into top.
      newsize = oldsize + nextsize;
      setHeadSize(cpu, oldp, nb + abit);
      cpu.store(av + AV_TOP, oldp + nb);
      setHead(cpu, oldp + nb, newsize - nb + PREV_INUSE);
      m.count('reallocIntoTop');
      return chunk2mem(oldp);
    }
    if (next !== top && !inuse(cpu, next) && oldsize + nextsize >= nb) {
      newsize = oldsize + nextsize;
      unlinkChunk(cpu, next);
      m.count('reallocIntoNext');
    } else {
      const newmem = intMalloc(m, cpu, av, nb - MALLOC_ALIGN_MASK);
      if (newmem === 0) return 0;
      newp = mem2chunk(newmem);
      newsize = chunksize(cpu, newp);
      if (newp === next) {
        newsize += oldsize; // the new chunk is the old one's neighbour: no copy
        newp = oldp;
      } else {
        cpu.copy(newmem, chunk2mem(oldp), oldsize - SIZE_SZ, ORIGIN_APP);
        intFree(m, cpu, av, oldp, true);
        m.count('reallocMoved');
        return newmem;
      }
    }
  }
  const rs = newsize - nb;
  if (rs < MINSIZE) {
    setHeadSize(cpu, newp, newsize + abit);
    setInuseBitAtOffset(cpu, newp, newsize);
  } else {
    const remainder = newp + nb;
    setHeadSize(cpu, newp, nb + abit);
    setHead(cpu, remainder, rs + PREV_INUSE + abit);
    setInuseBitAtOffset(cpu, remainder, rs); // so free() does not complain
    intFree(m, cpu, av, remainder, true);
  }
  return chunk2mem(newp);
}
