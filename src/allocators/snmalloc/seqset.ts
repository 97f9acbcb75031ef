/**
 * SeqSet (src/snmalloc/ds_aal/seqset.h): an intrusive, cyclic, doubly linked list threaded through
 * the first two words of the slab metadata (`node.next`, `node.prev`). The allocator keeps one per
 * size class (`available`) and one for sleeping slabs and live large objects (`laden`). Insertion
 * is at the front; `pop<true>` (fast builds) takes the front, i.e. the newest slab, `pop<false>`
 * (reuse_LIFO, check builds) the back, the oldest. Removal touches both neighbours' lines.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { hex } from '../../sim/hex.ts';
import { Invariant } from '../shared/invariants.ts';

const NEXT = 0;
const PREV = 8;

/**
 * SeqSet::Node::invariant(): both links set, next->prev and prev->next lead back to the node. Checked
 * where seqset.h calls it: the head in is_empty and pop, the node and both neighbours before and
 * after a removal, the node and the head after an insertion, the first node of an iteration.
 */
export const SEQSET_NODE = new Invariant('snmalloc seqset', (cpu, n) => {
  const next = cpu.load(n + NEXT);
  const prev = cpu.load(n + PREV);
  if (next === 0 || prev === 0) return `a null link (next ${hex(next)}, prev ${hex(prev)})`;
  const back = cpu.load(next + PREV);
  if (back !== n) return `next->prev is ${hex(back)}, not the node (next ${hex(next)})`;
  const forth = cpu.load(prev + NEXT);
  if (forth !== n) return `prev->next is ${hex(forth)}, not the node (prev ${hex(prev)})`;
  return null;
});

/** An empty set: head.next = head.prev = head (its constexpr constructor). */
export function seqInit(cpu: Cpu, head: number): void {
  cpu.store(head + NEXT, head);
  cpu.store(head + PREV, head);
}

export function seqIsEmpty(cpu: Cpu, head: number): boolean {
  SEQSET_NODE.check(cpu, head);
  return cpu.load(head + NEXT) === head;
}

export function seqInsert(cpu: Cpu, head: number, n: number): void {
  const hn = cpu.load(head + NEXT);
  cpu.store(n + NEXT, hn);
  cpu.store(hn + PREV, n);
  cpu.store(n + PREV, head);
  cpu.store(head + NEXT, n);
  SEQSET_NODE.check(cpu, n);
  SEQSET_NODE.check(cpu, head);
}

export function seqRemove(cpu: Cpu, n: number): void {
  const next = cpu.load(n + NEXT);
  const prev = cpu.load(n + PREV);
  SEQSET_NODE.check(cpu, n);
  SEQSET_NODE.check(cpu, next);
  SEQSET_NODE.check(cpu, prev);
  cpu.store(next + PREV, prev);
  cpu.store(prev + NEXT, next);
  SEQSET_NODE.check(cpu, next);
  SEQSET_NODE.check(cpu, prev);
}

/** pop<fifo>: the front (newest) when `front`, else the back (oldest). The set must not be empty. */
export function seqPop(cpu: Cpu, head: number, front: boolean): number {
  SEQSET_NODE.check(cpu, head);
  const n = cpu.load(head + (front ? NEXT : PREV));
  seqRemove(cpu, n);
  SEQSET_NODE.check(cpu, head);
  return n;
}

/** Applies `f` to every element; `f` may remove the element it is given. */
export function seqIterate(cpu: Cpu, head: number, f: (n: number) => void): void {
  let curr = cpu.load(head + NEXT);
  SEQSET_NODE.check(cpu, curr);
  while (curr !== head) {
    const next = cpu.load(curr + NEXT);
    f(curr);
    curr = next;
  }
}

/** The elements, for heap walks (read with whatever Cpu the caller gives; bounded against cycles). */
export function seqList(cpu: Cpu, head: number, limit = 1 << 22): number[] {
  const out: number[] = [];
  let curr = cpu.load(head + NEXT);
  while (curr !== head && curr !== 0 && out.length < limit) {
    out.push(curr);
    curr = cpu.load(curr + NEXT);
  }
  return out;
}
