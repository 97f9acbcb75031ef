/**
 * Slabs and bins (heap_allocator_implementation.odin heap_make_slab, heap_get_slab, heap_make_bin,
 * heap_free_bin, heap_free_slab). No bitmap: a slab hands out fresh bins by bumping `used_bins`
 * and reuses freed ones from an intrusive free list.
 */
import { ORIGIN_LINK } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { count, localHeap, odinPanic, segmentFor, type V2Ctx } from './context.ts';
import {
  CLASS_HUGE,
  G_FREE_SLABS,
  G_MAY_RETURN,
  G_SLAB_SIZE_CLASS,
  G_SLABS_LEN,
  H_SLABS_BY_RANK,
  L_BIN_RANK,
  L_BIN_SIZE,
  L_CAPACITY,
  L_DATA,
  L_FREE_BINS,
  L_FREE_LIST,
  L_MAX_BINS,
  L_REMOTE_FREE_LIST,
  L_USED_BINS,
  MAX_BIN_SIZE,
  binRank,
  roundToBinSize,
  sizeClass,
} from './layout.ts';
import { addRankedSlab, freeSlabList, popSlab, pushSlab, removeRankedSlab } from './lists.ts';
import { closeFreeList } from './remote.ts';
import { adoptOrphan, freeSegment, makeSegment } from './segment.ts';

const HUGE_RANK = Number.MAX_SAFE_INTEGER; // max(int)

/**
 * heap_make_slab(bin_size): adopt orphans until one yields a free slab of the class (or none is
 * left), else make a segment; then configure the slab. A slab used before is zeroed whole.
 */
function makeSlab(ctx: V2Ctx, cpu: Cpu, heap: number, binSize: number): number {
  cpu.path(ctx.paths.makeSlab);
  const cls = sizeClass(binSize);
  const list = freeSlabList(heap, cls);
  while (adoptOrphan(ctx, cpu, heap, binSize, cls) !== 0) {
    if (cpu.load(list) !== 0) break;
  }
  if (cpu.load(list) === 0 && makeSegment(ctx, cpu, heap, binSize, 0) === 0) return 0;
  const slab = popSlab(cpu, list);
  const segment = segmentFor(ctx, slab);
  const free = cpu.load(segment + G_FREE_SLABS) - 1;
  cpu.store(segment + G_FREE_SLABS, free);
  if (free === 0) cpu.store(segment + G_MAY_RETURN, 1, 1);
  cpu.store(slab + L_BIN_SIZE, binSize);
  const bins = Math.floor(cpu.load(slab + L_CAPACITY) / binSize);
  if (bins === 0) odinPanic('The heap allocator miscalculated the number of bins for a new slab.');
  cpu.store(slab + L_FREE_BINS, bins);
  cpu.store(slab + L_MAX_BINS, bins);
  if (cpu.load(slab + L_USED_BINS) > 0) {
    cpu.store(slab + L_USED_BINS, 0);
    cpu.store(slab + L_FREE_LIST, 0);
    cpu.fill(cpu.load(slab + L_DATA), binSize * bins, 0);
    count(ctx, cpu, 'slabsZeroedForReuse');
  }
  closeFreeList(cpu, slab + L_REMOTE_FREE_LIST);
  if (cls < CLASS_HUGE) {
    cpu.store(slab + L_BIN_RANK, binRank(binSize));
    addRankedSlab(cpu, heap, slab);
  } else {
    cpu.store(slab + L_BIN_RANK, HUGE_RANK);
  }
  count(ctx, cpu, 'slabsMade');
  cpu.work(30);
  return slab;
}

/** heap_make_bin(size, zero): pop the free list (zeroing `size` bytes if asked) or bump a fresh bin. */
export function makeBin(ctx: V2Ctx, cpu: Cpu, heap: number, size: number, zero: boolean): number {
  let slab: number;
  if (size <= MAX_BIN_SIZE) {
    const bin = roundToBinSize(size);
    slab = cpu.load(heap + H_SLABS_BY_RANK + 8 * binRank(bin));
    if (slab === 0) slab = makeSlab(ctx, cpu, heap, bin);
  } else {
    slab = makeSlab(ctx, cpu, heap, size);
  }
  if (slab === 0) return 0;
  cpu.path(ctx.paths.alloc);
  const binSize = cpu.load(slab + L_BIN_SIZE);
  const head = cpu.load(slab + L_FREE_LIST);
  let ptr: number;
  if (head === 0) {
    const used = cpu.load(slab + L_USED_BINS);
    ptr = cpu.load(slab + L_DATA) + used * binSize;
    cpu.store(slab + L_USED_BINS, used + 1);
    count(ctx, cpu, 'bumpAllocations');
  } else {
    ptr = head;
    cpu.store(slab + L_FREE_LIST, cpu.load(ptr, 8, ORIGIN_LINK));
    if (zero) cpu.fill(ptr, size, 0);
    count(ctx, cpu, 'freeListAllocations');
  }
  const free = cpu.load(slab + L_FREE_BINS) - 1;
  cpu.store(slab + L_FREE_BINS, free);
  if (free === 0 && binSize <= MAX_BIN_SIZE) removeRankedSlab(cpu, heap, slab);
  cpu.work(20);
  return ptr;
}

/**
 * heap_free_bin: push onto the slab's free list; a slab that was full goes back on its rank list; a
 * slab is released only when every bin is free and every bin has been bump-used once.
 */
export function freeBin(ctx: V2Ctx, cpu: Cpu, segment: number, slab: number, ptr: number): void {
  const heap = localHeap(cpu);
  const free = cpu.load(slab + L_FREE_BINS) + 1;
  cpu.store(slab + L_FREE_BINS, free);
  cpu.store(ptr, cpu.load(slab + L_FREE_LIST), 8, ORIGIN_LINK);
  cpu.store(slab + L_FREE_LIST, ptr);
  const binSize = cpu.load(slab + L_BIN_SIZE);
  if (free === 1 && binSize <= MAX_BIN_SIZE) {
    addRankedSlab(cpu, heap, slab);
  } else {
    const max = cpu.load(slab + L_MAX_BINS);
    if (free === max && cpu.load(slab + L_USED_BINS) === max) freeSlab(ctx, cpu, heap, segment, slab);
  }
  cpu.work(12);
}

/** heap_free_slab: the segment goes when all its slabs are free and it may return; else the slab joins the free list of its class. */
function freeSlab(ctx: V2Ctx, cpu: Cpu, heap: number, segment: number, slab: number): void {
  const free = cpu.load(segment + G_FREE_SLABS) + 1;
  cpu.store(segment + G_FREE_SLABS, free);
  if (cpu.load(slab + L_BIN_SIZE) <= MAX_BIN_SIZE) removeRankedSlab(cpu, heap, slab);
  cpu.store(slab + L_BIN_SIZE, 0);
  count(ctx, cpu, 'slabsFreed');
  if (free === cpu.load(segment + G_SLABS_LEN) && cpu.load(segment + G_MAY_RETURN, 1) === 1) freeSegment(ctx, cpu, heap, segment);
  else pushSlab(cpu, freeSlabList(heap, cpu.load(segment + G_SLAB_SIZE_CLASS)), slab);
}
