/**
 * _mid_memalign and _int_memalign (malloc.c M:3524-3600, M:4936-5030), behind
 * memalign/posix_memalign/aligned_alloc: alignment up to 16 is plain malloc; otherwise it is
 * rounded to a power of two of at least MINSIZE, _int_malloc(nb + alignment + MINSIZE) is called,
 * and the leading and trailing pieces are freed with _int_free (they may land in the tcache or a
 * fastbin). 2.36 does not look in the tcache for an aligned request.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { IS_MMAPPED, MALLOC_ALIGNMENT, MINSIZE, NON_MAIN_ARENA, PREV_INUSE, alignUp, checkedRequest2size } from './constants.ts';
import {
  chunk2mem,
  chunksize,
  head,
  isMmapped,
  mem2chunk,
  prevSize,
  setHead,
  setHeadSize,
  setInuseBitAtOffset,
  setPrevSize,
} from './chunk.ts';
import { arenaGet, arenaGetRetry } from './arena.ts';
import { intFree } from './int-free.ts';
import { intMalloc } from './int-malloc.ts';
import { libcMalloc } from './malloc.ts';
import { AV_MUTEX } from './layout.ts';
import type { Ptmalloc } from './state.ts';

/** _mid_memalign. */
export function midMemalign(m: Ptmalloc, cpu: Cpu, align: number, bytes: number): number {
  if (align <= MALLOC_ALIGNMENT) return libcMalloc(m, cpu, bytes);
  let alignment = Math.max(align, MINSIZE);
  if ((alignment & (alignment - 1)) !== 0) {
    let a = MALLOC_ALIGNMENT * 2;
    while (a < alignment) a *= 2;
    alignment = a;
  }
  if (m.singleThread(cpu)) return intMemalign(m, cpu, m.mainArena, alignment, bytes);
  let av = arenaGet(m, cpu, bytes + alignment + MINSIZE);
  let p = intMemalign(m, cpu, av, alignment, bytes);
  if (p === 0 && av !== 0) {
    av = arenaGetRetry(m, cpu, av, bytes);
    p = intMemalign(m, cpu, av, alignment, bytes);
  }
  if (av !== 0) cpu.unlock(av + AV_MUTEX);
  return p;
}

/** _int_memalign (M:4936), arena lock held. */
function intMemalign(m: Ptmalloc, cpu: Cpu, av: number, alignment: number, bytes: number): number {
  const nb = checkedRequest2size(bytes);
  if (nb === 0) return 0;
  const mem = intMalloc(m, cpu, av, nb + alignment + MINSIZE);
  if (mem === 0) return 0;
  m.path(cpu, '_int_memalign');
  m.count('memaligns');
  const abit = av !== m.mainArena ? NON_MAIN_ARENA : 0;
  let p = mem2chunk(mem);
  if (mem % alignment !== 0) {
    // The first aligned spot with room for a MINSIZE leader; the leader is given back.
    let brk = mem2chunk(alignUp(mem, alignment));
    if (brk - p < MINSIZE) brk += alignment;
    const newp = brk;
    const leadsize = brk - p;
    const newsize = chunksize(cpu, p) - leadsize;
    if (isMmapped(head(cpu, p))) {
      setPrevSize(cpu, newp, prevSize(cpu, p) + leadsize);
      setHead(cpu, newp, newsize + IS_MMAPPED);
      return chunk2mem(newp);
    }
    setHead(cpu, newp, newsize + PREV_INUSE + abit);
    setInuseBitAtOffset(cpu, newp, newsize);
    setHeadSize(cpu, p, leadsize + abit);
    intFree(m, cpu, av, p, true);
    p = newp;
  }
  if (!isMmapped(head(cpu, p))) {
    const size = chunksize(cpu, p);
    if (size > nb + MINSIZE) {
      const remainder = p + nb;
      setHead(cpu, remainder, size - nb + PREV_INUSE + abit);
      setHeadSize(cpu, p, nb);
      intFree(m, cpu, av, remainder, true);
    }
  }
  return chunk2mem(p);
}
