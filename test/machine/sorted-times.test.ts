/**
 * SortedTimes (src/machine/sorted-times.ts), the fill buffers' sorted start and end times: after
 * any sequence of replacements it holds the same multiset as the records, in ascending order, and
 * firstAbove counts the entries at or below a time.
 */
import { describe, expect, it } from 'vitest';
import { SortedTimes } from '../../src/machine/sorted-times.ts';

describe('SortedTimes', () => {
  it('keeps the records’ values sorted through random replacements, with ties', () => {
    const n = 6;
    const records = new Array<number>(n).fill(0);
    const s = new SortedTimes(n);
    let seed = 12345;
    const rand = (k: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % k;
    };
    for (let step = 0; step < 2000; step++) {
      const i = rand(n);
      // Small integers give many equal values; halves test non-integers.
      const v = rand(50) / (rand(2) + 1);
      s.replace(records[i] as number, v);
      records[i] = v;
      const want = [...records].sort((a, b) => a - b);
      expect(Array.from(s.at)).toEqual(want);
      const t = rand(60) / 2;
      expect(s.firstAbove(t)).toBe(records.filter((r) => r <= t).length);
    }
  });
});
