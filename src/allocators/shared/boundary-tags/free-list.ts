/**
 * The explicit free list of a boundary-tag heap: a doubly linked list threaded through the free
 * blocks themselves (links at +8 and +16, tagged ORIGIN_LINK), its head in the heap state. Either
 * kept in address order (the course's HW08 spec: "a singly linked list sorted by block address",
 * which makes first fit address-ordered and insertion O(n)) or LIFO (the CSE 351 starter: O(1)
 * insertion at the front).
 */
import { ORIGIN_LINK } from '../../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../../machine/cpu.ts';
import { HS_FREE, LINK_NEXT, LINK_PREV, WORK } from './layout.ts';

export type InsertPolicy = 'address' | 'lifo';
export const INSERT_POLICIES: readonly InsertPolicy[] = ['address', 'lifo'];

function setLinks(cpu: Cpu, b: number, next: number, prev: number): void {
  cpu.store(b + LINK_NEXT, next, 8, ORIGIN_LINK);
  cpu.store(b + LINK_PREV, prev, 8, ORIGIN_LINK);
}

/** Points `prev`'s next link (or the list head) at `b`, and `next`'s prev link back at `b`. */
function linkBetween(cpu: Cpu, heap: number, b: number, prev: number, next: number): void {
  if (prev === 0) cpu.store(heap + HS_FREE, b);
  else cpu.store(prev + LINK_NEXT, b, 8, ORIGIN_LINK);
  if (next !== 0) cpu.store(next + LINK_PREV, b, 8, ORIGIN_LINK);
}

/** Pushes `b` at the front. */
export function pushFront(cpu: Cpu, heap: number, b: number): void {
  cpu.work(WORK.listOp);
  const first = cpu.load(heap + HS_FREE);
  setLinks(cpu, b, first, 0);
  linkBetween(cpu, heap, b, 0, first);
}

/** Inserts `b` before the first block at a higher address; returns the blocks walked. */
export function insertSorted(cpu: Cpu, heap: number, b: number): number {
  cpu.work(WORK.listOp);
  let prev = 0;
  let cur = cpu.load(heap + HS_FREE);
  let steps = 0;
  while (cur !== 0 && cur < b) {
    cpu.work(WORK.insertStep);
    steps++;
    prev = cur;
    cur = cpu.load(cur + LINK_NEXT, 8, ORIGIN_LINK);
  }
  setLinks(cpu, b, cur, prev);
  linkBetween(cpu, heap, b, prev, cur);
  return steps;
}

/** Removes `b` from the list. */
export function unlink(cpu: Cpu, heap: number, b: number): void {
  cpu.work(WORK.listOp);
  const next = cpu.load(b + LINK_NEXT, 8, ORIGIN_LINK);
  const prev = cpu.load(b + LINK_PREV, 8, ORIGIN_LINK);
  if (prev === 0) cpu.store(heap + HS_FREE, next);
  else cpu.store(prev + LINK_NEXT, next, 8, ORIGIN_LINK);
  if (next !== 0) cpu.store(next + LINK_PREV, prev, 8, ORIGIN_LINK);
}

/**
 * Puts `b` in `old`'s place in the list (a split remainder, or a block that absorbed its free
 * successor, keeps the slot: address order is preserved without a walk).
 */
export function replace(cpu: Cpu, heap: number, old: number, b: number): void {
  cpu.work(WORK.listOp);
  const next = cpu.load(old + LINK_NEXT, 8, ORIGIN_LINK);
  const prev = cpu.load(old + LINK_PREV, 8, ORIGIN_LINK);
  setLinks(cpu, b, next, prev);
  linkBetween(cpu, heap, b, prev, next);
}
