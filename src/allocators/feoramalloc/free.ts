/**
 * Freeing (heap_allocator_implementation.odin heap_free, heap_remote_cache_add_remote_free_superpage).
 *
 * The owner sets the bin's local_free bit. Any other thread frees wait-free, with no loop:
 *   1. load is_full   2. fetch-add remote_free_bins_scheduled   3. fetch-or the bin's remote_free bit
 *   4. only if the slab was full: flag the superpage in the owner's cache (exchange, a bounded CAS
 *      scan of 20 entries per cache block, fetch-add of the owner's remote_free_count)
 * A remote free into a slab that is not full is invisible to the owner until that slab fills.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { bit64, mask64 } from '../shared/bits64.ts';
import { cacheAddSlab, cacheRemoveSlab } from './cache.ts';
import { count, localCache, odinPanic, threadId, type FeoraCtx } from './context.ts';
import {
  C_NEXT_CACHE_BLOCK,
  C_REMOTE_FREE_COUNT,
  C_SUPERPAGES_WITH_REMOTE_FREES,
  MAX_BIN_SIZE,
  P_HUGE_SIZE,
  P_MASTER_CACHE_BLOCK,
  P_OWNER,
  P_REMOTE_FREE_SET,
  S_BIN_SIZE,
  S_DATA,
  S_DIRTY_BINS,
  S_FREE_BINS,
  S_IS_FULL,
  S_LOCAL_FREE,
  S_MAX_BINS,
  S_NEXT_FREE_SECTOR,
  S_REMOTE_FREE,
  S_REMOTE_FREE_BINS_SCHEDULED,
  SUPERPAGE_CACHE_RATIO,
  binRank,
  slabOf,
  superpageOf,
} from './layout.ts';
import { freeVirtualMemory } from '../shared/odin-runtime/virtual-memory.ts';
import { freeSlab, freeWideSlab } from './slab.ts';
import { freeSuperpageIfEmptyAndUnused } from './superpage.ts';

const DOUBLE_FREE = 'The heap allocator freed an already-free pointer.';

export function heapFree(ctx: FeoraCtx, cpu: Cpu, ptr: number): void {
  if (ptr === 0) return;
  const sp = superpageOf(ptr);
  const huge = cpu.load(sp + P_HUGE_SIZE);
  if (huge > 0) {
    freeVirtualMemory(cpu, sp, huge);
    count(ctx, cpu, 'hugeFrees');
    return;
  }
  const slab = slabOf(ptr);
  const bin = cpu.load(slab + S_BIN_SIZE);
  if (bin === 0) odinPanic('The heap allocator tried to free a pointer belonging to an empty slab.', ptr);
  const local = cpu.atomicLoad(sp + P_OWNER) === threadId(cpu);
  if (bin > MAX_BIN_SIZE) {
    if (local) {
      const lhc = localCache(cpu);
      freeWideSlab(cpu, lhc, sp, slab);
      freeSuperpageIfEmptyAndUnused(ctx, cpu, lhc, sp);
    } else {
      remoteFree(ctx, cpu, sp, slab, ptr, 0, 0, true);
    }
    return;
  }
  const number = Math.floor((ptr - cpu.load(slab + S_DATA)) / bin);
  const sector = Math.floor(number / 64);
  const index = number % 64;
  if (local) localFree(ctx, cpu, sp, slab, ptr, bin, sector, index);
  else remoteFree(ctx, cpu, sp, slab, ptr, sector, index, false);
}

function localFree(ctx: FeoraCtx, cpu: Cpu, sp: number, slab: number, ptr: number, bin: number, sector: number, index: number): void {
  cpu.path(ctx.paths.localFree);
  count(ctx, cpu, 'localFrees');
  const lhc = localCache(cpu);
  const word = cpu.load(slab + S_LOCAL_FREE) + 8 * sector;
  const lo = cpu.load64(word);
  const hi = cpu.hi;
  if (bit64(lo, hi, index) === 1) odinPanic(DOUBLE_FREE, ptr);
  const [mlo, mhi] = mask64(index);
  cpu.store64(word, (lo | mlo) >>> 0, (hi | mhi) >>> 0);
  count(ctx, cpu, 'localBitFlips');
  let free = cpu.load(slab + S_FREE_BINS);
  if (free === 0) {
    cpu.atomicStore(slab + S_IS_FULL, 0, false, 1);
    cacheAddSlab(cpu, lhc, slab, binRank(bin));
  }
  free++;
  cpu.store(slab + S_FREE_BINS, free);
  // An empty slab is released only if all its bins were handed out at least once.
  const max = cpu.load(slab + S_MAX_BINS);
  if (free === max && cpu.load(slab + S_DIRTY_BINS) === max) {
    cacheRemoveSlab(cpu, lhc, slab, binRank(bin));
    freeSlab(cpu, lhc, sp, slab);
  } else {
    cpu.store(slab + S_NEXT_FREE_SECTOR, Math.min(cpu.load(slab + S_NEXT_FREE_SECTOR), sector));
  }
  freeSuperpageIfEmptyAndUnused(ctx, cpu, lhc, sp);
  cpu.work(25);
}

function remoteFree(ctx: FeoraCtx, cpu: Cpu, sp: number, slab: number, ptr: number, sector: number, index: number, wide: boolean): void {
  cpu.path(ctx.paths.remoteFree);
  count(ctx, cpu, 'remoteFrees');
  const wasFull = wide || cpu.atomicLoad(slab + S_IS_FULL, 1) === 1;
  cpu.fetchAdd(slab + S_REMOTE_FREE_BINS_SCHEDULED, 1);
  const [mlo, mhi] = mask64(index);
  const oldLo = cpu.fetchOr64(cpu.load(slab + S_REMOTE_FREE) + 8 * sector, mlo, mhi);
  const oldHi = cpu.hi;
  count(ctx, cpu, 'remoteBitFlips');
  if (wasFull) notifyOwner(ctx, cpu, sp);
  if (bit64(oldLo, oldHi, index) === 1) odinPanic(DOUBLE_FREE, ptr);
  cpu.work(20);
}

/**
 * heap_remote_cache_add_remote_free_superpage: flag the superpage once (exchange), then, if it has
 * an owner, claim an empty entry of its superpages_with_remote_frees with compare-and-swaps (a
 * bounded scan, not a retry loop) and bump the owner's remote_free_count.
 */
function notifyOwner(ctx: FeoraCtx, cpu: Cpu, sp: number): void {
  cpu.path(ctx.paths.notify);
  if (cpu.exchange(sp + P_REMOTE_FREE_SET, 1, 1) === 1) return;
  const master = cpu.atomicLoad(sp + P_MASTER_CACHE_BLOCK);
  if (master === 0) return;
  count(ctx, cpu, 'remoteNotifications');
  for (let cache = master; cache !== 0; cache = cpu.atomicLoad(cache + C_NEXT_CACHE_BLOCK)) {
    for (let i = 0; i < SUPERPAGE_CACHE_RATIO; i++) {
      if (cpu.cas(cache + C_SUPERPAGES_WITH_REMOTE_FREES + 8 * i, 0, sp)) {
        cpu.fetchAdd(master + C_REMOTE_FREE_COUNT, 1);
        return;
      }
    }
  }
  throw new Error("feoramalloc: a remote thread found no room in the owner's superpages_with_remote_frees");
}
