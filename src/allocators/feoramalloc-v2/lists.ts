/**
 * The heap's intrusive slab lists (heap_allocator_implementation.odin _push_slab, _pop_slab,
 * heap_remove_free_slab, heap_add_ranked_slab, heap_remove_ranked_slab): free slabs by size class
 * and slabs with free bins by rank, doubly linked through the slab records. Owner-only.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { H_FREE_SLABS, H_SLABS_BY_RANK, L_BIN_RANK, L_NEXT_SLAB, L_PREV_SLAB } from './layout.ts';

export function pushSlab(cpu: Cpu, head: number, slab: number): void {
  const first = cpu.load(head);
  cpu.store(slab + L_PREV_SLAB, 0);
  cpu.store(slab + L_NEXT_SLAB, first);
  if (first !== 0) cpu.store(first + L_PREV_SLAB, slab);
  cpu.store(head, slab);
}

export function popSlab(cpu: Cpu, head: number): number {
  const slab = cpu.load(head);
  const next = cpu.load(slab + L_NEXT_SLAB);
  if (next !== 0) cpu.store(next + L_PREV_SLAB, 0);
  cpu.store(head, next);
  cpu.store(slab + L_NEXT_SLAB, 0);
  return slab;
}

function unlink(cpu: Cpu, slab: number): void {
  const prev = cpu.load(slab + L_PREV_SLAB);
  const next = cpu.load(slab + L_NEXT_SLAB);
  if (prev !== 0) cpu.store(prev + L_NEXT_SLAB, next);
  if (next !== 0) cpu.store(next + L_PREV_SLAB, prev);
  cpu.store(slab + L_PREV_SLAB, 0);
  cpu.store(slab + L_NEXT_SLAB, 0);
}

/** heap_remove_free_slab: off whichever free-slab list it heads, then unlinked. */
export function removeFreeSlab(cpu: Cpu, heap: number, slab: number): void {
  for (let c = 0; c < 3; c++) {
    const head = heap + H_FREE_SLABS + 8 * c;
    if (cpu.load(head) === slab) {
      cpu.store(head, cpu.load(slab + L_NEXT_SLAB));
      break;
    }
  }
  unlink(cpu, slab);
}

export function addRankedSlab(cpu: Cpu, heap: number, slab: number): void {
  const head = heap + H_SLABS_BY_RANK + 8 * cpu.load(slab + L_BIN_RANK);
  pushSlab(cpu, head, slab);
}

export function removeRankedSlab(cpu: Cpu, heap: number, slab: number): void {
  const head = heap + H_SLABS_BY_RANK + 8 * cpu.load(slab + L_BIN_RANK);
  if (cpu.load(head) === slab) cpu.store(head, cpu.load(slab + L_NEXT_SLAB));
  unlink(cpu, slab);
}

export function freeSlabList(heap: number, cls: number): number {
  return heap + H_FREE_SLABS + 8 * cls;
}
