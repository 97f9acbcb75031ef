/**
 * The heap entry points (heap_allocator_implementation.odin heap_alloc, heap_free, heap_resize,
 * heap_merge_remote_free_list, heap_local_cleanup).
 *
 *   alloc: map the thread's Heap on first use; take the heap's whole remote free list with one CAS
 *          and free each block (collection at every allocation); then make a bin
 *   free:  the segment's owner frees locally; anyone else pushes onto a remote list (remote.ts)
 */
import { ORIGIN_LINK } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { allocateVirtualMemory, freeVirtualMemory } from '../shared/odin-runtime/virtual-memory.ts';
import { binStart, count, localHeap, segmentFor, slabFor, threadId, type V2Ctx } from './context.ts';
import {
  G_NEXT_SEGMENT,
  G_OWNER,
  G_SLABS_DATA,
  G_SLABS_LEN,
  H_REMOTE_FREE_LIST,
  H_SEGMENTS,
  HEAP_SIZE,
  L_REMOTE_FREE_LIST,
  MAX_BIN_SIZE,
  SLAB_RECORD_SIZE,
  T_LOCAL_HEAP,
  roundToBinSize,
} from './layout.ts';
import { openFreeList, pushRemote, takeFreeList } from './remote.ts';
import { orphanSegment } from './segment.ts';
import { freeBin, makeBin } from './slab.ts';

export function heapAlloc(ctx: V2Ctx, cpu: Cpu, size: number, zero: boolean): number {
  cpu.path(ctx.paths.alloc);
  let heap = localHeap(cpu);
  if (heap === 0) {
    heap = allocateVirtualMemory(cpu, HEAP_SIZE, 'feoramalloc-v2 heap');
    cpu.store(cpu.tls + T_LOCAL_HEAP, heap);
    count(ctx, cpu, 'heapsMapped');
  }
  mergeHeapRemoteFreeList(ctx, cpu, heap);
  return makeBin(ctx, cpu, heap, size, zero);
}

/**
 * heap_merge_remote_free_list: one relaxed load when empty; otherwise one CAS takes the whole list
 * and each block is freed through heap_free (as in b056b9e13; the tip calls heap_free_bin directly,
 * bypassing the owner check for the address sanitizer).
 */
function mergeHeapRemoteFreeList(ctx: V2Ctx, cpu: Cpu, heap: number): void {
  let p = takeFreeList(cpu, heap + H_REMOTE_FREE_LIST);
  if (p === 0) return;
  cpu.path(ctx.paths.collect);
  count(ctx, cpu, 'collections');
  while (p !== 0) {
    const next = cpu.load(p, 8, ORIGIN_LINK);
    heapFree(ctx, cpu, p);
    count(ctx, cpu, 'collectedRemoteFrees');
    p = next;
  }
  cpu.path(ctx.paths.alloc);
}

export function heapFree(ctx: V2Ctx, cpu: Cpu, ptr: number): void {
  if (ptr === 0) return;
  const segment = segmentFor(ctx, ptr);
  const slab = slabFor(cpu, segment, ptr);
  // Model extension: a pointer inside a bin (over-aligned block) frees the bin.
  const bin = binStart(cpu, slab, ptr);
  if (cpu.atomicLoad(segment + G_OWNER) === threadId(cpu)) {
    cpu.path(ctx.paths.localFree);
    count(ctx, cpu, 'localFrees');
    freeBin(ctx, cpu, segment, slab, bin);
  } else {
    pushRemote(ctx, cpu, segment, slab, bin);
  }
}

/** heap_resize(old, old_size, new_size): same rank keeps the block; otherwise allocate, copy, free. */
export function heapResize(ctx: V2Ctx, cpu: Cpu, old: number, oldSize: number, newSize: number): number {
  if (old === 0) return heapAlloc(ctx, cpu, newSize, false);
  if (oldSize <= MAX_BIN_SIZE && newSize <= MAX_BIN_SIZE && roundToBinSize(oldSize) === roundToBinSize(newSize)) return old;
  const p = heapAlloc(ctx, cpu, newSize, false);
  if (p === 0) return 0;
  cpu.copy(p, old, Math.min(oldSize, newSize));
  heapFree(ctx, cpu, old);
  return p;
}

/**
 * heap_local_cleanup, at a thread's clean exit: open every slab's remote list, orphan every segment,
 * then merge the heap's remote list (those frees now land on the orphaned slabs' lists) and unmap
 * the Heap.
 */
export function heapLocalCleanup(ctx: V2Ctx, cpu: Cpu): void {
  const heap = localHeap(cpu);
  if (heap === 0) return;
  for (let segment = cpu.load(heap + H_SEGMENTS); segment !== 0;) {
    const next = cpu.load(segment + G_NEXT_SEGMENT);
    const slabs = cpu.load(segment + G_SLABS_DATA);
    const n = cpu.load(segment + G_SLABS_LEN);
    for (let i = 0; i < n; i++) openFreeList(cpu, slabs + i * SLAB_RECORD_SIZE + L_REMOTE_FREE_LIST);
    orphanSegment(ctx, cpu, segment);
    segment = next;
  }
  mergeHeapRemoteFreeList(ctx, cpu, heap);
  freeVirtualMemory(cpu, heap, HEAP_SIZE);
  cpu.store(cpu.tls + T_LOCAL_HEAP, 0);
}
