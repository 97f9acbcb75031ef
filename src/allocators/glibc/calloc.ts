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
function dirtyTopBytes(m: Ptmalloc, cpu: Cpu, av: number, oldtop: number): number {
  let size = chunksize(cpu, oldtop);
  if (av === m.mainArena) {
    const hw = m.mpGet(cpu, MP_SBRK_BASE) + cpu.load(av + AV_MAX_SYSTEM_MEM) - oldtop;
    // Unsigned in glibc: before the first sbrk the difference is negative, i.e. huge.
    const limit = hw < 0 ? Number.MAX_SAFE_INTEGER : hw;
    if (size < limit) size = limit;
  } else {
    const limit = heapForPtr(oldtop) + cpu.load(heapForPtr(oldtop) + HI_MPROTECT_SIZE) - oldtop;
    if (size < limit) size = limit;
  }
  return size;
}

export function libcCalloc(m: Ptmalloc, cpu: Cpu, n: number, elemSize: number): number {
  const sz = n * elemSize;
  if (!Number.isSafeInteger(sz) || sz > REQUEST_MAX) return 0; // __builtin_mul_overflow into ptrdiff_t
  ptmallocInit(m, cpu);
  maybeInitTcache(m, cpu);
  const single = m.singleThread(cpu);
  const av = single ? m.mainArena : arenaGet(m, cpu, sz);
  let oldtop = 0;
  let oldtopsize = 0;
  if (av !== 0) {
    oldtop = cpu.load(av + AV_TOP);
    oldtopsize = dirtyTopBytes(m, cpu, av, oldtop);
  }
  const mem = single ? intMalloc(m, cpu, av, sz) : intMallocLocked(m, cpu, av, sz);
  if (mem === 0) return 0;
  const p = mem2chunk(mem);
  const pb = m.perturbByte(cpu);
  if (isMmapped(head(cpu, p))) {
    if (pb !== 0) cpu.fill(mem, sz, 0, ORIGIN_APP);
    m.count('callocClearSkipped');
    return mem;
  }
  let csz = chunksize(cpu, p);
  if (pb === 0 && p === oldtop && csz > oldtopsize) {
    m.count('callocClearShortened');
    csz = oldtopsize; // clear only the bytes that are not freshly sbrked
  }
  m.path(cpu, 'calloc_clear');
  cpu.fill(mem, csz - SIZE_SZ, 0, ORIGIN_APP);
  return mem;
}
