/**
 * Odin's `Tagged_Pointer` (a 57-bit pointer plus a 7-bit version in one u64) and the lock-free
 * Treiber stack both feoramalloc designs build with it (design 1: the superpage orphanage,
 * heap_push_orphan / heap_pop_orphan; design 2: the in-use segment orphanage and the remote free
 * lists, heap_orphan_segment / heap_adopt_orphan / atomic_pop_push_pointer).
 *
 * Simulated words are exact JS numbers only below 2^53, so the model keeps the version in bits
 * 47..52 (6 bits, period 64 instead of 128); user-space pointers fit in 47 bits. The low bits of
 * the pointer field may carry tags (design 2's "closed" bit and orphan count).
 */
import { ORIGIN_META } from '../../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../../machine/cpu.ts';

const POINTER_SPAN = 2 ** 47;
const VERSIONS = 64;

export function pack(pointerField: number, version: number): number {
  return (version % VERSIONS) * POINTER_SPAN + pointerField;
}

export function pointerField(word: number): number {
  return word % POINTER_SPAN;
}

export function version(word: number): number {
  return Math.floor(word / POINTER_SPAN);
}

/**
 * Pushes `node` (whose next link is at node + nextOffset) onto the stack at `head`: store the link,
 * CAS the head with version + 1, retry from the value seen on failure.
 */
export function treiberPush(cpu: Cpu, head: number, node: number, nextOffset: number, linkOrigin = ORIGIN_META): void {
  let old = cpu.atomicLoad(head);
  for (;;) {
    cpu.atomicStore(node + nextOffset, pointerField(old), false, 8, linkOrigin);
    if (cpu.cas(head, old, pack(node, version(old) + 1))) return;
    old = cpu.atomicLoad(head);
  }
}

/** Pops the head of the stack at `head` (0 when empty) and clears its link. */
export function treiberPop(cpu: Cpu, head: number, nextOffset: number): number {
  let old = cpu.atomicLoad(head);
  for (;;) {
    const node = pointerField(old);
    if (node === 0) return 0;
    const next = cpu.atomicLoad(node + nextOffset);
    if (cpu.cas(head, old, pack(next, version(old) + 1))) {
      cpu.atomicStore(node + nextOffset, 0);
      return node;
    }
    old = cpu.atomicLoad(head);
  }
}
