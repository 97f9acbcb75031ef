/**
 * Reading a boundary-tag heap without changing it: the heap walk (free blocks as the free list
 * reaches them, tags and chunk headers as metadata) and a consistency check in the spirit of the
 * CS:APP checkheap / CSE 351 examine_heap helpers, used by tests.
 */
import { ORIGIN_LINK } from '../../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../../machine/cpu.ts';
import type { HeapRegion } from '../../kit/contract.ts';
import { CH_FIRST_BLOCK, CH_LEN, CH_NEXT, HS_CHUNKS, HS_FREE, INUSE, LINK_NEXT, LINK_PREV, tagSize } from './layout.ts';

/** Chunk bases of a heap, newest first. */
export function chunksOf(cpu: Cpu, heap: number): number[] {
  const out: number[] = [];
  for (let c = cpu.load(heap + HS_CHUNKS); c !== 0; c = cpu.load(c + CH_NEXT)) out.push(c);
  return out;
}

/** Free blocks in list order. Stops after `limit` steps (a corrupted list may cycle). */
export function freeListOf(cpu: Cpu, heap: number, limit = 1 << 22): number[] {
  const out: number[] = [];
  for (let b = cpu.load(heap + HS_FREE); b !== 0 && out.length < limit; b = cpu.load(b + LINK_NEXT, 8, ORIGIN_LINK)) out.push(b);
  return out;
}

/**
 * The heap's regions: every block the free list reaches is 'free' (allocatable again); chunk
 * headers, sentinels and the tags of allocated blocks are 'metadata'. A block whose tags say free
 * but which the list does not reach is reported as neither: it is lost.
 */
export function walkTagHeap(cpu: Cpu, heap: number): HeapRegion[] {
  const regions: HeapRegion[] = [];
  for (const b of freeListOf(cpu, heap)) regions.push({ addr: b, size: tagSize(cpu.load(b)), kind: 'free' });
  for (const c of chunksOf(cpu, heap)) {
    const len = cpu.load(c + CH_LEN);
    regions.push({ addr: c, size: CH_FIRST_BLOCK, kind: 'metadata' });
    regions.push({ addr: c + len - 8, size: 8, kind: 'metadata' });
    for (let b = c + CH_FIRST_BLOCK; b < c + len - 8;) {
      const tag = cpu.load(b);
      const size = tagSize(tag);
      if (size === 0) break;
      if ((tag & INUSE) !== 0) {
        regions.push({ addr: b, size: 8, kind: 'metadata' });
        regions.push({ addr: b + size - 8, size: 8, kind: 'metadata' });
      }
      b += size;
    }
  }
  return regions;
}

/** Consistency problems of a heap (empty when sound): tags, coalescing, the list and the blocks agree. */
export function examineTagHeap(cpu: Cpu, heap: number): string[] {
  const problems: string[] = [];
  const byTags = new Set<number>();
  for (const c of chunksOf(cpu, heap)) {
    const end = c + cpu.load(c + CH_LEN) - 8;
    let prevFree = false;
    let b = c + CH_FIRST_BLOCK;
    while (b < end) {
      const tag = cpu.load(b);
      const size = tagSize(tag);
      if (size < 32 || b + size > end) {
        problems.push(`block 0x${b.toString(16)} has a bad size ${size}`);
        break;
      }
      if (cpu.load(b + size - 8) !== tag) problems.push(`block 0x${b.toString(16)}: header and footer differ`);
      const free = (tag & INUSE) === 0;
      if (free && prevFree) problems.push(`block 0x${b.toString(16)} and the block before it are both free (missed coalescing)`);
      if (free) byTags.add(b);
      prevFree = free;
      b += size;
    }
    if (b === end && cpu.load(end) !== INUSE) problems.push(`chunk 0x${c.toString(16)}: epilogue damaged`);
  }
  const list = freeListOf(cpu, heap, byTags.size + 2);
  let prev = 0;
  for (const b of list) {
    if (!byTags.has(b)) problems.push(`free list holds 0x${b.toString(16)}, which is not a free block`);
    if (cpu.load(b + LINK_PREV, 8, ORIGIN_LINK) !== prev) problems.push(`free list: 0x${b.toString(16)} has a wrong prev link`);
    prev = b;
  }
  if (list.length !== byTags.size) problems.push(`free list has ${list.length} blocks, the tags say ${byTags.size}`);
  return problems;
}
