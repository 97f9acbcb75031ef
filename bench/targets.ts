/**
 * Issue 20's acceptance figures side by side, each against its target, and the two with long-term
 * goals (2 M ops/s on msgpass-4, 2× Cachegrind) with how far they are from them. `npm run bench`
 * prints this table last; `npm run bench -- --targets` measures and prints only it.
 *
 *   1. `allocsim --help`: median of 10 starts (bench/startup.ts), at most 0.2 s;
 *   2. msgpass-4 under snmalloc: simulated allocator operations per wall second, the median of
 *      fresh processes (bench/e2e.ts's configuration), at least 1.0 M (long-term 2 M);
 *   3. glibc-simple under glibc against Cachegrind on the same sequence, in rounds side by side in
 *      this process (bench/compare-cachegrind.ts), at least 1× (long-term 2×);
 *   4. `allocsim run -a isoalloc -w isoalloc-cmp-2020 -p scale=1`: wall seconds, at most 40;
 *   5. `npm start` (`allocsim batchit`): wall seconds, at most 12 on an idle machine;
 *   6. 100 M operations (glibc-simple on glibc at scale 0.521: 100,022,406) in a process whose
 *      peak memory stays under 1 GiB (bench/e2e-one.ts).
 * Items 4-6 take minutes each. Every figure carries the machine's 1-minute load average just
 * before and after it (the machine is shared); 1, 4 and 5 run bin/allocsim, which runs the
 * sources instead of dist/ when dist/ is missing or older than src/: the table says which.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { distIsCurrent } from '../bin/src-stamp.mjs';
import { firstLine, median, wallSeconds } from './args.ts';
import { E2E_CONFIGS, runE2e, runE2eOnce, type E2eFigure, type E2eMedian } from './e2e.ts';
import type { CachegrindComparison } from './compare-cachegrind.ts';
import { BIN, type StartupFigure } from './startup.ts';

const ROOT = join(import.meta.dirname, '..');
/** The long-term goals of issue 20 (its acceptance line on `npm run bench`). */
const GOAL_MSGPASS = 2e6;
const GOAL_CACHEGRIND = 2;
/** glibc-simple's scale for 100,022,406 operations (3 sizes × 4 phases × 2,084,000 ops, and 6). */
export const BIG_SCALE = 0.521;

/** A measurement with the machine's 1-minute load average just before and just after it. */
export interface Measured<T> {
  value: T;
  load: [number, number];
}

export function measured<T>(fn: () => T): Measured<T> {
  const before = loadavg()[0] as number;
  const value = fn();
  return { value, load: [before, loadavg()[0] as number] };
}

/** True when bin/allocsim runs the compiled dist/ (built from src/ as it is now), not the sources. */
export function distCurrent(): boolean {
  return distIsCurrent(join(ROOT, 'src'), join(ROOT, 'dist'));
}

/** The median of some runs' figures, with their range. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(xs: number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/** Wall seconds of `runs` runs of a command, each in a fresh process from the repository's root. */
export function wallRuns(file: string, argv: string[], runs: number): Spread {
  return spread(Array.from({ length: runs }, () => wallSeconds(file, argv)));
}

/** Item 2: bench/e2e.ts's configuration of msgpass-4 under snmalloc, the median of `runs` processes. */
export const MSGPASS_CONFIG = E2E_CONFIGS.find(([a, w]) => a === 'snmalloc' && w === 'msgpass-4') as (typeof E2E_CONFIGS)[number];

export function msgpassRun(runs: number): E2eMedian {
  return runE2e(...MSGPASS_CONFIG, runs);
}

/** Item 4: `allocsim run -a isoalloc -w isoalloc-cmp-2020 -p scale=SCALE` (the target is at scale 1). */
export function isoallocRun(scale: number, runs: number): Spread {
  return wallRuns(process.execPath, [BIN, 'run', '-a', 'isoalloc', '-w', 'isoalloc-cmp-2020', '-p', `scale=${scale}`], runs);
}

/** Item 5: `npm start`. */
export function npmStart(runs: number): Spread {
  return wallRuns(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start'], runs);
}

/** Item 6: glibc-simple on glibc at `scale` in a process of its own (BIG_SCALE: 100 M operations). */
export function bigRun(scale: number): E2eFigure {
  return runE2eOnce('glibc', 'glibc-simple', { scale });
}

export type Verdict = 'met' | 'NOT met' | 'reduced' | 'skipped' | 'failed';

export interface TargetRow {
  figure: string;
  /** As printed: the figure, with its range where it is a median. */
  measured: string;
  target: string;
  verdict: Verdict;
  /** How far the figure is from issue 20's long-term goal, for items 2 and 3. */
  goal?: string;
  load?: [number, number];
  note?: string;
  /** The figure as a number (seconds, ops/s, the ratio or MiB), for --json. */
  value?: number;
  min?: number;
  max?: number;
  runs?: number;
}

/** What to measure; the start-up and msgpass-4 figures come from `npm run bench`'s own sections when it has them. */
export interface TargetOptions {
  startup: Measured<StartupFigure[]>;
  msgpass?: Measured<E2eMedian>;
  /** Why items 2-3 and items 4-6 are not measured, when they are not. */
  skipFast?: string;
  skipLong?: string;
  e2eRuns: number;
  cgScale: number;
  cgRuns: number;
  longRuns: number;
  isoallocScale: number;
  bigScale: number;
}

const mops = (v: number): string => (v / 1e6).toFixed(2);
const secs = (s: Spread, digits: number): string =>
  s.runs === 1
    ? `${s.median.toFixed(digits)} s (1 run)`
    : `${s.median.toFixed(digits)} s [${s.min.toFixed(digits)}-${s.max.toFixed(digits)}, median of ${s.runs}]`;
const goalText = (goal: number, value: number, unit: string): string =>
  value >= goal ? `${goal}${unit}: reached` : `${goal}${unit}: x${(goal / value).toFixed(1)} short`;
const verdict = (ok: boolean): Verdict => (ok ? 'met' : 'NOT met');
const SOURCES_NOTE = 'bin/allocsim ran the sources: dist/ is missing or older than src/ (npm run build)';
/** What rows of bin/allocsim ran: the compiled dist/ or the sources. */
const ranNote = (dist: boolean): string => (dist ? 'compiled dist/' : SOURCES_NOTE);
/** A median's fields of a row, for --json. */
const spreadFields = (s: Spread): Pick<TargetRow, 'value' | 'min' | 'max' | 'runs'> => ({
  value: s.median,
  min: s.min,
  max: s.max,
  runs: s.runs,
});

function startupRow({ value, load }: Measured<StartupFigure[]>, dist: boolean): TargetRow {
  const f = value.find((s) => s.command === 'allocsim --help') as StartupFigure;
  const bare = value.find((s) => s.command === "node -e ''");
  const s = { median: f.medianSeconds, min: f.minSeconds, max: f.maxSeconds, runs: f.runs };
  const note = `${ranNote(dist)}${bare === undefined ? '' : `; bare node -e '' ${bare.medianSeconds.toFixed(3)} s`}`;
  return {
    figure: 'allocsim --help',
    measured: secs(s, 3),
    target: '<= 0.200 s',
    verdict: verdict(s.median <= 0.2),
    load,
    note,
    ...spreadFields(s),
  };
}

function msgpassRow({ value: f, load }: Measured<E2eMedian>): TargetRow {
  const rate = f.ops / f.wallSeconds;
  const [min, max] = [f.ops / f.wallMax, f.ops / f.wallMin];
  return {
    figure: 'msgpass-4 under snmalloc',
    measured: `${mops(rate)} M ops/s [${mops(min)}-${mops(max)}, median of ${f.runs}]`,
    target: '>= 1.0 M ops/s',
    verdict: verdict(rate >= 1e6),
    goal: goalText(GOAL_MSGPASS / 1e6, rate / 1e6, ' M ops/s'),
    load,
    note: `scale ${f.params.scale}: ${f.ops} ops per process, from the sources (tsx), wall-clock rate`,
    value: rate,
    min,
    max,
    runs: f.runs,
  };
}

function cachegrindRow({ value: c, load }: Measured<CachegrindComparison>, scale: number): TargetRow {
  const differ = c.ops.native === c.ops.allocsim ? '' : ` (native ${c.ops.native}: the counts differ)`;
  return {
    figure: 'glibc-simple: allocsim / Cachegrind',
    measured: `${c.allocsimOverCachegrind.toFixed(2)}x [${c.ratioMin.toFixed(2)}-${c.ratioMax.toFixed(2)}, median of ${c.rounds} rounds]`,
    target: '>= 1x',
    verdict: verdict(c.allocsimOverCachegrind >= 1),
    goal: goalText(GOAL_CACHEGRIND, c.allocsimOverCachegrind, 'x'),
    load,
    note: `scale ${scale}: ${c.ops.allocsim} ops${differ}; allocsim ${mops(c.opsPerSecond.allocsim)}, Cachegrind ${mops(c.opsPerSecond.cachegrind)}, native ${mops(c.opsPerSecond.native)} M ops/s (medians)`,
    value: c.allocsimOverCachegrind,
    min: c.ratioMin,
    max: c.ratioMax,
    runs: c.rounds,
  };
}

function isoallocRow({ value: s, load }: Measured<Spread>, scale: number, dist: boolean): TargetRow {
  return {
    figure: `run -a isoalloc -w isoalloc-cmp-2020 -p scale=${scale}`,
    measured: secs(s, 1),
    target: '<= 40 s (scale=1)',
    verdict: scale === 1 ? verdict(s.median <= 40) : 'reduced',
    load,
    note: ranNote(dist),
    ...spreadFields(s),
  };
}

function npmStartRow({ value: s, load }: Measured<Spread>, dist: boolean): TargetRow {
  const idle = load[0] < 1 ? '' : `; the machine was not idle (load ${load[0].toFixed(1)}), the target is for an idle one`;
  return {
    figure: 'npm start',
    measured: secs(s, 1),
    target: '<= 12 s idle',
    verdict: verdict(s.median <= 12),
    load,
    note: `${ranNote(dist)}${idle}`,
    ...spreadFields(s),
  };
}

function bigRow({ value: f, load }: Measured<E2eFigure>): TargetRow {
  const full = f.ops >= 100e6;
  return {
    figure: '100 M operations under 1 GiB',
    measured: `${f.peakProcessMiB.toFixed(0)} MiB peak (1 run)`,
    target: '< 1024 MiB at >= 100 M ops',
    verdict: full ? verdict(f.peakProcessMiB < 1024) : 'reduced',
    load,
    note: `glibc-simple on glibc, scale ${f.params.scale}: ${f.ops} ops in ${f.wallSeconds.toFixed(1)} s (${mops(f.ops / f.wallSeconds)} M ops/s), from the sources (tsx)`,
    value: f.peakProcessMiB,
    runs: 1,
  };
}

/** A row that was not measured (why in the measured column), or could not be (why in the note). */
function noRow(figure: string, target: string, why: string, v: Verdict): TargetRow {
  return v === 'skipped' ? { figure, measured: why, target, verdict: v } : { figure, measured: '-', target, verdict: v, note: why };
}

/** Measures one row, turning a failure into a row that says what failed. */
function attempt(figure: string, target: string, fn: () => TargetRow): TargetRow {
  try {
    return fn();
  } catch (e) {
    return noRow(figure, target, firstLine(e), 'failed');
  }
}

/** Measures issue 20's acceptance figures (see the file's comment). */
export async function measureTargets(o: TargetOptions): Promise<{ distCurrent: boolean; rows: TargetRow[] }> {
  const dist = distCurrent();
  const rows: TargetRow[] = [startupRow(o.startup, dist)];
  if (o.skipFast !== undefined) {
    rows.push(
      noRow('msgpass-4 under snmalloc', '>= 1.0 M ops/s', o.skipFast, 'skipped'),
      noRow('glibc-simple: allocsim / Cachegrind', '>= 1x', o.skipFast, 'skipped'),
    );
  } else {
    rows.push(attempt('msgpass-4 under snmalloc', '>= 1.0 M ops/s', () => msgpassRow(o.msgpass ?? measured(() => msgpassRun(o.e2eRuns)))));
    // Imported here: it loads the simulator into this process, which only this item needs.
    const cg = await import('./compare-cachegrind.ts');
    const missing = cg.cachegrindMissing();
    rows.push(
      missing !== undefined
        ? noRow('glibc-simple: allocsim / Cachegrind', '>= 1x', missing, 'skipped')
        : attempt('glibc-simple: allocsim / Cachegrind', '>= 1x', () =>
            cachegrindRow(
              measured(() => cg.compareCachegrind(o.cgScale, o.cgRuns)),
              o.cgScale,
            ),
          ),
    );
  }
  if (o.skipLong !== undefined) {
    rows.push(
      noRow(`run -a isoalloc -w isoalloc-cmp-2020 -p scale=${o.isoallocScale}`, '<= 40 s (scale=1)', o.skipLong, 'skipped'),
      noRow('npm start', '<= 12 s idle', o.skipLong, 'skipped'),
      noRow('100 M operations under 1 GiB', '< 1024 MiB at >= 100 M ops', o.skipLong, 'skipped'),
    );
  } else {
    rows.push(
      attempt(`run -a isoalloc -w isoalloc-cmp-2020 -p scale=${o.isoallocScale}`, '<= 40 s (scale=1)', () =>
        isoallocRow(
          measured(() => isoallocRun(o.isoallocScale, o.longRuns)),
          o.isoallocScale,
          dist,
        ),
      ),
      attempt('npm start', '<= 12 s idle', () =>
        npmStartRow(
          measured(() => npmStart(o.longRuns)),
          dist,
        ),
      ),
      attempt('100 M operations under 1 GiB', '< 1024 MiB at >= 100 M ops', () => bigRow(measured(() => bigRun(o.bigScale)))),
    );
  }
  return { distCurrent: dist, rows };
}

/** The table, then each row's note. */
export function formatTargets({ distCurrent: dist, rows }: { distCurrent: boolean; rows: TargetRow[] }): string {
  const t = new Table({
    head: ['', 'figure', 'measured', 'target', 'verdict', 'long-term goal', 'load'],
    style: { head: [], border: [], compact: true },
  });
  rows.forEach((r, i) =>
    t.push([
      String(i + 1),
      r.figure,
      r.measured,
      r.target,
      r.verdict,
      r.goal ?? '',
      r.load === undefined ? '' : `${r.load[0].toFixed(1)}-${r.load[1].toFixed(1)}`,
    ]),
  );
  const lines = [
    "issue 20's targets (load: the 1-minute load average before and after each figure, on a shared 2-core machine)",
    t.toString(),
    ...rows.map((r, i) => (r.note === undefined ? '' : `  ${i + 1}. ${r.note}`)).filter((l) => l !== ''),
  ];
  if (!dist)
    lines.push(
      '  dist/ is missing or older than src/: rows 1, 4 and 5 are of the sources, not of the compiled CLI (npm run build, or npm run bench -- --build)',
    );
  if (rows.some((r) => r.verdict === 'reduced'))
    lines.push('  reduced: run at a smaller size than the target names (--isoalloc-scale, --big-scale), so no verdict');
  return `${lines.join('\n')}\n`;
}
