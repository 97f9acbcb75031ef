/** The summary's arithmetic: spreads over seeds, figures relative to the baseline, failed runs. */
import { describe, expect, it } from 'vitest';
import type { GridPoint } from '../../src/experiment/grid.ts';
import type { Result } from '../../src/experiment/result.ts';
import { spread, summarize } from '../../src/experiment/summary.ts';

function point(i: number, allocator: string, threads: number, seed: number): GridPoint {
  return { index: i, allocatorLabel: allocator, benchmark: 'w', threads, swept: {}, config: { allocator, workload: 'w', seed } };
}

function result(cycles: number, rss: number, ops = 100, failed = false): Result {
  return {
    time: { cycles, ops, opsPerKcycle: (ops / cycles) * 1000, seconds: 0, threads: [] },
    memory: { rssPeakBytes: rss },
    atomics: { total: ops / 2 },
    cache: { l1Misses: ops * 3, llcMisses: ops, coherenceMisses: 0, byOrigin: { allocator: { l1Misses: ops } } },
    check: { enabled: false, violations: [], workloadFaults: [] },
    ...(failed ? { error: { kind: 'model-error', message: 'x' } } : {}),
  } as unknown as Result;
}

describe('spread', () => {
  it('is the mean, extremes and sample standard deviation', () => {
    expect(spread([2, 4, 6])).toEqual({ mean: 4, min: 2, max: 6, stddev: 2 });
    expect(spread([5])).toEqual({ mean: 5, min: 5, max: 5, stddev: 0 });
    expect(spread([])).toBeNull();
  });
});

describe('summarize', () => {
  const points = [point(0, 'A', 1, 1), point(1, 'A', 1, 2), point(2, 'B', 1, 1), point(3, 'B', 1, 2), point(4, 'B', 2, 1)];
  const results = [result(100, 1000), result(300, 3000), result(150, 1000), result(250, 2000), result(80, 500)];

  it('divides each cell by the baseline mean at the same benchmark and thread count', () => {
    const s = summarize(points, results, 'A');
    const b1 = s.cells.find((c) => c.allocator === 'B' && c.threads === 1);
    expect(b1?.relTime).toEqual({ mean: 1, min: 0.75, max: 1.25, stddev: (Math.SQRT2 * 50) / 200 });
    expect(b1?.relRss?.mean).toBeCloseTo(1500 / 2000, 12);
    expect(b1?.atomicsPerOp?.mean).toBe(0.5);
    expect(b1?.allocatorMissShare?.mean).toBeCloseTo(1 / 3, 12);
    // No baseline run at 2 threads: no relative figure rather than a wrong one.
    expect(s.cells.find((c) => c.threads === 2)?.relTime).toBeNull();
    expect(s.overall.find((o) => o.allocator === 'B')?.relTimeGeomean).toBe(1);
  });

  it('leaves failed runs out of the figures and counts them', () => {
    const bad = [...results];
    bad[3] = result(1e9, 1e9, 100, true);
    const c = summarize(points, bad, 'A').cells.find((x) => x.allocator === 'B' && x.threads === 1);
    expect(c?.failed).toBe(1);
    expect(c?.runs).toBe(2);
    expect(c?.cycles?.mean).toBe(150);
  });
});
