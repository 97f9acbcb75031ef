/**
 * One notion of a workload's thread count everywhere: its own parameter (threads, or
 * producer/consumer pairs); none for a single-threaded program, shown as empty in CSV, no `t=0`
 * in charts, no `threads=0` in Cachegrind names. And run's report hides no system call kind.
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/experiment/summary.ts';
import { runExperiment } from '../../src/experiment/run.ts';
import { workloadThreads } from '../../src/experiment/result.ts';
import '../../src/allocators/index.ts';
import '../../src/workloads/index.ts';
import { cachegrindFile } from '../../src/report/cachegrind.ts';
import { toCSV } from '../../src/report/csv.ts';
import { formatRun } from '../../src/report/run-table.ts';

describe('thread counts and system calls in reports', () => {
  it("the workload's own thread count: threads, pairs, or none", () => {
    expect(workloadThreads({ threads: 8, rounds: 100 })).toEqual({ count: 8, unit: 'threads' });
    expect(workloadThreads({ producers: 2, consumers: 2, proxies: 0 })).toEqual({ count: 2, unit: 'pairs' });
    expect(workloadThreads({ scale: 1 })).toBeUndefined();
  });

  it('a single-threaded benchmark has an empty CSV threads field and no threads=0 in Cachegrind names', () => {
    const s = {
      baseline: 'a',
      overall: [],
      cells: [{ benchmark: 'cfrac', threads: 0, allocator: 'a', model: 'a', seeds: [1], runs: 1, failed: 0 }],
    } as unknown as Summary;
    expect(toCSV(s).split('\n')[1]?.startsWith('cfrac,,a,a,a,1,0,')).toBe(true);
    expect(cachegrindFile('cfrac', 0, 'glibc')).toBe('cfrac/glibc');
    expect(cachegrindFile('msgpass-2', 2, 'snmalloc')).toBe('msgpass-2/threads=2/snmalloc');
  });

  it("run shows the workload's thread count, the threads created when they differ, and every system call kind", () => {
    const r = runExperiment({ allocator: 'bump', workload: 'random', workloadParams: { threads: 2, ops: 20 } });
    r.time.threads.push({ id: 9, name: 'extra', cycles: 0, ops: 0 });
    r.memory.syscallsByKind.futexWait = 67;
    const text = formatRun(r);
    expect(text).toMatch(/│ threads +│ 2 +│/);
    expect(text).toMatch(/│ simulated threads created +│ 3 +│/);
    expect(text).toMatch(/│ {3}futexWait +│ 67 +│/);
  });
});
