import { describe, expect, it } from 'vitest';
import { csvField, toCSV } from '../../src/report/csv.ts';
import type { Summary } from '../../src/experiment/summary.ts';

describe('CSV', () => {
  it('quotes fields with commas, quotes and newlines (RFC 4180) and leaves none empty but nulls', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
    expect(csvField(0)).toBe('0');
    expect(csvField(null)).toBe('');
  });

  it('writes one row per cell with a header of the same width', () => {
    const s = {
      baseline: 'a',
      overall: [],
      cells: [
        {
          benchmark: 'w x=1,2',
          threads: 2,
          allocator: 'a',
          model: 'a',
          seeds: [1],
          runs: 1,
          failed: 0,
          relTime: { mean: 1, min: 1, max: 1, stddev: 0 },
        },
      ],
    } as unknown as Summary;
    const [head, row, end] = toCSV(s).split('\n');
    expect(end).toBe('');
    expect(head?.startsWith('benchmark,threads,allocator,model,baseline,runs,failed,rel_time,rel_time_min')).toBe(true);
    expect(row?.startsWith('"w x=1,2",2,a,a,a,1,0,1,1,1,0,')).toBe(true);
    expect(row?.replace('"w x=1,2"', 'w').split(',')).toHaveLength(head?.split(',').length ?? -1);
  });

  it('has a column per swept parameter, empty where the parameter does not apply', () => {
    const cell = (allocator: string, params: Record<string, number>): unknown => ({
      benchmark: 'w',
      threads: 1,
      allocator,
      model: 'm',
      params,
      seeds: [1],
      runs: 1,
      failed: 0,
    });
    const s = {
      baseline: 'a',
      overall: [],
      cells: [cell('snmalloc', {}), cell('snmalloc+batchit sets=2', { sets: 2 }), cell('snmalloc+batchit sets=4', { sets: 4 })],
    } as unknown as Summary;
    const [head, a, b, c] = toCSV(s).split('\n');
    expect(head?.split(',').slice(0, 8)).toEqual([
      'benchmark',
      'threads',
      'allocator',
      'model',
      'baseline',
      'runs',
      'failed',
      'param_sets',
    ]);
    expect([a, b, c].map((r) => r?.split(',')[7])).toEqual(['', '2', '4']);
  });
});
