/**
 * The heaps of non-main arenas (malloc/arena.c A:470-720): alloc_new_heap reserves HEAP_MAX_SIZE
 * (64 MiB) aligned to its own size, PROT_NONE and MAP_NORESERVE, and makes the first part
 * read-write; grow_heap mprotects more as top needs it; shrink_heap gives back the tail with
 * madvise(MADV_DONTNEED) (or a PROT_NONE remap under vm.overcommit_memory=2); heap_trim unmaps
 * whole empty heaps and shrinks the newest one past the trim threshold.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { PROT_NONE, PROT_RW } from '../../machine/page-table.ts';
import { HEAP_MAX_SIZE, HEAP_MIN_SIZE, MALLOC_ALIGNMENT, MINSIZE, PAGESIZE, PREV_INUSE, SIZE_SZ, alignDown, alignUp } from './constants.ts';
import { chunksize, head, prevInuse, prevSize, setHead } from './chunk.ts';
import { unlinkChunk } from './bins.ts';
import { MAP_FAILED, tryMmap } from './os.ts';
import {
  AV_SYSTEM_MEM,
  AV_TOP,
  G_ALIGNED_HEAP_AREA,
  G_MAY_SHRINK_HEAP,
  HEAP_INFO_SIZE,
  HI_AR_PTR,
  HI_MPROTECT_SIZE,
  HI_PAGESIZE,
  HI_PREV,
  HI_SIZE,
  MP_TRIM_THRESHOLD,
} from './layout.ts';
import type { Ptmalloc } from './state.ts';

const reserve = (cpu: Cpu, len: number): number => tryMmap(cpu, len, { prot: PROT_NONE, noreserve: true, name: 'glibc:heap' });

/**
 * alloc_new_heap (A:482): the heap size (top_pad included, at least HEAP_MIN_SIZE), a reservation
 * aligned to HEAP_MAX_SIZE (the 2 x HEAP_MAX_SIZE trick, remembering the upper half for next
 * time), and mprotect of the first `size` bytes. Returns the heap_info address or 0.
 */
export function newHeap(m: Ptmalloc, cpu: Cpu, request: number, topPad: number): number {
  let size = request;
  if (size + topPad < HEAP_MIN_SIZE) size = HEAP_MIN_SIZE;
  else if (size + topPad <= HEAP_MAX_SIZE) size += topPad;
  else if (size > HEAP_MAX_SIZE) return 0;
  else size = HEAP_MAX_SIZE;
  size = alignUp(size, PAGESIZE);
  const max = HEAP_MAX_SIZE;
  let p2 = MAP_FAILED;
  if (cpu.load(m.g(G_ALIGNED_HEAP_AREA)) !== 0) {
    // glibc passes aligned_heap_area as a hint; the simulated kernel places mappings top-down,
    // which lands on that area when it is still the highest free one.
    p2 = reserve(cpu, max);
    cpu.store(m.g(G_ALIGNED_HEAP_AREA), 0);
    if (p2 !== MAP_FAILED && p2 % max !== 0) {
      cpu.munmap(p2, max);
      p2 = MAP_FAILED;
    }
  }
  if (p2 === MAP_FAILED) {
    const p1 = reserve(cpu, max * 2);
    if (p1 !== MAP_FAILED) {
      p2 = alignUp(p1, max);
      const ul = p2 - p1;
      if (ul !== 0) cpu.munmap(p1, ul);
      else cpu.store(m.g(G_ALIGNED_HEAP_AREA), p2 + max);
      cpu.munmap(p2 + max, max - ul);
    } else {
      p2 = reserve(cpu, max);
      if (p2 === MAP_FAILED) return 0;
      if (p2 % max !== 0) {
        cpu.munmap(p2, max);
        return 0;
      }
    }
  }
  cpu.mprotect(p2, size, PROT_RW);
  cpu.store(p2 + HI_SIZE, size);
  cpu.store(p2 + HI_MPROTECT_SIZE, size);
  cpu.store(p2 + HI_PAGESIZE, PAGESIZE);
  m.count('heapsCreated');
  return p2;
}

/** grow_heap (A:583): mprotect beyond the high-water mark (one call per growth past it). */
export function growHeap(m: Ptmalloc, cpu: Cpu, h: number, diff: number): number {
  const pagesize = cpu.load(h + HI_PAGESIZE);
  const newSize = cpu.load(h + HI_SIZE) + alignUp(diff, pagesize);
  if (newSize > HEAP_MAX_SIZE) return -1;
  const mprotectSize = cpu.load(h + HI_MPROTECT_SIZE);
  if (newSize > mprotectSize) {
    cpu.mprotect(h + mprotectSize, newSize - mprotectSize, PROT_RW);
    cpu.store(h + HI_MPROTECT_SIZE, newSize);
    m.count('heapMprotects');
  }
  cpu.store(h + HI_SIZE, newSize);
  return 0;
}

/** shrink_heap (A:616): madvise(MADV_DONTNEED) the tail, or remap it PROT_NONE when overcommit is strict. */
function shrinkHeap(m: Ptmalloc, cpu: Cpu, h: number, diff: number): number {
  const newSize = cpu.load(h + HI_SIZE) - diff;
  if (newSize < HEAP_INFO_SIZE) return -1;
  if (cpu.load(m.g(G_MAY_SHRINK_HEAP), 4) !== 0) {
    cpu.mmap(diff, { addr: h + newSize, fixed: 'replace', prot: PROT_NONE, name: 'glibc:heap' });
    cpu.store(h + HI_MPROTECT_SIZE, newSize);
  } else {
    cpu.madvise(h + newSize, diff, 'dontneed');
  }
  cpu.store(h + HI_SIZE, newSize);
  m.count('heapShrinks');
  return 0;
}

/**
 * heap_trim (A:642), called after every free that leaves a 64 KiB chunk in a thread arena: while
 * top is the whole newest heap and the previous heap's free tail is big enough, unmap the heap and
 * make that tail the top; then shrink the remaining heap if top passed the trim threshold.
 */
export function heapTrim(m: Ptmalloc, cpu: Cpu, heapStart: number, pad: number): boolean {
  m.path(cpu, 'heap_trim');
  let heap = heapStart;
  const ar = cpu.load(heap + HI_AR_PTR);
  let top = cpu.load(ar + AV_TOP);
  const fenceOff = MINSIZE - 2 * SIZE_SZ;
  while (top === heap + HEAP_INFO_SIZE) {
    const prevHeap = cpu.load(heap + HI_PREV);
    const prevHeapSize = cpu.load(prevHeap + HI_SIZE);
    const prevSz = prevHeapSize - fenceOff;
    const misalign = (prevHeap + prevSz) % MALLOC_ALIGNMENT;
    let p = prevHeap + prevSz - misalign; // the fencepost 0|PREV_INUSE
    if (head(cpu, p) !== PREV_INUSE) throw new Error(`glibc model: heap_trim found no fencepost at 0x${p.toString(16)}`);
    p -= prevSize(cpu, p);
    let newSize = chunksize(cpu, p) + fenceOff + misalign;
    if (!prevInuse(cpu, p)) newSize += prevSize(cpu, p);
    if (newSize + (HEAP_MAX_SIZE - prevHeapSize) < pad + MINSIZE + cpu.load(heap + HI_PAGESIZE)) break;
    cpu.store(ar + AV_SYSTEM_MEM, cpu.load(ar + AV_SYSTEM_MEM) - cpu.load(heap + HI_SIZE));
    if (heap + HEAP_MAX_SIZE === cpu.load(m.g(G_ALIGNED_HEAP_AREA))) cpu.store(m.g(G_ALIGNED_HEAP_AREA), 0);
    cpu.munmap(heap, HEAP_MAX_SIZE);
    m.count('heapsUnmapped');
    heap = prevHeap;
    if (!prevInuse(cpu, p)) {
      p -= prevSize(cpu, p);
      unlinkChunk(cpu, p);
    }
    top = p;
    cpu.store(ar + AV_TOP, p);
    setHead(cpu, p, newSize + PREV_INUSE);
  }
  const topSize = chunksize(cpu, top);
  if (topSize < m.mpGet(cpu, MP_TRIM_THRESHOLD)) return false;
  const topArea = topSize - MINSIZE - 1;
  if (topArea < 0 || topArea <= pad) return false;
  const extra = alignDown(topArea - pad, cpu.load(heap + HI_PAGESIZE));
  if (extra === 0) return false;
  if (shrinkHeap(m, cpu, heap, extra) !== 0) return false;
  cpu.store(ar + AV_SYSTEM_MEM, cpu.load(ar + AV_SYSTEM_MEM) - extra);
  setHead(cpu, top, topSize - extra + PREV_INUSE);
  return true;
}
