/**
 * heap_resize (heap_allocator_implementation.odin, with the in-place wide-slab fix of 44a701560).
 * Across size categories (bin <= 32 KiB < slab-wide < 1.5 MiB <= huge) it allocates, copies and
 * frees; within one it keeps the block when the bin rank or the slab count is unchanged, resizes
 * huge mappings in place where it can, and lets the owner grow or shrink a slab-wide run in place.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { resizeVirtualMemory } from '../shared/odin-runtime/virtual-memory.ts';
import { heapAlloc } from './alloc.ts';
import { cacheAddSuperpageWithFreeSlabs, cacheRemoveSuperpageWithFreeSlabs } from './cache.ts';
import { localCache, threadId, type FeoraCtx } from './context.ts';
import { heapFree } from './free.ts';
import {
  HUGE_ALLOCATION_THRESHOLD,
  HUGE_BOOK_KEEPING,
  MAX_BIN_SIZE,
  P_FREE_SLABS,
  P_HUGE_SIZE,
  P_NEXT_FREE_SLAB_INDEX,
  P_OWNER,
  S_BIN_SIZE,
  S_INDEX,
  S_IS_DIRTY,
  SLAB_COUNT,
  SUPERPAGE_SIZE,
  roundToBinSize,
  slabAt,
  slabOf,
  slabsNeededForSize,
  superpageOf,
} from './layout.ts';
import { slabClearData, updateNextFreeSlabIndex } from './slab.ts';

function category(size: number): number {
  return size <= MAX_BIN_SIZE ? 0 : size < HUGE_ALLOCATION_THRESHOLD ? 1 : 2;
}

function move(ctx: FeoraCtx, cpu: Cpu, old: number, oldSize: number, newSize: number): number {
  const p = heapAlloc(ctx, cpu, newSize, false);
  cpu.copy(p, old, Math.min(oldSize, newSize));
  heapFree(ctx, cpu, old);
  return p;
}

export function heapResize(ctx: FeoraCtx, cpu: Cpu, old: number, oldSize: number, newSize: number): number {
  if (category(oldSize) !== category(newSize)) return move(ctx, cpu, old, oldSize, newSize);
  const sp = superpageOf(old);
  const huge = cpu.load(sp + P_HUGE_SIZE);
  if (huge > 0) {
    const real = newSize < SUPERPAGE_SIZE - HUGE_BOOK_KEEPING ? SUPERPAGE_SIZE : newSize + HUGE_BOOK_KEEPING;
    const resized = resizeVirtualMemory(cpu, sp, huge, real, SUPERPAGE_SIZE);
    cpu.store(resized + P_HUGE_SIZE, real);
    return resized + 64;
  }
  const slab = slabOf(old);
  const bin = cpu.load(slab + S_BIN_SIZE);
  if (bin > MAX_BIN_SIZE) return resizeWide(ctx, cpu, sp, slab, bin, old, oldSize, newSize);
  if (roundToBinSize(newSize) === bin) return old;
  return move(ctx, cpu, old, oldSize, newSize);
}

function resizeWide(ctx: FeoraCtx, cpu: Cpu, sp: number, slab: number, bin: number, old: number, oldSize: number, newSize: number): number {
  const have = slabsNeededForSize(bin);
  const want = slabsNeededForSize(newSize);
  if (want === have) return old;
  const index = cpu.load(slab + S_INDEX);
  if (index + want >= SLAB_COUNT || cpu.atomicLoad(sp + P_OWNER) !== threadId(cpu)) return move(ctx, cpu, old, oldSize, newSize);
  const lhc = localCache(cpu);
  if (want < have) {
    const wasFull = cpu.load(sp + P_FREE_SLABS) === 0;
    for (let i = index + want; i < index + have; i++) {
      const s = slabAt(sp, i);
      cpu.store(s + S_INDEX, i);
      cpu.store(s + S_IS_DIRTY, 1, 1);
      cpu.store(s + S_BIN_SIZE, 0);
    }
    cpu.store(sp + P_NEXT_FREE_SLAB_INDEX, Math.min(cpu.load(sp + P_NEXT_FREE_SLAB_INDEX), index + want));
    cpu.store(sp + P_FREE_SLABS, cpu.load(sp + P_FREE_SLABS) + have - want);
    cpu.store(slab + S_BIN_SIZE, newSize);
    if (wasFull) cacheAddSuperpageWithFreeSlabs(cpu, lhc, sp);
    return old;
  }
  for (let i = index + have; i < index + want; i++) {
    if (cpu.load(slabAt(sp, i) + S_BIN_SIZE) !== 0) return move(ctx, cpu, old, oldSize, newSize);
  }
  for (let i = index + have; i < index + want; i++) {
    const s = slabAt(sp, i);
    cpu.store(s + S_INDEX, 0);
    if (cpu.load(s + S_IS_DIRTY, 1) === 1) slabClearData(cpu, s);
  }
  cpu.store(slab + S_BIN_SIZE, newSize);
  const free = cpu.load(sp + P_FREE_SLABS) + have - want;
  cpu.store(sp + P_FREE_SLABS, free);
  if (free === 0) cacheRemoveSuperpageWithFreeSlabs(cpu, lhc, sp);
  else updateNextFreeSlabIndex(cpu, sp, 0);
  return old;
}
