/**
 * Getting memory from the system and giving it back (malloc.c M:2413-3060): sysmalloc (mmap a
 * request at or above the mmap threshold; else grow top: sbrk for the main arena, grow_heap or a
 * new heap for the others), sysmalloc_mmap, the brk-failure fallback, systrim (sbrk(-n) of top
 * beyond top_pad), munmap_chunk and mremap_chunk.
 */
import type { Cpu } from '../../machine/cpu.ts';
import {
  CHUNK_HDR_SZ,
  IS_MMAPPED,
  MALLOC_ALIGNMENT,
  MINSIZE,
  MMAP_AS_MORECORE_SIZE,
  NON_MAIN_ARENA,
  PAGESIZE,
  PREV_INUSE,
  SIZE_SZ,
  alignDown,
  alignUp,
} from './constants.ts';
import { chunk2mem, chunksize, prevSize, setFoot, setHead, setPrevSize } from './chunk.ts';
import { malloc_printerr } from './bins.ts';
import { heapForPtr } from './arena.ts';
import { growHeap, newHeap } from './heap.ts';
import { intFree } from './int-free.ts';
import { MAP_FAILED, MORECORE_FAILURE, morecore, tryMmap, tryMremap } from './os.ts';
import {
  AV_FLAGS,
  AV_MAX_SYSTEM_MEM,
  AV_SYSTEM_MEM,
  AV_TOP,
  HEAP_INFO_SIZE,
  HI_AR_PTR,
  HI_PREV,
  HI_SIZE,
  MP_MAX_MMAPPED_MEM,
  MP_MAX_N_MMAPS,
  MP_MMAP_THRESHOLD,
  MP_MMAPPED_MEM,
  MP_N_MMAPS,
  MP_N_MMAPS_MAX,
  MP_SBRK_BASE,
  MP_TOP_PAD,
  NONCONTIGUOUS_BIT,
} from './layout.ts';
import type { Ptmalloc } from './state.ts';

const contiguous = (cpu: Cpu, av: number): boolean => (cpu.load(av + AV_FLAGS, 4) & NONCONTIGUOUS_BIT) === 0;

/** atomic_max: a CAS loop raising a statistic. */
function atomicMax(cpu: Cpu, addr: number, v: number, size: 4 | 8): void {
  for (let cur = cpu.atomicLoad(addr, size); v > cur; cur = cpu.atomicLoad(addr, size)) {
    if (cpu.cas(addr, cur, v, size)) return;
  }
}

/** sysmalloc_mmap (M:2414): a page-rounded mapping of its own, head IS_MMAPPED, prev_size 0. */
function sysmallocMmap(m: Ptmalloc, cpu: Cpu, nb: number): number {
  m.path(cpu, 'sysmalloc_mmap');
  const size = alignUp(nb + SIZE_SZ, PAGESIZE); // MALLOC_ALIGNMENT == CHUNK_HDR_SZ: no front misalignment
  const mm = tryMmap(cpu, size, { name: 'glibc:mmapped chunk' });
  if (mm === MAP_FAILED) return MAP_FAILED;
  setPrevSize(cpu, mm, 0);
  setHead(cpu, mm, size + IS_MMAPPED);
  const n = cpu.fetchAdd(m.mp + MP_N_MMAPS, 1, 4) + 1;
  atomicMax(cpu, m.mp + MP_MAX_N_MMAPS, n, 4);
  const sum = cpu.fetchAdd(m.mp + MP_MMAPPED_MEM, size) + size;
  atomicMax(cpu, m.mp + MP_MAX_MMAPPED_MEM, sum, 8);
  m.count('mmappedChunks');
  return chunk2mem(mm);
}

/**
 * sysmalloc (M:2541): returns the user pointer of an nb-byte chunk, or 0 (ENOMEM). `av` 0 means
 * no usable arena: mmap only.
 */
export function sysmalloc(m: Ptmalloc, cpu: Cpu, nb: number, av: number): number {
  m.path(cpu, 'sysmalloc');
  m.count('sysmalloc');
  let triedMmap = false;
  if (av === 0 || (nb >= m.mpGet(cpu, MP_MMAP_THRESHOLD) && m.mpGet(cpu, MP_N_MMAPS, 4) < m.mpGet(cpu, MP_N_MMAPS_MAX, 4))) {
    const mm = sysmallocMmap(m, cpu, nb);
    if (mm !== MAP_FAILED) return mm;
    triedMmap = true;
  }
  if (av === 0) return 0;
  if (av !== m.mainArena) {
    const mm = growNonMainTop(m, cpu, nb, av, triedMmap);
    if (mm !== 0) return mm;
  } else {
    growMainTop(m, cpu, nb, av);
  }
  if (cpu.load(av + AV_SYSTEM_MEM) > cpu.load(av + AV_MAX_SYSTEM_MEM)) cpu.store(av + AV_MAX_SYSTEM_MEM, cpu.load(av + AV_SYSTEM_MEM));
  // Finally, do the allocation from the (grown) top.
  const p = cpu.load(av + AV_TOP);
  const size = chunksize(cpu, p);
  if (size >= nb + MINSIZE) {
    const remainder = p + nb;
    cpu.store(av + AV_TOP, remainder);
    setHead(cpu, p, nb + PREV_INUSE + (av !== m.mainArena ? NON_MAIN_ARENA : 0));
    setHead(cpu, remainder, size - nb + PREV_INUSE);
    return chunk2mem(p);
  }
  m.count('outOfMemory');
  return 0;
}

/**
 * A thread arena's top grows inside its heap (grow_heap: mprotect past the high-water mark, no
 * top_pad); when the heap is full a new 64 MiB-aligned heap takes over and the old top is freed
 * behind two fenceposts. Returns a user pointer only when it had to fall back to mmap.
 */
function growNonMainTop(m: Ptmalloc, cpu: Cpu, nb: number, av: number, triedMmap: boolean): number {
  const oldTop = cpu.load(av + AV_TOP);
  let oldSize = chunksize(cpu, oldTop);
  const oldHeap = heapForPtr(oldTop);
  const oldHeapSize = cpu.load(oldHeap + HI_SIZE);
  if (MINSIZE + nb - oldSize > 0 && growHeap(m, cpu, oldHeap, MINSIZE + nb - oldSize) === 0) {
    const hs = cpu.load(oldHeap + HI_SIZE);
    cpu.store(av + AV_SYSTEM_MEM, cpu.load(av + AV_SYSTEM_MEM) + hs - oldHeapSize);
    setHead(cpu, oldTop, oldHeap + hs - oldTop + PREV_INUSE);
    return 0;
  }
  const heap = newHeap(m, cpu, nb + MINSIZE + HEAP_INFO_SIZE, m.mpGet(cpu, MP_TOP_PAD));
  if (heap !== 0) {
    m.count('heapsAdded');
    cpu.store(heap + HI_AR_PTR, av);
    cpu.store(heap + HI_PREV, oldHeap);
    const hs = cpu.load(heap + HI_SIZE);
    cpu.store(av + AV_SYSTEM_MEM, cpu.load(av + AV_SYSTEM_MEM) + hs);
    const top = heap + HEAP_INFO_SIZE;
    cpu.store(av + AV_TOP, top);
    setHead(cpu, top, hs - HEAP_INFO_SIZE + PREV_INUSE);
    // Fenceposts (at least MINSIZE, as the space may become top again), then free the old top.
    oldSize = alignDown(oldSize - MINSIZE, MALLOC_ALIGNMENT);
    setHead(cpu, oldTop + oldSize + CHUNK_HDR_SZ, 0 + PREV_INUSE);
    if (oldSize >= MINSIZE) {
      setHead(cpu, oldTop + oldSize, CHUNK_HDR_SZ + PREV_INUSE);
      setFoot(cpu, oldTop + oldSize, CHUNK_HDR_SZ);
      setHead(cpu, oldTop, oldSize + PREV_INUSE + NON_MAIN_ARENA);
      intFree(m, cpu, av, oldTop, true);
    } else {
      setHead(cpu, oldTop, oldSize + CHUNK_HDR_SZ + PREV_INUSE);
      setFoot(cpu, oldTop, oldSize + CHUNK_HDR_SZ);
    }
    m.path(cpu, 'sysmalloc');
    return 0;
  }
  if (!triedMmap) {
    const mm = sysmallocMmap(m, cpu, nb);
    if (mm !== MAP_FAILED) return mm;
  }
  return 0;
}

/** sysmalloc_mmap_fallback (M:2502): when brk fails, an mmap of at least 1 MiB; the arena becomes non-contiguous. */
function mmapFallback(cpu: Cpu, av: number, size: number, nb: number, oldSize: number): { brk: number; size: number } {
  let s = size;
  if (contiguous(cpu, av)) s = alignUp(s + oldSize, PAGESIZE);
  if (s < MMAP_AS_MORECORE_SIZE) s = MMAP_AS_MORECORE_SIZE;
  if (s <= nb) return { brk: MORECORE_FAILURE, size };
  const mbrk = tryMmap(cpu, s, { name: 'glibc:mmap as morecore' });
  if (mbrk === MAP_FAILED) return { brk: MORECORE_FAILURE, size };
  cpu.store(av + AV_FLAGS, cpu.load(av + AV_FLAGS, 4) | NONCONTIGUOUS_BIT, 4);
  return { brk: mbrk, size: s };
}

/**
 * The main arena grows by sbrk(nb + top_pad + MINSIZE - old top), page-rounded; contiguous growth
 * extends the old top. The first call (and any non-contiguous space) sets up an aligned top, and
 * a foreign break puts fenceposts after the old top and frees it.
 */
function growMainTop(m: Ptmalloc, cpu: Cpu, nb: number, av: number): void {
  const oldTop = cpu.load(av + AV_TOP);
  let oldSize = chunksize(cpu, oldTop);
  const oldEnd = oldTop + oldSize;
  let size = nb + m.mpGet(cpu, MP_TOP_PAD) + MINSIZE;
  if (contiguous(cpu, av)) size -= oldSize;
  size = alignUp(size, PAGESIZE);
  let brk = size > 0 ? morecore(m, cpu, size) : MORECORE_FAILURE;
  let sndBrk = MORECORE_FAILURE;
  if (brk === MORECORE_FAILURE) {
    const f = mmapFallback(cpu, av, size, nb, oldSize);
    if (f.brk !== MORECORE_FAILURE) {
      brk = f.brk;
      size = f.size;
      sndBrk = brk + size;
    }
  }
  if (brk === MORECORE_FAILURE) return;
  m.count('brkGrowths');
  if (m.mpGet(cpu, MP_SBRK_BASE) === 0) m.mpSet(cpu, MP_SBRK_BASE, brk);
  const addSystemMem = (n: number): void => cpu.store(av + AV_SYSTEM_MEM, cpu.load(av + AV_SYSTEM_MEM) + n);
  addSystemMem(size);
  if (brk === oldEnd && sndBrk === MORECORE_FAILURE) {
    setHead(cpu, oldTop, size + oldSize + PREV_INUSE);
    return;
  }
  if (contiguous(cpu, av) && oldSize !== 0 && brk < oldEnd) malloc_printerr('break adjusted to free malloc space', brk);
  let correction = 0;
  let alignedBrk = brk;
  if (contiguous(cpu, av)) {
    if (oldSize !== 0) addSystemMem(brk - oldEnd); // count foreign sbrk as system_mem
    const frontMisalign = chunk2mem(brk) % MALLOC_ALIGNMENT;
    if (frontMisalign > 0) {
      correction = MALLOC_ALIGNMENT - frontMisalign;
      alignedBrk += correction;
    }
    correction += oldSize;
    const endMisalign = brk + size + correction;
    correction += alignUp(endMisalign, PAGESIZE) - endMisalign;
    sndBrk = morecore(m, cpu, correction);
    if (sndBrk === MORECORE_FAILURE) {
      correction = 0;
      sndBrk = morecore(m, cpu, 0);
    }
  } else if (sndBrk === MORECORE_FAILURE) {
    sndBrk = morecore(m, cpu, 0);
  }
  if (sndBrk === MORECORE_FAILURE) return;
  cpu.store(av + AV_TOP, alignedBrk);
  setHead(cpu, alignedBrk, sndBrk - alignedBrk + correction + PREV_INUSE);
  addSystemMem(correction);
  if (oldSize !== 0) {
    // Double fencepost at the old top, so nothing coalesces with space we do not own.
    oldSize = alignDown(oldSize - 2 * CHUNK_HDR_SZ, MALLOC_ALIGNMENT);
    setHead(cpu, oldTop, oldSize + PREV_INUSE);
    setHead(cpu, oldTop + oldSize, CHUNK_HDR_SZ + PREV_INUSE);
    setHead(cpu, oldTop + oldSize + CHUNK_HDR_SZ, CHUNK_HDR_SZ + PREV_INUSE);
    if (oldSize >= MINSIZE) intFree(m, cpu, av, oldTop, true);
  }
}

/**
 * systrim (M:2971): gives back, by sbrk(-n), the whole pages of top beyond pad + MINSIZE, if the
 * break is still where malloc left it. Returns whether anything was released.
 */
export function systrim(m: Ptmalloc, cpu: Cpu, pad: number, av: number): boolean {
  m.path(cpu, 'systrim');
  const top = cpu.load(av + AV_TOP);
  const topSize = chunksize(cpu, top);
  const topArea = topSize - MINSIZE - 1;
  if (topArea <= pad) return false;
  const extra = alignDown(topArea - pad, PAGESIZE);
  if (extra === 0) return false;
  const currentBrk = morecore(m, cpu, 0);
  if (currentBrk !== top + topSize) return false;
  morecore(m, cpu, -extra);
  const newBrk = morecore(m, cpu, 0);
  if (newBrk === MORECORE_FAILURE) return false;
  const released = currentBrk - newBrk;
  if (released === 0) return false;
  cpu.store(av + AV_SYSTEM_MEM, cpu.load(av + AV_SYSTEM_MEM) - released);
  setHead(cpu, top, topSize - released + PREV_INUSE);
  m.count('systrims');
  m.count('systrimBytes', released);
  return true;
}

/** The mapping of an mmapped chunk (its start, its length), checked as munmap_chunk and mremap_chunk do. */
function mappingOf(cpu: Cpu, p: number, what: string): { block: number; total: number; off: number; size: number } {
  const size = chunksize(cpu, p);
  const off = prevSize(cpu, p);
  const mem = chunk2mem(p);
  const block = p - off;
  const total = off + size;
  const inPage = mem % PAGESIZE;
  if (block % PAGESIZE !== 0 || total % PAGESIZE !== 0 || (inPage & (inPage - 1)) !== 0) malloc_printerr(what, mem);
  return { block, total, off, size };
}

/**
 * mremap_chunk (M:3068): resizes an mmapped chunk with mremap(MREMAP_MAYMOVE) to the page-rounded
 * nb + offset + 8; nothing happens when the page count is unchanged. Returns the chunk or 0.
 */
export function mremapChunk(m: Ptmalloc, cpu: Cpu, p: number, nb: number): number {
  m.path(cpu, 'mremap_chunk');
  const { block, total, off, size } = mappingOf(cpu, p, 'mremap_chunk(): invalid pointer');
  const newSize = alignUp(nb + off + SIZE_SZ, PAGESIZE);
  if (total === newSize) return p;
  const cp = tryMremap(cpu, block, total, newSize);
  if (cp === MAP_FAILED) return 0;
  m.count('mremappedChunks');
  const np = cp + off;
  setHead(cpu, np, newSize - off + IS_MMAPPED);
  const now = cpu.fetchAdd(m.mp + MP_MMAPPED_MEM, newSize - size - off) + newSize - size - off;
  atomicMax(cpu, m.mp + MP_MAX_MMAPPED_MEM, now, 8);
  return np;
}

/** munmap_chunk (M:3037): checks the mapping's alignment, updates mp_ with atomics, munmaps. */
export function munmapChunk(m: Ptmalloc, cpu: Cpu, p: number): void {
  m.path(cpu, 'munmap_chunk');
  const { block, total } = mappingOf(cpu, p, 'munmap_chunk(): invalid pointer');
  cpu.fetchAdd(m.mp + MP_N_MMAPS, -1, 4);
  cpu.fetchAdd(m.mp + MP_MMAPPED_MEM, -total);
  cpu.munmap(block, total);
  m.count('munmappedChunks');
}
