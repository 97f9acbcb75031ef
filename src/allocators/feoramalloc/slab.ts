/**
 * Slabs (heap_allocator_implementation.odin heap_slab_setup, heap_slab_clear_data, heap_free_slab,
 * heap_free_wide_slab, heap_merge_remote_frees, heap_update_next_free_slab_index,
 * heap_make_slab_sized_allocation).
 *
 *   slab (64 KiB, self-aligned): [Heap_Slab 104 B][local_free words][remote_free words][pad][bins...]
 *
 * A set bit in local_free is a free bin the owner can hand out; remote_free collects the bits other
 * threads flip, merged into local_free only when the slab fills (or on adoption or thread exit).
 */
import { ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { lowBits64, popcount64 } from '../shared/bits64.ts';
import { cacheAddSlab, cacheAddSuperpageWithFreeSlabs, cacheRemoveSuperpageWithFreeSlabs } from './cache.ts';
import { count, odinPanic, type FeoraCtx } from './context.ts';
import {
  MAX_ALIGNMENT,
  MAX_BIN_SIZE,
  P_FREE_SLABS,
  P_NEXT_FREE_SLAB_INDEX,
  S_BIN_SIZE,
  S_DATA,
  S_DIRTY_BINS,
  S_FREE_BINS,
  S_INDEX,
  S_IS_DIRTY,
  S_IS_FULL,
  S_LOCAL_FREE,
  S_MAX_BINS,
  S_NEXT_FREE_SECTOR,
  S_REMOTE_FREE,
  S_REMOTE_FREE_BINS_SCHEDULED,
  S_SECTORS,
  SLAB_BOOK_KEEPING,
  SLAB_COUNT,
  SLAB_HEADER_SIZE,
  SLAB_SIZE,
  binRank,
  slabAt,
  slabLayout,
  slabsNeededForSize,
} from './layout.ts';

/** heap_slab_clear_data: zero everything after the index word (the whole 64 KiB). */
export function slabClearData(cpu: Cpu, slab: number): void {
  cpu.fill(slab + 8, SLAB_SIZE - 8, 0, ORIGIN_META);
}

/** heap_slab_setup(superpage, size): take the lowest free slab, lay it out, mark every bin free, cache it. */
export function slabSetup(ctx: FeoraCtx, cpu: Cpu, lhc: number, sp: number, size: number): number {
  cpu.path(ctx.paths.slabSetup);
  const freeSlabs = cpu.load(sp + P_FREE_SLABS) - 1;
  cpu.store(sp + P_FREE_SLABS, freeSlabs);
  const index = cpu.load(sp + P_NEXT_FREE_SLAB_INDEX);
  const slab = slabAt(sp, index);
  if (cpu.load(slab + S_IS_DIRTY, 1) === 1) slabClearData(cpu, slab);
  cpu.store(slab + S_BIN_SIZE, size);
  const l = slabLayout(size);
  cpu.store(slab + S_SECTORS, l.sectors);
  cpu.store(slab + S_FREE_BINS, l.bins);
  cpu.store(slab + S_MAX_BINS, l.bins);
  const localFree = slab + SLAB_HEADER_SIZE;
  cpu.store(slab + S_LOCAL_FREE, localFree);
  cpu.store(slab + S_REMOTE_FREE, localFree + 8 * l.sectors);
  cpu.store(slab + S_DATA, slab + l.dataOffset);
  for (let i = 0; i < l.sectors; i++) {
    const [lo, hi] = lowBits64(Math.min(64, l.bins - 64 * i));
    cpu.store64(localFree + 8 * i, lo, hi);
  }
  updateNextFreeSlabIndex(cpu, sp, index + 1);
  cacheAddSlab(cpu, lhc, slab, binRank(size));
  if (freeSlabs === 0) cacheRemoveSuperpageWithFreeSlabs(cpu, lhc, sp);
  count(ctx, cpu, 'slabsSetUp');
  cpu.work(40);
  return slab;
}

/** heap_update_next_free_slab_index(superpage, start_at): the lowest free slab at or after start_at. */
export function updateNextFreeSlabIndex(cpu: Cpu, sp: number, start: number): void {
  cpu.store(sp + P_NEXT_FREE_SLAB_INDEX, SLAB_COUNT);
  if (cpu.load(sp + P_FREE_SLABS) === 0) return;
  for (let i = start; i < SLAB_COUNT;) {
    const bin = cpu.load(slabAt(sp, i) + S_BIN_SIZE);
    if (bin === 0) {
      cpu.store(sp + P_NEXT_FREE_SLAB_INDEX, i);
      return;
    }
    i += bin > MAX_BIN_SIZE ? slabsNeededForSize(bin) : 1;
  }
  odinPanic('The heap allocator was unable to find a free slab in a superpage with free_slabs > 0.');
}

/** heap_free_slab: the slab is dirty and free for any rank. `lhc` 0 skips the cache (thread exit). */
export function freeSlab(cpu: Cpu, lhc: number, sp: number, slab: number): void {
  const free = cpu.load(sp + P_FREE_SLABS);
  if (free === 0 && lhc !== 0) cacheAddSuperpageWithFreeSlabs(cpu, lhc, sp);
  cpu.store(slab + S_IS_DIRTY, 1, 1);
  cpu.store(slab + S_BIN_SIZE, 0);
  cpu.store(sp + P_FREE_SLABS, free + 1);
  cpu.store(sp + P_NEXT_FREE_SLAB_INDEX, Math.min(cpu.load(sp + P_NEXT_FREE_SLAB_INDEX), cpu.load(slab + S_INDEX)));
}

/**
 * heap_free_wide_slab as fixed in acd5d0d40 (it no longer frees the superpage itself; the caller
 * does, via heap_free_superpage_if_empty_and_unused): every slab of the run is dirty and free again.
 */
export function freeWideSlab(cpu: Cpu, lhc: number, sp: number, slab: number): void {
  const n = slabsNeededForSize(cpu.load(slab + S_BIN_SIZE));
  const free = cpu.load(sp + P_FREE_SLABS);
  if (free === 0 && lhc !== 0) cacheAddSuperpageWithFreeSlabs(cpu, lhc, sp);
  const index = cpu.load(slab + S_INDEX);
  for (let i = index; i < index + n; i++) {
    const s = slabAt(sp, i);
    cpu.store(s + S_INDEX, i);
    cpu.store(s + S_IS_DIRTY, 1, 1);
    cpu.store(s + S_BIN_SIZE, 0);
  }
  cpu.store(sp + P_FREE_SLABS, free + n);
  cpu.store(sp + P_NEXT_FREE_SLAB_INDEX, Math.min(cpu.load(sp + P_NEXT_FREE_SLAB_INDEX), index));
}

/**
 * heap_merge_remote_frees: exchange every remote_free word with 0 and OR it into local_free, then
 * subtract the merged count from remote_free_bins_scheduled. Returns the bins still scheduled.
 * (atomic_exchange(&word, 0) is charged as fetch_and(word, 0): the same locked read-modify-write;
 * the machine's exchange takes exact numbers and a 64-bit bitmap word is not one.)
 */
export function mergeRemoteFrees(ctx: FeoraCtx, cpu: Cpu, slab: number): number {
  cpu.path(ctx.paths.merge);
  count(ctx, cpu, 'merges');
  let merged = 0;
  let next = cpu.load(slab + S_NEXT_FREE_SECTOR);
  const sectors = cpu.load(slab + S_SECTORS);
  const remote = cpu.load(slab + S_REMOTE_FREE);
  const local = cpu.load(slab + S_LOCAL_FREE);
  for (let i = 0; i < sectors; i++) {
    const rlo = cpu.fetchAnd64(remote + 8 * i, 0, 0);
    const rhi = cpu.hi;
    if ((rlo | rhi) === 0) continue;
    merged += popcount64(rlo, rhi);
    const llo = cpu.load64(local + 8 * i);
    cpu.store64(local + 8 * i, (llo | rlo) >>> 0, (cpu.hi | rhi) >>> 0);
    next = Math.min(next, i);
  }
  const left = cpu.fetchAdd(slab + S_REMOTE_FREE_BINS_SCHEDULED, -merged) - merged;
  cpu.store(slab + S_FREE_BINS, cpu.load(slab + S_FREE_BINS) + merged);
  cpu.store(slab + S_NEXT_FREE_SECTOR, next);
  count(ctx, cpu, 'mergedBins', merged);
  return left;
}

/**
 * heap_make_slab_sized_allocation(superpage, size): the first run of free slabs long enough; the
 * first holds a one-bin header and the data at offset 128; the others have their index wiped.
 * Returns 0 when the superpage has no such run.
 */
export function makeSlabSizedAllocation(ctx: FeoraCtx, cpu: Cpu, lhc: number, sp: number, size: number): number {
  cpu.path(ctx.paths.wide);
  const contiguous = slabsNeededForSize(size);
  let start = cpu.load(sp + P_NEXT_FREE_SLAB_INDEX);
  findRun: while (start < SLAB_COUNT - contiguous + 1) {
    let n = contiguous;
    for (let i = start; i < SLAB_COUNT;) {
      const bin = cpu.load(slabAt(sp, i) + S_BIN_SIZE);
      if (bin > MAX_BIN_SIZE) {
        start = i + slabsNeededForSize(bin);
        continue findRun;
      } else if (bin !== 0) {
        start = i + 1;
        continue findRun;
      }
      n--;
      if (n > 0) {
        i++;
        continue;
      }
      const slab = slabAt(sp, start);
      if (cpu.load(slab + S_IS_DIRTY, 1) === 1) slabClearData(cpu, slab);
      cpu.store(slab + S_BIN_SIZE, size);
      cpu.store(slab + S_IS_FULL, 1, 1);
      cpu.store(slab + S_MAX_BINS, 1);
      cpu.store(slab + S_DIRTY_BINS, 1);
      cpu.store(slab + S_SECTORS, 1);
      cpu.store(slab + S_LOCAL_FREE, slab + SLAB_HEADER_SIZE);
      cpu.store(slab + S_REMOTE_FREE, slab + SLAB_HEADER_SIZE + 8);
      const data = slab + SLAB_BOOK_KEEPING - (SLAB_BOOK_KEEPING % MAX_ALIGNMENT);
      cpu.store(slab + S_DATA, data);
      for (let x = start + 1; x <= i; x++) {
        const next = slabAt(sp, x);
        cpu.store(next + S_INDEX, 0);
        if (cpu.load(next + S_IS_DIRTY, 1) === 1) slabClearData(cpu, next);
      }
      const free = cpu.load(sp + P_FREE_SLABS) - contiguous;
      cpu.store(sp + P_FREE_SLABS, free);
      if (free === 0) cacheRemoveSuperpageWithFreeSlabs(cpu, lhc, sp);
      updateNextFreeSlabIndex(cpu, sp, 0);
      count(ctx, cpu, 'wideAllocations');
      return data;
    }
    break;
  }
  return 0;
}

/** Register a slab's free bins in the cache by rank (used by registration and collection). */
export function cacheSlab(cpu: Cpu, lhc: number, slab: number): void {
  cacheAddSlab(cpu, lhc, slab, binRank(cpu.load(slab + S_BIN_SIZE)));
}
