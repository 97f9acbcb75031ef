/**
 * Remote frees (heap_allocator_implementation.odin push_onto_remote_free_list,
 * heap_take_free_list, merge_slab_remote_free_list, open/close_free_list).
 *
 * A slab's remote_free_list word is a doubly-tagged pointer: a version against ABA and bit 0,
 * "closed", set while a live heap owns the slab. Closed: the freeing thread pushes the block onto
 * the owning heap's single remote_free_list (acquire-load of segment.heap, then a CAS loop).
 * Open (the owner exited): onto the slab's own list, merged when a thread adopts the segment.
 * Lock-free, not wait-free: every remote free aimed at one thread contends on one word.
 */
import { ORIGIN_LINK } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { pack, pointerField, treiberPush, version } from '../shared/odin-runtime/tagged-pointer.ts';
import { count, type V2Ctx } from './context.ts';
import { FREE_LIST_CLOSED, G_HEAP, H_REMOTE_FREE_LIST, L_REMOTE_FREE_LIST } from './layout.ts';
import { freeBin } from './slab.ts';

export function closeFreeList(cpu: Cpu, list: number): void {
  cpu.fetchOr(list, FREE_LIST_CLOSED);
}

export function openFreeList(cpu: Cpu, list: number): void {
  cpu.fetchAnd(list, ~FREE_LIST_CLOSED >>> 0);
}

export function isClosed(word: number): boolean {
  return pointerField(word) % 2 === FREE_LIST_CLOSED;
}

/** heap_take_free_list: swap the whole chain out (keeping the closed bit); 0 when empty. */
export function takeFreeList(cpu: Cpu, list: number): number {
  let old = cpu.atomicLoad(list);
  for (;;) {
    const field = pointerField(old);
    const head = field - (field % 2);
    if (head === 0) return 0;
    if (cpu.cas(list, old, pack(field % 2, version(old) + 1))) return head;
    old = cpu.atomicLoad(list);
  }
}

/** push_onto_remote_free_list(segment, &slab.remote_free_list, ptr). */
export function pushRemote(ctx: V2Ctx, cpu: Cpu, segment: number, slab: number, ptr: number): void {
  cpu.path(ctx.paths.remoteFree);
  count(ctx, cpu, 'remoteFrees');
  const list = slab + L_REMOTE_FREE_LIST;
  let old = cpu.atomicLoad(list);
  for (;;) {
    if (isClosed(old)) {
      const heap = cpu.atomicLoad(segment + G_HEAP);
      treiberPush(cpu, heap + H_REMOTE_FREE_LIST, ptr, 0, ORIGIN_LINK);
      count(ctx, cpu, 'remoteFreesToHeap');
      return;
    }
    const field = pointerField(old);
    cpu.store(ptr, field - (field % 2), 8, ORIGIN_LINK);
    if (cpu.cas(list, old, pack(ptr + (field % 2), version(old) + 1))) {
      count(ctx, cpu, 'remoteFreesToSlab');
      return;
    }
    old = cpu.atomicLoad(list);
  }
}

/** merge_slab_remote_free_list: free every block the slab's open list collected. */
export function mergeSlabRemoteFreeList(ctx: V2Ctx, cpu: Cpu, segment: number, slab: number): void {
  for (let p = takeFreeList(cpu, slab + L_REMOTE_FREE_LIST); p !== 0;) {
    const next = cpu.load(p, 8, ORIGIN_LINK);
    freeBin(ctx, cpu, segment, slab, p);
    count(ctx, cpu, 'mergedRemoteFrees');
    p = next;
  }
}
