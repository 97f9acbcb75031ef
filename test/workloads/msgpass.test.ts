import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/experiment/run.ts';
import { lookupWorkload } from '../../src/workloads/index.ts';
import { XoroshiroP128R32 } from '../../src/workloads/lib/xoroshiro.ts';
import '../../src/allocators/index.ts';

const tiny = (batches: number) => ({ batches: 1 << 20, scale: batches / (1 << 20) });

describe('xoroshiro p128r32 (snmalloc src/test/xoroshiro.h)', () => {
  it('reproduces the reference stream after the constructor draw', () => {
    const expected: Array<[number, number, number[]]> = [
      [5489, 0, [3095484176, 2791206402, 1054855299, 3320528152, 1821722081]],
      [5490, 1, [3103872816, 2782866946, 2908758595, 639303469, 1806231995]],
      [1237, 3, [1786793312, 658856564, 3690120780, 3833133493, 4007802026]],
    ];
    for (const [x, y, out] of expected) {
      const g = new XoroshiroP128R32(x, y);
      expect(out.map(() => g.next())).toEqual(out);
    }
  });

  it('matches xoroshiro128+ on 64-bit integers for 10,000 steps from random seeds', () => {
    // The generator as written in the source, on BigInts: the oracle for the 32-bit-halves version.
    const M = (1n << 64n) - 1n;
    const rotl = (v: bigint, k: bigint) => ((v << k) | (v >> (64n - k))) & M;
    for (const [x0, y0] of [
      [0x0123456789abcdefn, 0xfedcba9876543210n],
      [1n, 0n],
      [0xffffffffffffffffn, 0xffffffffffffffffn],
      [0x9e3779b97f4a7c15n, 0x00000000ffffffffn],
    ] as const) {
      let x: bigint = x0;
      let y: bigint = y0;
      const step = () => {
        const r = (x + y) & M;
        y ^= x;
        x = rotl(x, 55n) ^ y ^ ((y << 14n) & M);
        y = rotl(y, 36n);
        return Number(r >> 32n);
      };
      step();
      const g = new XoroshiroP128R32(x0, y0);
      for (let i = 0; i < 10_000; i++) expect(g.next()).toBe(step());
    }
  });

  it('run seed 1 keeps the source seeding; other seeds change the stream', () => {
    expect(XoroshiroP128R32.seeded(5489, 0, 1).next()).toBe(3095484176);
    expect(XoroshiroP128R32.seeded(5489, 0, 2).next()).not.toBe(3095484176);
  });
});

describe('msgpass', () => {
  it('msgpass-N is N producers, N consumers and no proxies', () => {
    expect(lookupWorkload('msgpass-4').overrides).toEqual({ producers: 4, consumers: 4, proxies: 0 });
    expect(() => lookupWorkload('msgpass-x')).toThrow(/unknown workload/);
  });

  it.each(['snmalloc', 'snmalloc+batchit', 'snmalloc-secure+batchit'])(
    '%s: producers, consumers and proxies run to the end under the checker; every message is freed',
    (allocator) => {
      const r = runExperiment({ allocator, workload: 'msgpass', workloadParams: tiny(48), check: true });
      expect(r.error).toBeUndefined();
      expect(r.check.violations).toEqual([]);
      expect(r.memory.liveBytesFinal).toBe(0);
      const msgs = r.workloadReport.messages as number;
      expect(msgs).toBeGreaterThan(3 * 48);
      expect(r.time.ops).toBe(2 * msgs + 4);
    },
  );

  it('with BatchIt the inbox processes far fewer queue elements per remote free, with about the same atomics', () => {
    const run = (allocator: string) => runExperiment({ allocator, workload: 'msgpass-1', workloadParams: tiny(400) });
    const off = run('snmalloc');
    const on = run('snmalloc+batchit');
    const ratio = (r: ReturnType<typeof run>) =>
      (r.allocatorCounters['queue.elementsProcessed'] as number) / (r.allocatorCounters.remoteFrees as number);
    expect(ratio(off)).toBeGreaterThan(0.8);
    expect(ratio(on)).toBeLessThan(0.2);
    expect(Math.abs(on.atomics.total - off.atomics.total) / off.atomics.total).toBeLessThan(0.1);
  });
});

describe('startup', () => {
  it('every thread makes its first allocation after the barrier: one allocator each, one global init', () => {
    const r = runExperiment({ allocator: 'snmalloc', workload: 'startup', workloadParams: { threads: 4 } });
    expect(r.error).toBeUndefined();
    expect(r.allocatorCounters['allocators.created']).toBe(4);
    expect(r.allocatorCounters.globalInit).toBe(1);
    const rep = r.workloadReport;
    expect(rep.threads).toBe(4);
    const sorted = [0, 1, 2, 3].map((i) => rep[`sorted00${i}`] as number);
    expect(sorted.every((t) => t > 0)).toBe(true);
    expect([...sorted].sort((a, b) => a - b)).toEqual(sorted);
    expect(rep.takenCycles).toBeGreaterThanOrEqual(rep.maxCycles as number);
  });
});
