/**
 * The terminal table of a compare/sweep: one row per (benchmark, threads, allocator), relative
 * time and peak RSS against the baseline with their spread over seeds, and the per-operation
 * atomics and cache misses (with the share of misses the allocator itself caused).
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { Cell, Spread, Summary } from '../experiment/summary.ts';
import { fmtBytes, fmtNum } from './format.ts';

/** "1.23 (1.20–1.27)": the mean and the range over seeds (just the mean for one seed). */
export function fmtRange(s: Spread | null, digits = 2, runs = 1): string {
  if (s === null) return '-';
  const m = s.mean.toFixed(digits);
  return runs < 2 ? m : `${m} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** "0.52 ±0.01": the mean and the sample standard deviation over seeds. */
export function fmtSd(s: Spread | null, digits = 2, runs = 1): string {
  if (s === null) return '-';
  return runs < 2 ? s.mean.toFixed(digits) : `${s.mean.toFixed(digits)} ±${s.stddev.toFixed(digits)}`;
}

/** Whether a relative figure is better (below 0.98) or worse (above 1.02) than the baseline; lower is better. */
export function relVerdict(s: Spread | null, isBaseline: boolean): 'better' | 'worse' | undefined {
  if (s === null || isBaseline) return undefined;
  if (s.mean < 0.98) return 'better';
  if (s.mean > 1.02) return 'worse';
  return undefined;
}

function colourRel(text: string, s: Spread | null, isBaseline: boolean): string {
  const v = relVerdict(s, isBaseline);
  return v === 'better' ? chalk.green(text) : v === 'worse' ? chalk.red(text) : text;
}

/** mimalloc-bench's overall score: each allocator's geometric mean of its relative figures (undefined for one cell per allocator). */
export function geomeanLine(s: Summary): string | undefined {
  const overall = s.overall.filter((o) => o.relTimeGeomean !== null);
  if (overall.length === 0 || s.cells.length <= s.overall.length) return undefined;
  const parts = overall.map((o) => `${o.allocator} ${(o.relTimeGeomean ?? 0).toFixed(3)}× time, ${(o.relRssGeomean ?? 0).toFixed(2)}× RSS`);
  return `geometric mean over benchmarks and thread counts: ${parts.join('; ')}`;
}

function row(c: Cell, baseline: string, firstOfGroup: boolean): string[] {
  const isBase = c.allocator === baseline;
  const n = c.runs - c.failed;
  const share = c.allocatorMissShare === null ? '' : ` (${(100 * c.allocatorMissShare.mean).toFixed(0)}%)`;
  return [
    firstOfGroup ? c.benchmark : '',
    firstOfGroup ? (c.threads === 0 ? '-' : String(c.threads)) : '',
    isBase ? chalk.bold(c.allocator) : c.allocator,
    colourRel(fmtRange(c.relTime, 3, n), c.relTime, isBase),
    colourRel(fmtRange(c.relRss, 2, n), c.relRss, isBase),
    c.cycles === null ? '-' : fmtNum(c.cycles.mean),
    c.rssPeakBytes === null ? '-' : fmtBytes(c.rssPeakBytes.mean),
    fmtSd(c.atomicsPerOp, 3, n),
    `${fmtSd(c.l1MissesPerOp, 2, n)}${share}`,
    fmtSd(c.coherenceMissesPerOp, 3, n),
    c.failed > 0 ? chalk.red(`${n}/${c.runs} ok`) : String(c.runs),
  ];
}

export interface TableContext {
  machine: string;
  seeds: number;
}

export function formatCompare(s: Summary, ctx: TableContext): string {
  const head = ['benchmark', 'threads', 'allocator', 'time ×', 'peak RSS ×', 'cycles', 'peak RSS', 'atomics/op', 'L1 miss/op (alloc)', 'coh miss/op', 'runs'];
  const t = new Table({ head: head.map((h) => chalk.bold(h)), style: { head: [], border: [], compact: true } });
  let last = '';
  for (const c of s.cells) {
    const group = `${c.benchmark}\u0000${c.threads}`;
    t.push(row(c, s.baseline, group !== last));
    last = group;
  }
  const lines = [
    chalk.bold(`relative to ${s.baseline}`) +
      chalk.dim(` (per benchmark and thread count; ${ctx.seeds === 1 ? '1 seed' : `${ctx.seeds} seeds: mean (min–max) or mean ±sd`}; machine ${ctx.machine})`),
    t.toString(),
  ];
  const geo = geomeanLine(s);
  if (geo !== undefined) lines.push(chalk.dim(geo));
  return `${lines.join('\n')}\n`;
}
