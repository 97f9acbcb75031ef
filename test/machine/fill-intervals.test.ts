/**
 * FillIntervals (src/machine/fill-intervals.ts), the fill buffers' busy intervals: through random
 * misses and a rising floor, choose and firstBelow give what scans of every record give (the
 * record: the last done by t, else the first of those ending first; the time: the first from t on
 * when fewer than n intervals hold it, trying t and then each end in turn).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FillIntervals } from '../../src/machine/fill-intervals.ts';

/** The reference: every record scanned at each candidate time (core-timing.ts before the index). */
function scan(starts: number[], ends: number[], t: number, n: number): number {
  let s = t;
  for (;;) {
    let active = 0;
    let firstEnd = Infinity;
    for (let i = 0; i < ends.length; i++) {
      const e = ends[i] as number;
      if (e > s && (starts[i] as number) <= s) {
        active++;
        if (e < firstEnd) firstEnd = e;
      }
    }
    if (active < n) return s;
    s = firstEnd;
  }
}

/** The reference record choice (core-timing.ts before the index). */
function pick(ends: number[], t: number): number {
  let dead = -1;
  let oldest = 0;
  for (let i = 0; i < ends.length; i++) {
    const e = ends[i] as number;
    if (e <= t) dead = i;
    else if (e < (ends[oldest] as number)) oldest = i;
  }
  return dead >= 0 ? dead : oldest;
}

describe('FillIntervals', () => {
  it('answers as scans of every record do, with ties and intervals that start later', () => {
    let seed = 12345;
    const rand = (k: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % k;
    };
    for (const [records, n] of [
      [6, 2],
      [12, 4],
      [30, 8],
    ] as const) {
      const starts = new Array<number>(records).fill(0);
      const ends = new Array<number>(records).fill(0);
      const f = new FillIntervals(records);
      let floor = 0;
      let answers = 0;
      for (let step = 0; step < 3000; step++) {
        // Whole and half times, so that starts, ends and queries often tie.
        floor += rand(3) / 2;
        f.raiseFloor(floor);
        const t = floor + rand(4) / 2;
        const s = f.firstBelow(t, n);
        expect(s).toBe(scan(starts, ends, t, n));
        if (s > t) answers++;
        const i = f.choose(t);
        expect(i).toBe(pick(ends, t));
        const start = s + rand(3) / 2;
        const end = start + 1 + rand(20);
        f.replace(i, starts[i] as number, ends[i] as number, start, end);
        starts[i] = start;
        ends[i] = end;
      }
      // The buffers were full often enough for the walk to matter.
      expect(answers).toBeGreaterThan(100);
    }
  });

  it('firstBelow is the first time from t on, t or an end, when fewer than n intervals are in flight (property)', () => {
    // Random interval sets built through the class's own updates: times in quarter steps (ties
    // between starts, ends and queries are common), intervals starting later than the answer, a
    // floor rising by random steps, n from 1 to all the records.
    const step = fc.record({
      rise: fc.nat(4),
      at: fc.nat(6),
      delay: fc.oneof(fc.constant(0), fc.nat(12)),
      length: fc.integer({ min: 1, max: 40 }),
      record: fc.nat(1000),
      reuse: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 0, max: 23 }),
        fc.array(step, { minLength: 1, maxLength: 250 }),
        (records, k, steps) => {
          const n = 1 + (k % records);
          const starts = new Array<number>(records).fill(0);
          const ends = new Array<number>(records).fill(0);
          const f = new FillIntervals(records);
          let floor = 0;
          for (const st of steps) {
            floor += st.rise / 4;
            f.raiseFloor(floor);
            const t = floor + st.at / 4;
            const s = f.firstBelow(t, n);
            expect(s).toBe(scan(starts, ends, t, n));
            // Any record may be replaced (not only the one choose gives), as long as the new
            // interval starts at or after the floor.
            const i = st.reuse ? f.choose(t) : st.record % records;
            const start = Math.max(s, floor) + st.delay / 4;
            const end = start + st.length / 4;
            f.replace(i, starts[i] as number, ends[i] as number, start, end);
            starts[i] = start;
            ends[i] = end;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
