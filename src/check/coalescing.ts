/**
 * The coalescing invariant of models that merge free neighbours at once (boundary tags, an
 * address-sorted free list): after any free, no two free regions of the heap touch. A model
 * declares it with `describe().constants.coalescing === 'immediate'`; designs that merge only
 * buddies (buddy), or later (deferred coalescing), or never (size-class slabs) do not declare it.
 */
import { hex } from './violations.ts';

/** A region of a model's heap walk (the shape of the allocator contract's Region). */
export interface Region {
  addr: number;
  size: number;
  kind: string;
}

/** Does the model declare immediate coalescing? */
export function coalescesImmediately(constants: Readonly<Record<string, unknown>>): boolean {
  return constants.coalescing === 'immediate';
}

/** The first pair of free regions that touch (sorted by address), or undefined. */
export function adjacentFree(regions: readonly Region[]): [Region, Region] | undefined {
  const free = regions.filter((r) => r.kind === 'free').sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < free.length; i++) {
    const a = free[i - 1] as Region;
    const b = free[i] as Region;
    if (a.addr + a.size === b.addr) return [a, b];
  }
  return undefined;
}

export function notCoalescedMessage(op: string, pair: [Region, Region]): string {
  const [a, b] = pair;
  return `after ${op} the free blocks ${hex(a.addr)} (${a.size} bytes) and ${hex(b.addr)} (${b.size} bytes) touch but were not merged; the model declares immediate coalescing`;
}
