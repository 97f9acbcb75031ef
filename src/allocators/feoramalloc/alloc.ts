/**
 * Allocation (heap_allocator_implementation.odin heap_alloc, heap_cache_get_slab,
 * heap_cache_get_contiguous_slabs).
 *
 *   huge (>= 1.5 MiB) -> own mapping
 *   first call of the thread -> its first superpage, whose padding hosts the heap cache
 *   remote_free_count > 0 -> merge the full slabs of the flagged superpages
 *   > 32 KiB -> contiguous slabs;  else the first cached slab of the rank: lowest set bit of
 *   local_free[next_free_sector], cleared; zeroed if asked and "dirty"; a slab that fills merges
 *   its pending remote frees or leaves the cache
 */
import type { Cpu } from '../../machine/cpu.ts';
import { ctz64 } from '../shared/bits64.ts';
import { cacheFirstSlab, cacheRemoveSlab, freeSlabSuperpage } from './cache.ts';
import { count, localCache, type FeoraCtx } from './context.ts';
import {
  C_NEXT_CACHE_BLOCK,
  C_REMOTE_FREE_COUNT,
  C_SUPERPAGES_WITH_REMOTE_FREES,
  HUGE_ALLOCATION_THRESHOLD,
  MAX_BIN_SIZE,
  P_FREE_SLABS,
  P_REMOTE_FREE_SET,
  S_BIN_SIZE,
  S_DATA,
  S_DIRTY_BINS,
  S_FREE_BINS,
  S_IS_FULL,
  S_LOCAL_FREE,
  S_MAX_BINS,
  S_NEXT_FREE_SECTOR,
  S_REMOTE_FREE_BINS_SCHEDULED,
  S_SECTORS,
  SLAB_COUNT,
  SUPERPAGE_CACHE_RATIO,
  T_LOCAL_HEAP,
  binRank,
  roundToBinSize,
  slabAt,
  slabsNeededForSize,
} from './layout.ts';
import { cacheSlab, freeSlab, freeWideSlab, makeSlabSizedAllocation, mergeRemoteFrees, slabSetup } from './slab.ts';
import { getSuperpage, initLocalHeap, linkSuperpage, makeHugeAllocation, registerSuperpage } from './superpage.ts';

export function heapAlloc(ctx: FeoraCtx, cpu: Cpu, size: number, zero: boolean): number {
  if (size >= HUGE_ALLOCATION_THRESHOLD) return makeHugeAllocation(ctx, cpu, size);
  cpu.path(ctx.paths.alloc);
  const lhc = cpu.load(cpu.tls + T_LOCAL_HEAP) === 0 ? initLocalHeap(ctx, cpu) : localCache(cpu);
  const pending = cpu.atomicLoad(lhc + C_REMOTE_FREE_COUNT);
  if (pending > 0) collectRemoteFrees(ctx, cpu, lhc, pending);
  if (size > MAX_BIN_SIZE) return getContiguousSlabs(ctx, cpu, lhc, size);

  const rounded = roundToBinSize(size);
  const slab = getSlab(ctx, cpu, lhc, rounded);
  cpu.path(ctx.paths.alloc);
  let sector = cpu.load(slab + S_NEXT_FREE_SECTOR);
  const words = cpu.load(slab + S_LOCAL_FREE);
  const lo = cpu.load64(words + 8 * sector);
  const hi = cpu.hi;
  const index = ctz64(lo, hi);
  const ptr = cpu.load(slab + S_DATA) + (sector * 64 + index) * rounded;
  const nlo = index < 32 ? (lo & ~(1 << index)) >>> 0 : lo;
  const nhi = index >= 32 ? (hi & ~(1 << (index - 32))) >>> 0 : hi;
  cpu.store64(words + 8 * sector, nlo, nhi);
  count(ctx, cpu, 'localBitFlips');
  const dirty = cpu.load(slab + S_DIRTY_BINS);
  // As written: the bit index within the sector is compared with the slab-wide dirty count.
  if (zero && index < dirty) {
    cpu.fill(ptr, rounded, 0);
    count(ctx, cpu, 'zeroedBins');
  }
  cpu.store(slab + S_DIRTY_BINS, Math.max(dirty, 1 + sector * 64 + index));
  const free = cpu.load(slab + S_FREE_BINS) - 1;
  cpu.store(slab + S_FREE_BINS, free);
  if (free === 0) {
    slabFilled(ctx, cpu, lhc, slab, rounded);
  } else if ((nlo | nhi) === 0) {
    const sectors = cpu.load(slab + S_SECTORS);
    for (sector++; sector < sectors; sector++) {
      const l = cpu.load64(words + 8 * sector);
      if ((l | cpu.hi) !== 0) break;
    }
    cpu.store(slab + S_NEXT_FREE_SECTOR, sector);
  }
  cpu.work(30);
  return ptr;
}

/** The slab has no local free bin left: merge the remote frees scheduled so far, or mark it full and drop it from the cache. */
function slabFilled(ctx: FeoraCtx, cpu: Cpu, lhc: number, slab: number, rounded: number): void {
  cpu.store(slab + S_NEXT_FREE_SECTOR, cpu.load(slab + S_SECTORS));
  if (cpu.atomicLoad(slab + S_REMOTE_FREE_BINS_SCHEDULED) > 0) {
    mergeRemoteFrees(ctx, cpu, slab);
    if (cpu.load(slab + S_FREE_BINS) !== 0) return; // still cached
  }
  cpu.atomicStore(slab + S_IS_FULL, 1, false, 1);
  cacheRemoveSlab(cpu, lhc, slab, binRank(rounded));
  count(ctx, cpu, 'slabsFilled');
}

/** heap_cache_get_slab: the first cached slab of the rank, else a new slab in a superpage with free slabs (adopted or mapped if none). */
function getSlab(ctx: FeoraCtx, cpu: Cpu, lhc: number, rounded: number): number {
  const slab = cacheFirstSlab(cpu, lhc, binRank(rounded));
  if (slab !== 0) return slab;
  let sp = freeSlabSuperpage(cpu, lhc, 0);
  if (sp === 0) {
    sp = getSuperpage(ctx, cpu);
    linkSuperpage(cpu, sp);
    registerSuperpage(ctx, cpu, lhc, sp);
  }
  return slabSetup(ctx, cpu, lhc, sp, rounded);
}

/** heap_cache_get_contiguous_slabs: the first cached superpage with a long enough run, else new superpages until one fits. */
function getContiguousSlabs(ctx: FeoraCtx, cpu: Cpu, lhc: number, size: number): number {
  const contiguous = slabsNeededForSize(size);
  for (let cache = lhc; cache !== 0; cache = cpu.load(cache + C_NEXT_CACHE_BLOCK)) {
    for (let i = 0; i < SUPERPAGE_CACHE_RATIO; i++) {
      const sp = freeSlabSuperpage(cpu, cache, i);
      if (sp === 0) {
        for (;;) {
          const fresh = getSuperpage(ctx, cpu);
          linkSuperpage(cpu, fresh);
          registerSuperpage(ctx, cpu, lhc, fresh);
          if (cpu.load(fresh + P_FREE_SLABS) >= contiguous) {
            const p = makeSlabSizedAllocation(ctx, cpu, lhc, fresh, size);
            if (p !== 0) return p;
          }
        }
      }
      if (cpu.load(sp + P_FREE_SLABS) >= contiguous) {
        const p = makeSlabSizedAllocation(ctx, cpu, lhc, sp, size);
        if (p !== 0) return p;
      }
    }
  }
  throw new Error('feoramalloc: the heap cache chain ended while looking for contiguous slabs');
}

/**
 * The remote-free collection of heap_alloc (design 1 as first published, a4a776634): visit the
 * superpages remote threads flagged, merge only slabs that are full and have frees scheduled, then
 * reopen, free or re-cache them; an entry stays flagged when frees were still in flight.
 */
function collectRemoteFrees(ctx: FeoraCtx, cpu: Cpu, lhc: number, pending: number): void {
  cpu.path(ctx.paths.collect);
  count(ctx, cpu, 'collections');
  let removed = 0;
  let counter = pending;
  merge: for (let cache = lhc; cache !== 0; cache = cpu.load(cache + C_NEXT_CACHE_BLOCK)) {
    for (let i = 0; i < SUPERPAGE_CACHE_RATIO; i++) {
      const entry = cache + C_SUPERPAGES_WITH_REMOTE_FREES + 8 * i;
      const sp = cpu.atomicLoad(entry);
      if (sp === 0) continue;
      let keep = false;
      for (let j = 0; j < SLAB_COUNT;) {
        const slab = slabAt(sp, j);
        const bin = cpu.load(slab + S_BIN_SIZE);
        if (bin > 0 && cpu.load(slab + S_FREE_BINS) === 0 && cpu.atomicLoad(slab + S_REMOTE_FREE_BINS_SCHEDULED) > 0) {
          if (mergeRemoteFrees(ctx, cpu, slab) !== 0) keep = true;
          if (cpu.load(slab + S_FREE_BINS) !== 0) reopen(cpu, lhc, sp, slab, bin);
        }
        j += bin > MAX_BIN_SIZE ? slabsNeededForSize(bin) : 1;
      }
      if (!keep) {
        cpu.atomicStore(entry, 0);
        cpu.atomicStore(sp + P_REMOTE_FREE_SET, 0, false, 1);
        removed++;
      }
      if (--counter === 0) break merge;
    }
  }
  cpu.fetchAdd(lhc + C_REMOTE_FREE_COUNT, -removed);
  cpu.path(ctx.paths.alloc);
}

/** A merged full slab has bins again: clear is_full, then free it (wide, or all bins free) or cache it. */
function reopen(cpu: Cpu, lhc: number, sp: number, slab: number, bin: number): void {
  cpu.atomicStore(slab + S_IS_FULL, 0, false, 1);
  if (bin > MAX_BIN_SIZE) freeWideSlab(cpu, lhc, sp, slab);
  else if (cpu.load(slab + S_FREE_BINS) === cpu.load(slab + S_MAX_BINS)) freeSlab(cpu, lhc, sp, slab);
  else cacheSlab(cpu, lhc, slab);
}
