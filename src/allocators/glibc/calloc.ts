/**
 * __libc_calloc (malloc.c M:3618-3760): no tcache in 2.36; the arena is locked even for small
 * requests; mmapped chunks are not cleared, and a chunk carved from top is cleared only below the
 * memory's high-water mark (sbrk_base + max_system_mem for the main arena, the heap's
 * mprotect_size for the others), because fresh memory from the kernel is already zero
 * (MORECORE_CLEARS).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { ORIGIN_APP } from '../../machine/cache-hierarchy.ts';
import { REQUEST_MAX, SIZE_SZ } from './constants.ts';
import { chunksize, head, isMmapped, mem2chunk } from './chunk.ts';
import { arenaGet, heapForPtr, ptmallocInit } from './arena.ts';
import { intMalloc, intMallocLocked } from './int-malloc.ts';
import { maybeInitTcache } from './tcache.ts';
import { AV_MAX_SYSTEM_MEM, AV_TOP, HI_MPROTECT_SIZE, MP_SBRK_BASE } from './layout.ts';
import type { Ptmalloc } from './state.ts';

/** The bytes of top (from its start) that may hold old data: memory above them is fresh and zero. */
function dirtyTopBytes(m: Ptmalloc, c: Cpu, av: number, oldtop: number): number {
  let size = chunksize(c, oldtop);
  if (av === m.mainArena) {
    const hw = m.mpGet(c, MP_SBRK_BASE) + c.load(av + AV_MAX_SYSTEM_MEM) - oldtop;
    // Unsigned in glibc: before the first sbrk the difference is negative, i.e. huge.
    const limit = hw < 0 ? Number.MAX_SAFE_INTEGER : hw;
    if (size < limit) size = limit;
  } else {
    const limit = heapForPtr(oldtop) + c.load(heapForPtr(oldtop) + HI_MPROTECT_SIZE) - oldtop;
    if (size < limit) size = limit;
  }
  return size;
}

export function libcCalloc(m: Ptmalloc, c: Cpu, n: number, elemSize: number): number {
  const sz = n * elemSize;
  if (!Number.isSafeInteger(sz) || sz > REQUEST_MAX) return 0; // __builtin_mul_overflow into ptrdiff_t
  ptmallocInit(m, c);
  maybeInitTcache(m, c);
  const single = m.singleThread(c);
  const av = single ? m.mainArena : arenaGet(m, c, sz);
  let oldtop = 0;
  let oldtopsize = 0;
  if (av !== 0) {
    oldtop = c.load(av + AV_TOP);
    oldtopsize = dirtyTopBytes(m, c, av, oldtop);
  }
  const mem = single ? intMalloc(m, c, av, sz) : intMallocLocked(m, c, av, sz);
  if (mem === 0) return 0;
  const p = mem2chunk(mem);
  const pb = m.perturbByte(c);
  if (isMmapped(head(c, p))) {
    if (pb !== 0) c.fill(mem, sz, 0, ORIGIN_APP);
    m.count('callocClearSkipped');
    return mem;
  }
  let csz = chunksize(c, p);
  if (pb === 0 && p === oldtop && csz > oldtopsize) {
    m.count('callocClearShortened');
    csz = oldtopsize; // clear only the bytes that are not freshly sbrked
  }
  m.path(c, 'calloc_clear');
  c.fill(mem, csz - SIZE_SZ, 0, ORIGIN_APP);
  return mem;
}
