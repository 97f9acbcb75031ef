/** The heap map's address axis cuts out gaps; each cell shows the memory that covers most of it. */
import { describe, expect, it } from 'vitest';
import type { HeapSample } from '../../src/experiment/heap-recorder.ts';
import {
  externalFragmentation,
  FREE,
  freeLeftOut,
  layoutSegments,
  OVERHEAD,
  sampleColumn,
  UNMAPPED,
} from '../../src/report/heapmap-layout.ts';

const sample = (over: Partial<HeapSample>): HeapSample => ({
  ops: 1,
  cycles: 1,
  live: [],
  regions: [],
  mapped: [],
  rssBytes: 0,
  liveBytes: 0,
  ...over,
});

describe('heap map layout', () => {
  it('cuts gaps over 64 KiB into separate segments', () => {
    const s = sample({
      live: [
        { addr: 0x10000, size: 4096, thread: 0 },
        { addr: 0x900000, size: 4096, thread: 1 },
      ],
    });
    const segs = layoutSegments([s], 100);
    expect(segs.map((g) => [g.start, g.end])).toEqual([
      [0x10000, 0x11000],
      [0x900000, 0x901000],
    ]);
    expect(segs[0]?.rows).toBe(50);
    expect(segs[1]?.row).toBe(50);
  });

  it('colours each row by what covers most of it: live by thread, free, mapped overhead, unmapped', () => {
    const s = sample({
      live: [{ addr: 0, size: 1024, thread: 2 }],
      regions: [{ addr: 1024, size: 1024, kind: 'free' }],
      mapped: [{ start: 0, end: 3072 }],
    });
    const segs = [{ start: 0, end: 4096, row: 0, rows: 4 }];
    expect(sampleColumn(s, segs)).toEqual([2, FREE, OVERHEAD, UNMAPPED]);
  });

  it('external fragmentation is 1 - largest free / all free', () => {
    expect(
      externalFragmentation(
        sample({
          regions: [
            { addr: 0, size: 300, kind: 'free' },
            { addr: 400, size: 100, kind: 'free' },
          ],
        }),
      ),
    ).toBeCloseTo(0.25);
    expect(externalFragmentation(sample({}))).toBe(0);
  });

  it("zooms to the heap's activity: a large free reservation does not widen the map, and is counted as left out", () => {
    const s = sample({
      live: [{ addr: 0x1000000, size: 4096, thread: 0 }],
      regions: [
        { addr: 0x1001000, size: 4096, kind: 'metadata' },
        { addr: 0x1002000, size: (16 << 20) - 0x2000, kind: 'free' },
      ],
    });
    const segs = layoutSegments([s], 100);
    expect(segs.map((g) => [g.start, g.end])).toEqual([[0x1000000, 0x1002000]]);
    expect(freeLeftOut([s], segs)).toBe((16 << 20) - 0x2000);
  });
});
