/** The Perf index schemes, on figures worked by hand. */
import { describe, expect, it } from 'vitest';
import { cmuIndex, courseIndex, csappIndex, ramp, type InputScore } from '../../src/experiment/perf-index.ts';

const input = (label: string, util: number, ops: number, cycles: number, valid = true): InputScore => ({ label, util, ops, cycles, valid });

describe('CS:APP: 0.6 U + 0.4 min(1, T/Tref)', () => {
  it('averages utilization and compares total throughput', () => {
    const w = csappIndex(
      [input('a', 0.5, 100, 1000), input('b', 1, 100, 1000)],
      [
        { ops: 100, cycles: 500 },
        { ops: 100, cycles: 500 },
      ],
      'glibc',
    );
    expect(w.util).toBeCloseTo(0.75);
    expect(w.thruRatio).toBeCloseTo(0.5);
    expect(w.utilPoints).toBeCloseTo(45);
    expect(w.thruPoints).toBeCloseTo(20);
    expect(w.total).toBeCloseTo(65);
  });

  it('caps throughput at the reference', () => {
    const w = csappIndex([input('a', 1, 100, 10)], [{ ops: 100, cycles: 1000 }], 'glibc');
    expect(w.thruRatio).toBeCloseTo(100);
    expect(w.total).toBeCloseTo(100);
  });

  it('any invalid input makes the score 0', () => {
    const w = csappIndex(
      [input('a', 1, 100, 10), input('b', 1, 100, 10, false)],
      [
        { ops: 1, cycles: 1 },
        { ops: 1, cycles: 1 },
      ],
      'glibc',
    );
    expect(w.total).toBe(0);
    expect(w.invalid).toEqual(['b']);
  });
});

describe('CMU: interpolation between thresholds, geometric mean of throughput', () => {
  it('ramps linearly and clamps', () => {
    expect(ramp(0.55, 0.55, 0.74)).toBe(0);
    expect(ramp(0.645, 0.55, 0.74)).toBeCloseTo(0.5);
    expect(ramp(0.9, 0.55, 0.74)).toBe(1);
  });

  it('uses the geometric mean of per-input throughput ratios', () => {
    // ratios 0.35 and 1.4: geometric mean 0.7, halfway between 0.5 and 0.9 -> 20 of 40 points.
    const w = cmuIndex(
      [input('a', 0.645, 35, 100), input('b', 0.645, 140, 100)],
      [
        { ops: 100, cycles: 100 },
        { ops: 100, cycles: 100 },
      ],
      'glibc',
    );
    expect(w.thruRatio).toBeCloseTo(0.7);
    expect(w.thruPoints).toBeCloseTo(20);
    expect(w.utilPoints).toBeCloseTo(30);
    expect(w.total).toBeCloseTo(50);
  });

  it('the checkpoint weighs utilization 0.2 between 0.55 and 0.58', () => {
    const w = cmuIndex([input('a', 0.58, 90, 100)], [{ ops: 100, cycles: 100 }], 'glibc', true);
    expect(w.utilPoints).toBeCloseTo(20);
    expect(w.thruPoints).toBeCloseTo(80);
  });
});

describe('the course challenge', () => {
  it('meets a goal only when every input reaches the speed-up', () => {
    const inputs = [input('list', 0.5, 10, 100), input('vector', 0.5, 10, 200)];
    const c = courseIndex(inputs, [
      {
        name: 'base',
        against: 'freelist',
        need: 4,
        refs: [
          { ops: 10, cycles: 500 },
          { ops: 10, cycles: 900 },
        ],
      },
      {
        name: 'challenge',
        against: 'glibc',
        need: 1.1,
        refs: [
          { ops: 10, cycles: 120 },
          { ops: 10, cycles: 200 },
        ],
      },
    ]);
    expect(c.goals[0]?.speedups).toEqual([5, 4.5]);
    expect(c.goals[0]?.met).toBe(true);
    expect(c.goals[1]?.met).toBe(false);
    expect(c.total).toBe(50);
  });

  it('a goal whose reference is missing is not judged, and none judged gives no index', () => {
    const c = courseIndex([input('a', 1, 1, 1)], [{ name: 'base', need: 4 }]);
    expect(c.goals[0]?.met).toBeNull();
    expect(c.total).toBeNull();
  });
});
