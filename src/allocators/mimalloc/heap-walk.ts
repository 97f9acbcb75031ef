/**
 * The heap walk (for the checker's lost-object test and heap pictures), in the spirit of mimalloc's
 * mi_heap_visit_blocks but over the whole process: every segment (the arenas' in-use blocks, and
 * OS-allocated segments found in the address map), its free spans, and in each page the blocks of
 * its three free lists and its not yet extended tail; blocks in heaps' delayed-free lists and in
 * BatchIt caches are reported as `cached`. Read with a quiet Cpu: no cost, no side effects.
 */
import type { HeapRegion } from '../kit/contract.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { A_BLOCKS_INUSE, A_BLOCK_COUNT, A_START, ARENA_BLOCK_SIZE } from './arena.ts';
import { bitmapTest } from './bitmap.ts';
import {
  G_ARENAS,
  G_ARENA_COUNT,
  blockNext,
  blockNextHeap,
  blockSize,
  pageOf,
  pageStart,
  segmentOf,
  sliceAt,
  type Mi,
} from './internal.ts';
import { sliceIsUsed } from './segment-span.ts';
import { forEachThreadFree } from './thread-free.ts';
import { SLICE_SIZE } from './types.ts';

/** The segments in use, found through the arenas' in-use bits (arena blocks not in use are free regions). */
function segments(m: Mi, cpu: Cpu, free: HeapRegion[]): number[] {
  const out: number[] = [];
  const n = cpu.load(m.statics + G_ARENA_COUNT);
  for (let i = 0; i < n; i++) {
    const arena = cpu.load(m.statics + G_ARENAS + i * 8);
    if (arena === 0) continue;
    const start = cpu.load(arena + A_START);
    const blocks = cpu.load(arena + A_BLOCK_COUNT);
    for (let b = 0; b < blocks;) {
      if (!bitmapTest(cpu, arena + A_BLOCKS_INUSE, b)) {
        free.push({ addr: start + b * ARENA_BLOCK_SIZE, size: ARENA_BLOCK_SIZE, kind: 'free' });
        b++;
        continue;
      }
      const segment = start + b * ARENA_BLOCK_SIZE;
      out.push(segment);
      b += Math.max(1, Math.ceil(cpu.load(segment + m.layout.segment.segmentSize) / ARENA_BLOCK_SIZE));
    }
  }
  for (const v of m.machine.as.vmas) if (v.name === 'mimalloc:os-segment') out.push(v.start);
  return out;
}

/**
 * A page in use, whose slices span [area, area + areaSize): its blocks' three free lists and the
 * unextended tail are free. The bytes before its first block (mi_segment_page_start's start offset,
 * which aligns small blocks) and past its reserved blocks belong to no block: the allocator's,
 * like metadata. (An object freed while the page held bigger blocks may lie there now.)
 */
function walkPage(m: Mi, cpu: Cpu, page: number, area: number, areaSize: number, out: HeapRegion[], heaps: Set<number>): void {
  const P = m.layout.page;
  const bsize = blockSize(m, cpu, page);
  const start = pageStart(m, cpu, page, bsize);
  if (start > area) out.push({ addr: area, size: start - area, kind: 'metadata' });
  const free = (b: number): void => {
    out.push({ addr: b, size: bsize, kind: 'free' });
  };
  for (let b = cpu.load(page + P.free); b !== 0; b = blockNext(m, cpu, page, b)) free(b);
  for (let b = cpu.load(page + P.localFree); b !== 0; b = blockNext(m, cpu, page, b)) free(b);
  forEachThreadFree(m, cpu, page, free);
  const capacity = cpu.load(page + P.capacity, 2);
  const reserved = cpu.load(page + P.reserved, 2);
  if (reserved > capacity) out.push({ addr: start + capacity * bsize, size: (reserved - capacity) * bsize, kind: 'free' });
  const end = start + reserved * bsize;
  if (end < area + areaSize) out.push({ addr: end, size: area + areaSize - end, kind: 'metadata' });
  const heap = cpu.load(page + P.xheap);
  if (heap !== 0) heaps.add(heap);
}

function walkSegment(m: Mi, cpu: Cpu, segment: number, out: HeapRegion[], heaps: Set<number>): void {
  const P = m.layout.page;
  const S = m.layout.segment;
  const info = cpu.load(segment + S.infoSlices);
  out.push({ addr: segment, size: info * SLICE_SIZE, kind: 'metadata' });
  const end = sliceAt(m, segment, cpu.load(segment + S.sliceEntries));
  let idx = info;
  for (let slice = sliceAt(m, segment, info); slice < end;) {
    const count = Math.max(1, cpu.load(slice + P.sliceCount, 4));
    if (sliceIsUsed(m, cpu, slice)) walkPage(m, cpu, slice, segment + idx * SLICE_SIZE, count * SLICE_SIZE, out, heaps);
    else out.push({ addr: segment + idx * SLICE_SIZE, size: count * SLICE_SIZE, kind: 'free' });
    slice += count * P.size;
    idx += count;
  }
}

export function heapWalk(m: Mi, cpu: Cpu): HeapRegion[] {
  const out: HeapRegion[] = [];
  const heaps = new Set<number>();
  for (const segment of segments(m, cpu, out)) walkSegment(m, cpu, segment, out, heaps);
  for (const heap of heaps) {
    for (let b = cpu.load(heap + m.layout.heap.threadDelayedFree); b !== 0; b = blockNextHeap(m, cpu, heap, b)) {
      out.push({ addr: b, size: blockSize(m, cpu, pageOf(m, cpu, segmentOf(b), b)), kind: 'cached' });
    }
    if (m.batch === null) continue;
    for (const ring of m.batch.openRings(cpu, heap + m.tdBatch)) {
      const bsize = blockSize(m, cpu, ring.key);
      let b = ring.head;
      for (let i = 0; i < ring.length; i++) {
        out.push({ addr: b, size: bsize, kind: 'cached' });
        if (i < ring.length - 1) b = blockNext(m, cpu, ring.key, b);
      }
    }
  }
  return out;
}
