import { describe, expect, it } from 'vitest';
import { fileLineSource } from '../../src/experiment/line-file.ts';
import type { ParamValue } from '../../src/lib/params.ts';
import { run } from './helpers.ts';

/** Each workload at a tiny size (the defaults take seconds; these take tens of milliseconds). */
const SMALL: Record<string, Record<string, ParamValue>> = {
  'xmalloc-test': { threads: 1, scale: 0.00002 },
  larson: { threads: 2, chunksPerThread: 40, seconds: 0.05, scale: 0.004 },
  'cache-thrash': { threads: 2, iterations: 5, repetitions: 100, scale: 1 },
  'cache-scratch': { threads: 2, iterations: 5, repetitions: 100, scale: 1 },
  sh6bench: { threads: 2, callCount: 20, maxBlockSize: 100, scale: 0.1 },
  sh8bench: { threads: 2, iterations: 40, heapSize: 100, foreignAllocs: 40, scale: 1 },
  'glibc-simple': { iterations: 1, size: 8, scale: 1 },
  'glibc-thread': { threads: 2, scale: 0.00001 },
  'alloc-test': { threads: 2, items: 256, iterations: 2000, scale: 1 },
  mstress: { threads: 2, load: 1, rounds: 2, scale: 1 },
  rptest: { threads: 2, loops: 2, allocs: 50, scale: 1 },
  mleak: { threads: 2, iter: 1, scale: 0.05 },
  'malloc-large': { buffers: 2, minMiB: 1, maxMiB: 2, iterations: 4, scale: 1 },
  cfrac: { scale: 0.00005, warmStart: false },
  espresso: { scale: 0.0001, warmStart: false },
  'isoalloc-cmp': { scale: 0.001, version: '2020' },
  'collatz-list': { top: 60, scale: 1 },
  'collatz-vector': { top: 60, scale: 1 },
  frag: { rounds: 1 },
  'ostep-ops': { n: 200 },
  alternating: { steps: 100, scale: 1 },
  'churn-one': { iterations: 500, scale: 1, keepAlive: true },
  'producer-consumer': { producers: 2, consumers: 3, messages: 200, topology: 'all-to-all', scale: 1 },
  trace: { file: 'traces/android/producer-consumer.txt' },
  random: { ops: 500 },
};

describe('every workload runs under --check with no violations', () => {
  it.each(Object.keys(SMALL).map((w) => [w]))('%s', (w) => {
    const r = run(w, SMALL[w], 'bump', { openLines: fileLineSource });
    expect(r.error).toBeUndefined();
    expect(r.check.violations).toEqual([]);
    expect(r.check.workloadFaults).toEqual([]);
    expect(r.time.ops).toBeGreaterThan(0);
  });

  it('the same seed gives the same Result; another seed another one', () => {
    const a = run('mstress', SMALL.mstress, 'bump', { seed: 3 });
    const b = run('mstress', SMALL.mstress, 'bump', { seed: 3 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = run('cfrac', SMALL.cfrac, 'bump', { seed: 4 });
    expect(c.time.cycles).not.toBe(run('cfrac', SMALL.cfrac, 'bump', { seed: 5 }).time.cycles);
  });
});
