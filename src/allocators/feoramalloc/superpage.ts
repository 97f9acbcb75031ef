/**
 * Superpages (heap_allocator_implementation.odin heap_make_superpage, heap_get_superpage,
 * heap_free_superpage, heap_link/unlink_superpage, heap_cache_register/unregister_superpage,
 * heap_make_huge_allocation).
 *
 *   superpage (2 MiB, self-aligned): [Heap_Superpage + Heap_Cache_Block: 64 KiB][slab 0]...[slab 30]
 */
import type { Cpu } from '../../machine/cpu.ts';
import { allocateVirtualMemoryAligned, allocateVirtualMemorySuperpage, freeVirtualMemory } from '../shared/odin-runtime/virtual-memory.ts';
import { cacheAddSuperpageWithFreeSlabs, cacheExpand, cacheRemoveSuperpageWithFreeSlabs } from './cache.ts';
import { count, threadId, type FeoraCtx } from './context.ts';
import {
  C_IN_USE,
  C_LENGTH,
  C_NEXT_CACHE_BLOCK,
  C_OWNED_SUPERPAGES,
  G_ORPHANAGE_COUNT,
  HUGE_BOOK_KEEPING,
  MAX_BIN_SIZE,
  MAX_EMPTY_ORPHANED_SUPERPAGES,
  P_CACHE_BLOCK,
  P_FREE_SLABS,
  P_HUGE_SIZE,
  P_MASTER_CACHE_BLOCK,
  P_NEXT,
  P_OWNER,
  P_PREV,
  S_BIN_SIZE,
  S_FREE_BINS,
  S_INDEX,
  S_IS_FULL,
  S_MAX_BINS,
  S_REMOTE_FREE_BINS_SCHEDULED,
  SLAB_COUNT,
  SUPERPAGE_CACHE_RATIO,
  SUPERPAGE_SIZE,
  T_LOCAL_HEAP,
  T_LOCAL_HEAP_CACHE,
  T_LOCAL_HEAP_TAIL,
  slabAt,
  slabsNeededForSize,
} from './layout.ts';
import { popOrphan, pushOrphan } from './orphanage.ts';
import { cacheSlab, freeSlab, freeWideSlab, mergeRemoteFrees } from './slab.ts';

/** heap_make_superpage: map one, own it, write each slab's index (a first touch of 31 pages). */
function makeSuperpage(ctx: FeoraCtx, cpu: Cpu): number {
  const sp = allocateVirtualMemorySuperpage(cpu, SUPERPAGE_SIZE, 'feoramalloc superpage');
  cpu.store(sp + P_OWNER, threadId(cpu));
  cpu.store(sp + P_FREE_SLABS, SLAB_COUNT);
  for (let i = 0; i < SLAB_COUNT; i++) cpu.store(slabAt(sp, i) + S_INDEX, i);
  count(ctx, cpu, 'superpagesMapped');
  return sp;
}

/** heap_get_superpage: adopt an orphan first, else map a new one. */
export function getSuperpage(ctx: FeoraCtx, cpu: Cpu): number {
  const sp = popOrphan(ctx, cpu);
  if (sp !== 0) {
    count(ctx, cpu, 'orphanAdoptions');
    return sp;
  }
  return makeSuperpage(ctx, cpu);
}

export function linkSuperpage(cpu: Cpu, sp: number): void {
  const tail = cpu.load(cpu.tls + T_LOCAL_HEAP_TAIL);
  cpu.store(sp + P_PREV, tail);
  cpu.store(tail + P_NEXT, sp);
  cpu.store(cpu.tls + T_LOCAL_HEAP_TAIL, sp);
}

function unlinkSuperpage(cpu: Cpu, sp: number): void {
  const prev = cpu.load(sp + P_PREV);
  const next = cpu.load(sp + P_NEXT);
  if (sp === cpu.load(cpu.tls + T_LOCAL_HEAP_TAIL)) {
    cpu.store(cpu.tls + T_LOCAL_HEAP_TAIL, prev);
    cpu.store(prev + P_NEXT, 0);
    return;
  }
  if (prev !== 0) cpu.store(prev + P_NEXT, next);
  if (next !== 0) cpu.store(next + P_PREV, prev);
}

/**
 * heap_cache_register_superpage (with the slab-iteration fix of 8638bd3b8): grow the cache chain
 * every 20 superpages, publish the master cache block, and take stock of the slabs: merge pending
 * remote frees, free empty slabs, cache slabs with free bins.
 */
export function registerSuperpage(ctx: FeoraCtx, cpu: Cpu, lhc: number, sp: number): void {
  const owned = cpu.load(lhc + C_OWNED_SUPERPAGES) + 1;
  cpu.store(lhc + C_OWNED_SUPERPAGES, owned);
  if (Math.floor(owned / SUPERPAGE_CACHE_RATIO) > cpu.load(lhc + C_LENGTH)) {
    let tail = lhc;
    for (let n = cpu.load(tail + C_NEXT_CACHE_BLOCK); n !== 0; n = cpu.load(tail + C_NEXT_CACHE_BLOCK)) tail = n;
    cacheExpand(cpu, lhc, tail);
  }
  cpu.atomicStore(sp + P_MASTER_CACHE_BLOCK, lhc);
  const free = cpu.load(sp + P_FREE_SLABS);
  if (free > 0) cacheAddSuperpageWithFreeSlabs(cpu, lhc, sp);
  if (free < SLAB_COUNT) takeStock(ctx, cpu, lhc, sp);
}

/** The slab loop of registration and of thread exit: `lhc` 0 leaves the cache alone (thread exit). */
export function takeStock(ctx: FeoraCtx, cpu: Cpu, lhc: number, sp: number): void {
  for (let i = 0; i < SLAB_COUNT;) {
    const slab = slabAt(sp, i);
    const bin = cpu.load(slab + S_BIN_SIZE);
    if (bin === 0) {
      i++;
      continue;
    }
    i += bin > MAX_BIN_SIZE ? slabsNeededForSize(bin) : 1;
    if (cpu.atomicLoad(slab + S_REMOTE_FREE_BINS_SCHEDULED) > 0) {
      mergeRemoteFrees(ctx, cpu, slab);
      if (cpu.load(slab + S_FREE_BINS) > 0) cpu.atomicStore(slab + S_IS_FULL, 0, false, 1);
    }
    const freeBins = cpu.load(slab + S_FREE_BINS);
    if (freeBins === cpu.load(slab + S_MAX_BINS)) {
      if (bin > MAX_BIN_SIZE) freeWideSlab(cpu, lhc, sp, slab);
      else freeSlab(cpu, lhc, sp, slab);
    } else if (lhc !== 0 && bin <= MAX_BIN_SIZE && freeBins > 0) {
      cacheSlab(cpu, lhc, slab);
    }
  }
}

/** heap_free_superpage_if_empty_and_unused (acd5d0d40). */
export function freeSuperpageIfEmptyAndUnused(ctx: FeoraCtx, cpu: Cpu, lhc: number, sp: number): void {
  if (cpu.load(sp + P_FREE_SLABS) === SLAB_COUNT && cpu.load(sp + P_CACHE_BLOCK + C_IN_USE, 1) === 0) freeSuperpage(ctx, cpu, lhc, sp);
}

/** heap_free_superpage: out of the heap; into the orphanage unless it already holds 3 (approximately), else unmapped. */
function freeSuperpage(ctx: FeoraCtx, cpu: Cpu, lhc: number, sp: number): void {
  unlinkSuperpage(cpu, sp);
  cacheRemoveSuperpageWithFreeSlabs(cpu, lhc, sp);
  cpu.store(lhc + C_OWNED_SUPERPAGES, cpu.load(lhc + C_OWNED_SUPERPAGES) - 1);
  cpu.atomicStore(sp + P_MASTER_CACHE_BLOCK, 0);
  releaseEmptySuperpage(ctx, cpu, sp);
}

/** The orphanage-or-unmap decision shared by heap_free_superpage and the thread-exit cleaner. */
export function releaseEmptySuperpage(ctx: FeoraCtx, cpu: Cpu, sp: number): void {
  if (cpu.fetchAdd(ctx.globals + G_ORPHANAGE_COUNT, 1) >= MAX_EMPTY_ORPHANED_SUPERPAGES) {
    cpu.fetchAdd(ctx.globals + G_ORPHANAGE_COUNT, -1);
    freeVirtualMemory(cpu, sp, SUPERPAGE_SIZE);
    count(ctx, cpu, 'superpagesUnmapped');
  } else {
    pushOrphan(ctx, cpu, sp);
  }
}

/** First allocation of a thread: its first superpage hosts the heap cache. */
export function initLocalHeap(ctx: FeoraCtx, cpu: Cpu): number {
  const sp = getSuperpage(ctx, cpu);
  cpu.store(cpu.tls + T_LOCAL_HEAP, sp);
  cpu.store(cpu.tls + T_LOCAL_HEAP_TAIL, sp);
  const lhc = sp + P_CACHE_BLOCK;
  cpu.store(cpu.tls + T_LOCAL_HEAP_CACHE, lhc);
  cpu.store(lhc + C_IN_USE, 1, 1);
  registerSuperpage(ctx, cpu, lhc, sp);
  return lhc;
}

/**
 * heap_make_huge_allocation: its own 2 MiB-aligned mapping of max(2 MiB, size + 72) bytes, the size
 * in the first word (so free recognises it), the block at +64.
 */
export function makeHugeAllocation(ctx: FeoraCtx, cpu: Cpu, request: number): number {
  cpu.path(ctx.paths.huge);
  const size = request < SUPERPAGE_SIZE - HUGE_BOOK_KEEPING ? SUPERPAGE_SIZE : request + HUGE_BOOK_KEEPING;
  const sp = allocateVirtualMemoryAligned(cpu, size, SUPERPAGE_SIZE, 'feoramalloc huge');
  cpu.store(sp + P_HUGE_SIZE, size);
  count(ctx, cpu, 'hugeAllocations');
  return sp + 64;
}
