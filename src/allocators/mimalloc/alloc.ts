/**
 * Allocation (mimalloc src/alloc.c, src/alloc-aligned.c): the fast path pops the direct page's
 * `free` list (requests up to MI_SMALL_SIZE_MAX = 1 KiB); anything else, or an empty list, takes
 * `_mi_malloc_generic` (page-generic.ts). Also calloc, realloc, aligned allocation and usable size.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { ORIGIN_APP, ORIGIN_LINK } from '../../machine/cache-hierarchy.ts';
import { wsizeOf } from './bins.ts';
import { heapOf, threadInit } from './heap.ts';
import { G_PAGE_EMPTY, blockNext, blockSize, getUsed, pageOf, pageStart, segmentOf, setUsed, type Mi } from './internal.ts';
import { mallocGeneric } from './page-generic.ts';
import { hasAligned, setHasAligned } from './page-queue.ts';
import { paddingShrink, usableSizeOf, writePadding } from './padding.ts';
import { ALIGNMENT_MAX, MAX_ALIGN, PADDING_SIZE, SMALL_SIZE_MAX } from './types.ts';

/**
 * alloc.c _mi_page_malloc: pop the page's free list (or go generic when it is empty); `size`
 * includes the padding.
 */
export function pageMalloc(m: Mi, cpu: Cpu, heap: number, page: number, size: number, zero: boolean): number {
  const P = m.layout.page;
  const block = cpu.load(page + P.free);
  if (block === 0) return mallocGeneric(m, cpu, heap, size, zero);
  setUsed(m, cpu, page, getUsed(m, cpu, page) + 1);
  cpu.store(page + P.free, blockNext(m, cpu, page, block));
  if (zero) cpu.fill(block, blockSize(m, cpu, page) - m.cfg.padding, 0, ORIGIN_APP);
  else if (m.cfg.secure > 0) cpu.store(block, 0, 8, ORIGIN_LINK); // don't leak internal data
  if (m.cfg.padding > 0) writePadding(m, cpu, page, block, blockSize(m, cpu, page), size);
  return block;
}

/**
 * alloc.c _mi_heap_malloc_zero_ex / mi_heap_malloc_small_zero: small requests index
 * `pages_free_direct` by word size. A thread's first allocation finds the static empty heap, whose
 * direct pages are `_mi_page_empty`, and initialises the thread in the generic path.
 */
export function mallocZero(m: Mi, cpu: Cpu, size: number, zero: boolean): number {
  cpu.work(6);
  let heap = heapOf(cpu);
  if (size <= SMALL_SIZE_MAX) {
    const psize = (m.cfg.padding > 0 && size === 0 ? 8 : size) + m.cfg.padding;
    if (heap !== 0) {
      const page = cpu.load(heap + m.layout.heap.pagesFreeDirect + wsizeOf(psize) * 8);
      return pageMalloc(m, cpu, heap, page, psize, zero);
    }
    cpu.load(m.statics + G_PAGE_EMPTY + m.layout.page.free);
    heap = threadInit(m, cpu);
    return mallocGeneric(m, cpu, heap, psize, zero);
  }
  if (heap === 0) heap = threadInit(m, cpu);
  return mallocGeneric(m, cpu, heap, size + m.cfg.padding, zero);
}

/** alloc-aligned.c: MI_MAX_ALIGN_GUARANTEE (v2.1.2: 8 x 16 bytes; v2.4.1: MI_MEDIUM_OBJ_SIZE_MAX). */
function maxAlignGuarantee(m: Mi): number {
  return m.cfg.version !== '2.4.1' ? 8 * MAX_ALIGN : m.cfg.mediumObjSizeMax;
}

/**
 * alloc-aligned.c mi_heap_malloc_zero_aligned_at (offset 0): the direct page when its next free
 * block happens to be aligned; else over-allocate by the alignment and mark the page `has_aligned`.
 * Alignments over MI_ALIGNMENT_MAX (16 MiB), which need a dedicated huge segment, are not modelled (0).
 */
export function mallocAligned(m: Mi, cpu: Cpu, size: number, align: number, zero: boolean): number {
  if (align > ALIGNMENT_MAX) return 0;
  const padsize = size + m.cfg.padding;
  const heap = heapOf(cpu);
  if (heap !== 0 && padsize <= SMALL_SIZE_MAX && align <= padsize) {
    const page = cpu.load(heap + m.layout.heap.pagesFreeDirect + wsizeOf(padsize) * 8);
    const free = cpu.load(page + m.layout.page.free);
    if (free !== 0 && free % align === 0) return pageMalloc(m, cpu, heap, page, padsize, zero);
  }
  if (align <= padsize && padsize <= maxAlignGuarantee(m) && padsize % align === 0) return mallocZero(m, cpu, size, zero);
  const p = mallocZero(m, cpu, size + align - 1, zero);
  if (p === 0) return 0;
  const adjust = p % align === 0 ? 0 : align - (p % align);
  if (adjust !== 0) {
    const segment = segmentOf(p);
    const page = pageOf(m, cpu, segment, p);
    setHasAligned(m, cpu, page, true);
    paddingShrink(m, cpu, page, p, blockSize(m, cpu, page), adjust + size);
  }
  return p + adjust;
}

/**
 * allocsim's contract asks for 16-byte alignment by default, so requests that mimalloc would serve
 * 8-aligned from its 8-byte bin (8 bytes or less, unpadded) take the 16-byte bin (docs).
 */
export function contractSize(m: Mi, size: number): number {
  return size + m.cfg.padding < MAX_ALIGN ? MAX_ALIGN - m.cfg.padding : size;
}

/** The contract's malloc(size, align). */
export function malloc(m: Mi, cpu: Cpu, size: number, align: number): number {
  if (align > MAX_ALIGN) return mallocAligned(m, cpu, size, align, false);
  return mallocZero(m, cpu, align === MAX_ALIGN ? contractSize(m, size) : size, false);
}

/** alloc.c _mi_page_ptr_unalign: the start of the block holding an interior (aligned) pointer. */
export function pagePtrUnalign(m: Mi, cpu: Cpu, page: number, p: number): number {
  const bsize = blockSize(m, cpu, page);
  return p - ((p - pageStart(m, cpu, page, bsize)) % bsize);
}

/** alloc.c mi_usable_size (_mi_usable_size). */
export function usableSize(m: Mi, cpu: Cpu, p: number): number {
  if (p === 0) return 0;
  const page = pageOf(m, cpu, segmentOf(p), p);
  const bsize = blockSize(m, cpu, page);
  if (!hasAligned(m, cpu, page)) return usableSizeOf(m, cpu, page, p, bsize);
  const block = pagePtrUnalign(m, cpu, page, p);
  return usableSizeOf(m, cpu, page, block, bsize) - (p - block);
}

/** The usable block size without padding (mi_page_usable_block_size). */
export function usableBlockSize(m: Mi, cpu: Cpu, page: number): number {
  return blockSize(m, cpu, page) - (m.cfg.padding > 0 ? PADDING_SIZE : 0);
}
