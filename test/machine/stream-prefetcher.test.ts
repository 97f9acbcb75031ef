/** The L2 stream prefetcher (src/machine/stream-prefetcher.ts) and what it does to a thread's time. */
import { describe, expect, it } from 'vitest';
import { StreamPrefetcher } from '../../src/machine/stream-prefetcher.ts';
import { Machine, cacheStats, machinePreset } from '../../src/machine/index.ts';

describe('StreamPrefetcher', () => {
  it('fetches two lines ahead per miss once a direction is seen twice, within the page and the distance', () => {
    const p = new StreamPrefetcher(4);
    p.miss(7, 10);
    expect(p.count).toBe(0);
    p.miss(7, 11);
    expect(p.count).toBe(0); // the first step sets the direction
    p.miss(7, 12);
    expect(Array.from(p.lines.subarray(0, p.count))).toEqual([13, 14]);
    p.miss(7, 13);
    expect(Array.from(p.lines.subarray(0, p.count))).toEqual([15, 16]);
    p.miss(7, 14);
    expect(Array.from(p.lines.subarray(0, p.count))).toEqual([17, 18]);
    p.miss(7, 15);
    expect(Array.from(p.lines.subarray(0, p.count))).toEqual([19]); // at most 4 ahead of line 15
    // Descending streams too, and never past the page's first line.
    const q = new StreamPrefetcher(20);
    q.miss(3, 2);
    q.miss(3, 1);
    q.miss(3, 0);
    expect(q.count).toBe(0);
  });

  it('a sequential walk of lines another core wrote costs an L2 hit per line, not a transfer', () => {
    function walk(streamer: boolean): number {
      const spec = machinePreset('xeon72');
      if (!streamer) spec.core.streamerDistance = 0;
      const m = new Machine(spec, { seed: 1 });
      const writer = m.cpu(0, 0);
      const reader = m.cpu(1, 1);
      const base = writer.mmap(4096);
      // A linked list in address order, one node per line, written by the other core.
      for (let i = 0; i < 63; i++) writer.store(base + i * 64, base + (i + 1) * 64);
      writer.serialize();
      reader.now = writer.now;
      const t0 = reader.now;
      let p = base;
      for (let i = 0; i < 63; i++) p = reader.load(p);
      reader.use(p);
      if (streamer) expect(cacheStats(m).prefetches).toBeGreaterThan(50);
      return reader.now - t0;
    }
    const { c2cTransfer } = machinePreset('xeon72').costs;
    expect(walk(false)).toBeGreaterThanOrEqual(63 * c2cTransfer);
    expect(walk(true)).toBeLessThan(63 * c2cTransfer * 0.25);
  });
});
