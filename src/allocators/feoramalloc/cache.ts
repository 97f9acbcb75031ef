/**
 * The heap cache (heap_allocator_implementation.odin, Heap_Cache_Block and heap_cache_*): kept in
 * the 64 KiB a superpage cannot use as a slab. One block covers 20 superpages: `slab_map`, 620
 * entries per bin rank of slabs with free bins, and `superpages_with_free_slabs`. Both are compact
 * arrays spread over the chain of blocks: additions take the first empty entry, removals swap in
 * the last entry. Only the owning thread touches these arrays.
 */
import type { Cpu } from '../../machine/cpu.ts';
import {
  C_IN_USE,
  C_LENGTH,
  C_NEXT_CACHE_BLOCK,
  C_SLAB_MAP,
  C_SUPERPAGES_WITH_FREE_SLABS,
  P_CACHE_BLOCK,
  P_NEXT,
  SLAB_MAP_STRIDE,
  SUPERPAGE_CACHE_RATIO,
  superpageOf,
} from './layout.ts';

/** Adds `value` at the first empty entry of [start, start+len) across the chain (heap_cache_add_slab, ..._add_superpage_with_free_slabs). */
function chainAdd(cpu: Cpu, first: number, arr: number, start: number, len: number, value: number): void {
  let cache = first;
  for (;;) {
    for (let i = start; i < start + len; i++) {
      cpu.work(2);
      if (cpu.load(cache + arr + 8 * i) === 0) {
        cpu.store(cache + arr + 8 * i, value);
        return;
      }
    }
    cache = cpu.load(cache + C_NEXT_CACHE_BLOCK);
    if (cache === 0) throw new Error('feoramalloc: the heap cache overflowed (its arrays are sized never to)');
  }
}

/** Removes `value`, moving the last entry of the chain's span into its place (heap_cache_remove_slab and ..._superpage_with_free_slabs). */
function chainRemove(cpu: Cpu, first: number, arr: number, start: number, len: number, value: number): void {
  const at = (c: number, i: number): number => c + arr + 8 * i;
  for (let cache = first; cache !== 0; cache = cpu.load(cache + C_NEXT_CACHE_BLOCK)) {
    for (let i = start; i < start + len; i++) {
      cpu.work(2);
      if (cpu.load(at(cache, i)) !== value) continue;
      let target = cache;
      let from = i + 1;
      for (;;) {
        for (let j = from; j < start + len; j++) {
          if (cpu.load(at(target, j)) === 0) {
            cpu.store(at(cache, i), cpu.load(at(target, j - 1)));
            cpu.store(at(target, j - 1), 0);
            return;
          }
        }
        const next = cpu.load(target + C_NEXT_CACHE_BLOCK);
        if (next === 0) {
          cpu.store(at(cache, i), 0);
          return;
        }
        if (cpu.load(at(next, start)) === 0) {
          cpu.store(at(cache, i), cpu.load(at(target, start + len - 1)));
          cpu.store(at(target, start + len - 1), 0);
          return;
        }
        target = next;
        from = start;
      }
    }
  }
}

export function cacheAddSlab(cpu: Cpu, lhc: number, slab: number, rank: number): void {
  chainAdd(cpu, lhc, C_SLAB_MAP, rank * SLAB_MAP_STRIDE, SLAB_MAP_STRIDE, slab);
}

export function cacheRemoveSlab(cpu: Cpu, lhc: number, slab: number, rank: number): void {
  chainRemove(cpu, lhc, C_SLAB_MAP, rank * SLAB_MAP_STRIDE, SLAB_MAP_STRIDE, slab);
}

/** The first slab with free bins for `rank` (heap_cache_get_slab reads only the first entry). */
export function cacheFirstSlab(cpu: Cpu, lhc: number, rank: number): number {
  return cpu.load(lhc + C_SLAB_MAP + 8 * rank * SLAB_MAP_STRIDE);
}

export function cacheAddSuperpageWithFreeSlabs(cpu: Cpu, lhc: number, sp: number): void {
  chainAdd(cpu, lhc, C_SUPERPAGES_WITH_FREE_SLABS, 0, SUPERPAGE_CACHE_RATIO, sp);
}

export function cacheRemoveSuperpageWithFreeSlabs(cpu: Cpu, lhc: number, sp: number): void {
  chainRemove(cpu, lhc, C_SUPERPAGES_WITH_FREE_SLABS, 0, SUPERPAGE_CACHE_RATIO, sp);
}

/** superpages_with_free_slabs[i] of one block. */
export function freeSlabSuperpage(cpu: Cpu, cache: number, i: number): number {
  return cpu.load(cache + C_SUPERPAGES_WITH_FREE_SLABS + 8 * i);
}

/** heap_cache_expand(tail): claims the cache block of the superpage linked after the tail block's own. */
export function cacheExpand(cpu: Cpu, lhc: number, tail: number): void {
  const sp = superpageOf(tail);
  const next = cpu.load(sp + P_NEXT);
  const block = next + P_CACHE_BLOCK;
  cpu.store(block + C_IN_USE, 1, 1);
  cpu.atomicStore(tail + C_NEXT_CACHE_BLOCK, block);
  cpu.store(lhc + C_LENGTH, cpu.load(lhc + C_LENGTH) + 1);
}
