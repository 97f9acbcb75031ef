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
    const s = { baseline: 'a', overall: [], cells: [{ benchmark: 'w x=1,2', threads: 2, allocator: 'a', model: 'a', seeds: [1], runs: 1, failed: 0, relTime: { mean: 1, min: 1, max: 1, stddev: 0 } }] } as unknown as Summary;
    const [head, row, end] = toCSV(s).split('\n');
    expect(end).toBe('');
    expect(head?.startsWith('benchmark,threads,allocator,model,baseline,runs,failed,rel_time,rel_time_min')).toBe(true);
    expect(row?.startsWith('"w x=1,2",2,a,a,a,1,0,1,1,1,0,')).toBe(true);
    expect(row?.replace('"w x=1,2"', 'w').split(',')).toHaveLength(head?.split(',').length ?? -1);
  });
});
