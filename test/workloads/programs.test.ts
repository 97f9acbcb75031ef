import { describe, expect, it } from 'vitest';
import { allocTestSize } from '../../src/workloads/alloc-test.ts';
import { CFRAC_PROFILE } from '../../src/workloads/data/cfrac-profile.ts';
import { ESPRESSO_PROFILE } from '../../src/workloads/data/espresso-profile.ts';
import { glibcThreadTables } from '../../src/workloads/glibc-thread.ts';
import { isoallocAllocationsPerPhase } from '../../src/workloads/isoalloc-cmp.ts';
import { parseProfile, profileEvents, stationaryPopulation } from '../../src/workloads/lib/alloc-profile.ts';
import { AllocTestPrng } from '../../src/workloads/lib/prng64.ts';
import { Rng } from '../../src/sim/rng.ts';
import { rptestTables } from '../../src/workloads/rptest.ts';
import { sh6Schedule } from '../../src/workloads/sh6bench.ts';
import { SH8_HISTOGRAM } from '../../src/workloads/sh8bench.ts';
import { run } from './helpers.ts';

describe("the programs' own tables and schedules", () => {
  it('sh6bench: 19,300 allocations per repeat, mean 22.9 bytes', () => {
    const s = sh6Schedule(1000);
    expect(s.length).toBe(19300);
    expect(s.reduce((a, b) => a + b, 0) / s.length).toBeCloseTo(22.9, 1);
  });

  it('sh8bench: 7321 allocations per cycle of 12 histogram steps', () => {
    expect(SH8_HISTOGRAM.reduce((a, [, c]) => a + c, 0)).toBe(7321);
  });

  it('glibc-thread: the tables of rand() seed 1 (first sizes and offsets as compiled C; mean 38.9 B)', () => {
    const t = glibcThreadTables(1);
    expect(t.sizes.slice(0, 5)).toEqual([25, 6, 18, 19, 45]);
    expect(t.offsets.slice(0, 3)).toEqual([546, 911, 1001]);
    expect(t.sizes.reduce((a, b) => a + b, 0) / t.sizes.length).toBeCloseTo(38.89125, 5);
  });

  it('alloc-test sizes: 5..1024 bytes, mean about 27.5', () => {
    const g = new AllocTestPrng(41);
    const sizes = Array.from({ length: 50000 }, () => allocTestSize(g.rng64(), 10));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024);
    expect(sizes.reduce((a, b) => a + b, 0) / sizes.length).toBeGreaterThan(26);
    expect(sizes.reduce((a, b) => a + b, 0) / sizes.length).toBeLessThan(29);
  });

  it('rptest linear sizes: mean about 2.8 KB, about a third at most 1 KiB', () => {
    const t = rptestTables(Rng.stream(1, 7), 8, 16000, 100, 'linear');
    const mean = t.sizes.reduce((a, b) => a + b, 0) / t.sizes.length;
    const small = t.sizes.filter((s) => s <= 1024).length / t.sizes.length;
    expect(mean).toBeGreaterThan(2300);
    expect(mean).toBeLessThan(3400);
    expect(small).toBeGreaterThan(0.27);
    expect(small).toBeLessThan(0.41);
    expect(Math.min(...t.allocOps)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...t.freeOps)).toBeLessThanOrEqual(79);
  });

  it('isoalloc-cmp at scale 1: 1,834,784 allocations a phase (current), 1,441,616 (2020)', () => {
    expect(isoallocAllocationsPerPhase('current', 1)).toBe(1834784);
    expect(isoallocAllocationsPerPhase('2020', 1)).toBe(1441616);
  });

  it('cfrac and espresso profiles hold the measured totals; their stationary live sets are near the measured peaks', () => {
    expect(profileEvents(CFRAC_PROFILE)).toBe(91530284);
    const c = parseProfile(CFRAC_PROFILE);
    expect(c.mallocBorn.total).toBe(91530284);
    expect(stationaryPopulation(c.mallocBorn).expected).toBeGreaterThan(10000); // measured peak 24,381
    const e = parseProfile(ESPRESSO_PROFILE);
    expect(e.reallocBorn.total).toBe(322560);
    expect(e.mallocBorn.total + e.reallocBorn.total).toBe(profileEvents(ESPRESSO_PROFILE));
  });
});

describe('program behaviour', () => {
  it('collatz-list and collatz-vector find the graded answer for TOP=100 (97: 118 steps)', () => {
    for (const w of ['collatz-list', 'collatz-vector']) {
      const r = run(w, { top: 100, scale: 1 });
      expect(r.error).toBeUndefined();
      expect(r.workloadReport.maxAt).toBe(97);
      expect(r.workloadReport.maxSteps).toBe(118);
      expect(r.memory.liveBytesFinal).toBe(0);
    }
  });

  it('larson: threads hand their slots to successors (thread churn)', () => {
    const r = run('larson', { threads: 2, chunksPerThread: 40, seconds: 0.05, scale: 0.004 });
    expect(r.workloadReport.threadGenerations).toBeGreaterThan(4);
    // main, every generation, and per chain at most one successor spawned just before the stop
    // flag was set, which sees it at its start and ends without being a generation.
    const generations = r.workloadReport.threadGenerations as number;
    expect(r.time.threads.length).toBeGreaterThanOrEqual(1 + generations);
    expect(r.time.threads.length).toBeLessThanOrEqual(1 + generations + 2);
    expect(r.workloadReport.throughput).toBeGreaterThan(0);
  });

  it('xmalloc-test: with room for one batch, producers block and everything is still freed', () => {
    const r = run('xmalloc-test', { threads: 2, batchLimit: 1, scale: 0.00004 });
    expect(r.error).toBeUndefined();
    expect((r.workloadReport.frees as number) % 4096).toBe(0);
    expect(r.memory.liveBytesFinal).toBe(0);
  });

  it('producer-consumer: back-pressure bounds the messages in flight; without it they pile up', () => {
    const params = { producers: 4, consumers: 1, messages: 300, sizes: '64', window: 8, touchBytes: 64, scale: 1 };
    const bounded = run('producer-consumer', { ...params, backPressure: true });
    const unbounded = run('producer-consumer', { ...params, backPressure: false });
    // The check and the increment are separate steps, so each producer may overshoot by one.
    expect(bounded.memory.liveBytesPeak).toBeLessThanOrEqual((8 + 4) * 64);
    expect(unbounded.memory.liveBytesPeak).toBeGreaterThan(2 * (8 + 4) * 64);
    for (const r of [bounded, unbounded]) expect(r.memory.liveBytesFinal).toBe(0);
  });

  it('sh8bench under a coalescing freelist: remotely freed 8-byte blocks that became tags or slack are not lost', () => {
    // Found by this workload: the checker once reported such blocks as lost-object.
    const r = run('sh8bench', { scale: 0.0001 }, 'freelist');
    expect(r.error).toBeUndefined();
    expect(r.check.violations).toEqual([]);
  });

  it('mleak: one-shot threads, ten per round', () => {
    const r = run('mleak', { iter: 1, scale: 0.03 });
    expect(r.workloadReport.threadsCreated).toBe(30);
    expect(r.time.threads.length).toBe(31);
  });
});
