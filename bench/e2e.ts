/**
 * End-to-end simulator speed (issue 11): fixed configurations, each run in its own process (the
 * median of several), with simulated allocator operations, memory accesses and kernel events per
 * wall-clock second and the process's peak memory; then the scaling checks (doubling the
 * operations doubles the time; memory stays flat). Part of `npm run bench`; `--json` for tracking.
 */
import { medianItem, runScript } from './args.ts';

export interface E2eFigure {
  allocator: string;
  workload: string;
  params: Record<string, number>;
  ops: number;
  accesses: number;
  events: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakProcessMiB: number;
}

export const E2E_CONFIGS: ReadonlyArray<[string, string, Record<string, number>]> = [
  ['snmalloc', 'msgpass-4', { scale: 0.01 }],
  ['snmalloc+batchit', 'msgpass-4', { scale: 0.01 }],
  ['mimalloc', 'msgpass-4', { scale: 0.01 }],
  ['glibc', 'xmalloc-test', {}],
  ['glibc', 'larson', {}],
  ['glibc', 'glibc-simple', { scale: 0.01 }],
  ['freelist', 'glibc-simple', { scale: 0.01 }],
];

/** One run of a configuration in its own process. */
export function runE2eOnce(allocator: string, workload: string, params: Record<string, number>): E2eFigure {
  return runScript('e2e-one.ts', [allocator, workload, ...Object.entries(params).map(([k, v]) => `${k}=${v}`)]) as E2eFigure;
}

/** A configuration's figure over `runs` processes: the run of median wall time, with the spread of all. */
export interface E2eMedian extends E2eFigure {
  runs: number;
  wallMin: number;
  wallMax: number;
}

export function runE2e(allocator: string, workload: string, params: Record<string, number>, runs = 3): E2eMedian {
  const figs = Array.from({ length: runs }, () => runE2eOnce(allocator, workload, params));
  const walls = figs.map((f) => f.wallSeconds);
  const mid = medianItem(figs, (f) => f.wallSeconds);
  return { ...mid, runs, wallMin: Math.min(...walls), wallMax: Math.max(...walls) };
}

/** Doubling the work roughly doubles the time and leaves the process's memory about the same (medians of `runs`). */
export function scalingCheck(runs = 3): { base: E2eMedian; doubled: E2eMedian; timeRatio: number; memoryRatio: number } {
  const base = runE2e('glibc', 'glibc-simple', { scale: 0.01 }, runs);
  const doubled = runE2e('glibc', 'glibc-simple', { scale: 0.02 }, runs);
  return { base, doubled, timeRatio: doubled.wallSeconds / base.wallSeconds, memoryRatio: doubled.peakProcessMiB / base.peakProcessMiB };
}
