/**
 * The summary of a grid of Results, in the conventions of the field: one cell per (benchmark,
 * thread count, allocator), aggregated over seeds, with time and peak RSS relative to a baseline
 * allocator at the same benchmark and thread count (mimalloc-bench's charts, "reported relative to
 * mimalloc (where 1.2 means it took 1.2× longer)"; the BatchIt and snmalloc papers' figures), plus
 * the per-operation figures the BatchIt paper attributes its gains to: atomics and cache misses.
 *
 * Relative figures: mean over seeds of the cell divided by the mean over seeds of the baseline
 * cell; min/max/stddev are the cell's own spread divided by the same baseline mean. Failed runs
 * (an error or a violation) are counted and left out of the figures.
 */
import type { GridPoint } from './grid.ts';
import { resultOk, type Result } from './result.ts';
import type { ParamValue } from '../lib/params.ts';

/** Mean, extremes and sample standard deviation over seeds. */
export interface Spread {
  mean: number;
  min: number;
  max: number;
  stddev: number;
}

export interface Cell {
  benchmark: string;
  threads: number;
  /** Allocator label: the model name plus its swept parameters. */
  allocator: string;
  model: string;
  /** The swept parameters' values in this cell (empty for a compare without parameter axes). */
  params?: Record<string, ParamValue>;
  seeds: number[];
  runs: number;
  failed: number;
  /** Simulated makespan in cycles. */
  cycles: Spread | null;
  /** Allocator operations per thousand simulated cycles (throughput). */
  opsPerKcycle: Spread | null;
  rssPeakBytes: Spread | null;
  /** Read-modify-write atomics (locks included) per allocator operation. */
  atomicsPerOp: Spread | null;
  l1MissesPerOp: Spread | null;
  llcMissesPerOp: Spread | null;
  coherenceMissesPerOp: Spread | null;
  /** Share (0..1) of all L1 misses caused by allocator metadata and free-list links. */
  allocatorMissShare: Spread | null;
  /** Time relative to the baseline allocator at the same benchmark and thread count. */
  relTime: Spread | null;
  /** Peak RSS relative to the baseline allocator at the same benchmark and thread count. */
  relRss: Spread | null;
}

export interface AllocatorOverall {
  allocator: string;
  /** Geometric means of relTime.mean and relRss.mean over the cells that have them. */
  relTimeGeomean: number | null;
  relRssGeomean: number | null;
  cells: number;
}

export interface Summary {
  baseline: string;
  cells: Cell[];
  overall: AllocatorOverall[];
}

export function spread(xs: readonly number[]): Spread | null {
  if (xs.length === 0) return null;
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.length < 2 ? 0 : xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, min: Math.min(...xs), max: Math.max(...xs), stddev: Math.sqrt(v) };
}

function scaled(s: Spread | null, by: number | undefined): Spread | null {
  if (s === null || by === undefined || by === 0) return null;
  return { mean: s.mean / by, min: s.min / by, max: s.max / by, stddev: s.stddev / by };
}

const perOp = (r: Result, x: number): number => (r.time.ops === 0 ? 0 : x / r.time.ops);

function cellOf(points: readonly GridPoint[], results: readonly Result[]): Cell {
  const first = points[0] as GridPoint;
  const ok = results.filter(resultOk);
  const of = (f: (r: Result) => number): Spread | null => spread(ok.map(f));
  return {
    benchmark: first.benchmark,
    threads: first.threads,
    allocator: first.allocatorLabel,
    model: first.config.allocator,
    params: first.swept,
    seeds: points.map((p) => p.config.seed ?? 1),
    runs: results.length,
    failed: results.length - ok.length,
    cycles: of((r) => r.time.cycles),
    opsPerKcycle: of((r) => r.time.opsPerKcycle),
    rssPeakBytes: of((r) => r.memory.rssPeakBytes),
    atomicsPerOp: of((r) => perOp(r, r.atomics.total)),
    l1MissesPerOp: of((r) => perOp(r, r.cache.l1Misses)),
    llcMissesPerOp: of((r) => perOp(r, r.cache.llcMisses)),
    coherenceMissesPerOp: of((r) => perOp(r, r.cache.coherenceMisses)),
    allocatorMissShare: of((r) => (r.cache.l1Misses === 0 ? 0 : r.cache.byOrigin.allocator.l1Misses / r.cache.l1Misses)),
    relTime: null,
    relRss: null,
  };
}

function geomean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

/** Summarises `results[i]`, the Result of `points[i]`, against the allocator labelled `baseline`. */
export function summarize(points: readonly GridPoint[], results: readonly Result[], baseline: string): Summary {
  if (points.length !== results.length) throw new Error(`summarize: ${points.length} points but ${results.length} results`);
  const groups = new Map<string, { points: GridPoint[]; results: Result[] }>();
  points.forEach((p, i) => {
    const key = JSON.stringify([p.benchmark, p.threads, p.allocatorLabel]);
    let g = groups.get(key);
    if (g === undefined) {
      g = { points: [], results: [] };
      groups.set(key, g);
    }
    g.points.push(p);
    g.results.push(results[i] as Result);
  });
  const cells = [...groups.values()].map((g) => cellOf(g.points, g.results));
  const base = new Map(cells.filter((c) => c.allocator === baseline).map((c) => [`${c.benchmark}\u0000${c.threads}`, c]));
  for (const c of cells) {
    const b = base.get(`${c.benchmark}\u0000${c.threads}`);
    c.relTime = scaled(c.cycles, b?.cycles?.mean);
    c.relRss = scaled(c.rssPeakBytes, b?.rssPeakBytes?.mean);
  }
  const labels = [...new Set(cells.map((c) => c.allocator))];
  const overall = labels.map((allocator) => {
    const mine = cells.filter((c) => c.allocator === allocator);
    return {
      allocator,
      relTimeGeomean: geomean(mine.flatMap((c) => (c.relTime === null ? [] : [c.relTime.mean]))),
      relRssGeomean: geomean(mine.flatMap((c) => (c.relRss === null ? [] : [c.relRss.mean]))),
      cells: mine.length,
    };
  });
  return { baseline, cells, overall };
}
