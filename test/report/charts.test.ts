/**
 * Charts with many benchmarks keep paper proportions: a log scale when one bar would flatten the
 * rest, rows of at most 12 groups, no empty thread-count panels, no `t=0` labels.
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/experiment/summary.ts';
import { chartSpec, chartSVG } from '../../src/report/charts.ts';

const spread = (x: number): { mean: number; min: number; max: number; stddev: number } => ({ mean: x, min: x, max: x, stddev: 0 });

function summary(workloads: number, threads: readonly number[], outlier: number): Summary {
  const allocators = ['a', 'b', 'c', 'd'];
  const cells = [];
  for (let w = 0; w < workloads; w++) {
    for (const t of threads) {
      for (const [k, a] of allocators.entries()) {
        const rel = w === 0 && k === 3 ? outlier : 1 + k / 10;
        cells.push({
          benchmark: `w${w}`,
          threads: t,
          allocator: a,
          model: a,
          params: {},
          seeds: [1],
          runs: 1,
          failed: 0,
          relTime: spread(rel),
          relRss: spread(1),
          opsPerKcycle: spread(5 + t),
        });
      }
    }
  }
  return { baseline: 'a', cells, overall: [] } as unknown as Summary;
}

describe('charts', () => {
  it('4 allocators × 15 single-threaded workloads with a 99.5× bar: log scale, rows of 12, no thread panels, no t=0', async () => {
    const spec = JSON.stringify(chartSpec(summary(15, [0], 99.5), 'many'));
    expect(spec).toContain('"title":"× baseline (log scale)"');
    expect(spec).toContain('"facet":{"row":{"field":"chunk"');
    expect(spec).not.toContain('throughput against thread count');
    expect(spec).not.toContain('t=0');
    const svg = await chartSVG(summary(15, [0], 99.5), 'many');
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    expect(width).toBeGreaterThan(300);
    expect(width).toBeLessThan(1400); // was 3,804 px
  });

  it('small spreads stay linear from zero; thread panels only for benchmarks run at several thread counts', () => {
    const spec = chartSpec(summary(2, [1, 2, 4], 1.5), 'few') as unknown as { vconcat: Array<Record<string, unknown>> };
    expect(JSON.stringify(spec.vconcat[0])).toContain('"scale":{"zero":true}');
    const threads = spec.vconcat[2] as { transform: Array<{ filter: { oneOf: string[] } }> };
    expect(threads.transform[0]?.filter.oneOf).toEqual(['w0', 'w1']);
  });
});
