/**
 * The Odin runtime's virtual-memory layer on Linux (Feoramund/Odin, base/runtime/virtual_memory_linux.odin
 * and virtual_memory.odin), shared by both feoramalloc designs: raw mmap/munmap calls, no
 * MAP_POPULATE, no madvise, no mlock.
 */
import type { Cpu } from '../../../machine/cpu.ts';
import { MachineFault } from '../../../machine/fault.ts';

export const PAGE_SIZE = 4096;

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** _allocate_virtual_memory(size). */
export function allocateVirtualMemory(cpu: Cpu, size: number, name = 'odin heap'): number {
  return cpu.mmap(size, { name });
}

/**
 * _allocate_virtual_memory_aligned(size, alignment): mmap size + alignment, then unmap the pages in
 * front of the aligned address (the tail stays mapped) — or, when the address happens to be aligned,
 * the pages past `size`.
 */
export function allocateVirtualMemoryAligned(cpu: Cpu, size: number, alignment: number, name = 'odin heap'): number {
  if (alignment <= PAGE_SIZE) return cpu.mmap(size, { name });
  const r = cpu.mmap(size + alignment, { name });
  const modulo = r % alignment;
  if (modulo !== 0) {
    const adjusted = r + alignment - modulo;
    const delta = Math.floor((alignment - modulo) / PAGE_SIZE) * PAGE_SIZE;
    if (delta > 0) cpu.munmap(r, delta);
    return adjusted;
  }
  const start = roundUp(size, PAGE_SIZE);
  const length = size + alignment - start;
  if (length > 0) cpu.munmap(r + start, length);
  return r;
}

/**
 * _allocate_virtual_memory_superpage(): a plain mmap of one superpage, which is aligned when the
 * kernel's THP placement aligns it; otherwise it is unmapped and an aligned one is carved out.
 */
export function allocateVirtualMemorySuperpage(cpu: Cpu, superpageSize: number, name = 'odin superpage'): number {
  const r = cpu.mmap(superpageSize, { name });
  if (r % superpageSize === 0) return r;
  cpu.munmap(r, superpageSize);
  return allocateVirtualMemoryAligned(cpu, superpageSize, superpageSize, name);
}

/** _free_virtual_memory(ptr, size). */
export function freeVirtualMemory(cpu: Cpu, ptr: number, size: number): void {
  cpu.munmap(ptr, size);
}

/**
 * _resize_virtual_memory(ptr, old, new, alignment > 0): mremap without MREMAP_MAYMOVE, else a new
 * aligned mapping, a copy and an unmap. The machine's mremap always may move (MREMAP_MAYMOVE),
 * which would lose the alignment, so the in-place call is modelled by its effect: shrinking unmaps
 * the tail; growing maps the extension with MAP_FIXED_NOREPLACE, which fails (mremap's ENOMEM) when
 * the range is taken.
 */
export function resizeVirtualMemory(cpu: Cpu, ptr: number, oldSize: number, newSize: number, alignment: number): number {
  if (oldSize === newSize) return ptr;
  const oldEnd = ptr + roundUp(oldSize, PAGE_SIZE);
  const newEnd = ptr + roundUp(newSize, PAGE_SIZE);
  if (newEnd < oldEnd) {
    cpu.munmap(newEnd, oldEnd - newEnd);
    return ptr;
  }
  if (newEnd === oldEnd) return ptr;
  try {
    cpu.mmap(newEnd - oldEnd, { addr: oldEnd, fixed: 'noreplace', name: 'odin heap' });
    return ptr;
  } catch (e) {
    if (!(e instanceof MachineFault)) throw e;
  }
  const moved = allocateVirtualMemoryAligned(cpu, newSize, alignment);
  cpu.copy(moved, ptr, Math.min(oldSize, newSize), 0);
  cpu.munmap(ptr, oldSize);
  return moved;
}
