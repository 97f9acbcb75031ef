/**
 * The heap walk accounts for every byte of a page in use: its blocks (live, or on a free list),
 * and the bytes before the first block (mi_segment_page_start's start offset: 3 blocks for blocks
 * of at most 64 bytes) and past the reserved ones, which are the allocator's. Without those two,
 * an object freed while the page held other blocks, and lying there since, was reported lost.
 */
import { describe, expect, it } from 'vitest';
import { blockSize, pageOf, pageStart, segmentOf } from '../../../src/allocators/mimalloc/internal.ts';
import { pageStartOffset } from '../../../src/allocators/mimalloc/bins.ts';
import { SLICE_SIZE } from '../../../src/allocators/mimalloc/types.ts';
import { harness } from './helpers.ts';

describe('the mimalloc heap walk', () => {
  it.each([11, 20, 48, 100, 3000])('covers every byte of the slices of a page of %i-byte blocks', (size) => {
    const h = harness('mimalloc');
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const live = Array.from({ length: 40 }, () => h.model.malloc(t0, size));
    for (let i = 0; i < live.length; i += 2) h.model.free(t0, live[i] as number);
    const p = live[1] as number;
    const m = h.model.m;
    const page = pageOf(m, t0, segmentOf(p), p);
    const bsize = blockSize(m, t0, page);
    const area = pageStart(m, t0, page, bsize) - pageStartOffset(bsize);
    const slices = t0.load(page + m.layout.page.sliceCount, 4);
    const regions = [
      ...(h.model.heapWalk?.(t0) ?? []),
      ...live.filter((_, i) => i % 2 === 1).map((addr) => ({ addr: addr as number, size: bsize })),
    ].sort((a, b) => a.addr - b.addr);
    // Walk the page's slices from their start: every byte is in some region.
    let at = area;
    const end = area + slices * SLICE_SIZE;
    for (const r of regions) {
      if (r.addr + r.size <= at) continue;
      if (r.addr > at) break;
      at = r.addr + r.size;
      if (at >= end) break;
    }
    expect(at - area).toBeGreaterThanOrEqual(end - area);
  });
});
