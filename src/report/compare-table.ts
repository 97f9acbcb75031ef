/**
 * The terminal table of a compare/sweep: one row per (benchmark, threads, allocator), relative
 * time and peak RSS against the baseline with their spread over seeds, and the per-operation
 * atomics and cache misses (with the share of misses the allocator itself caused).
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { Cell, Spread, Summary } from '../experiment/summary.ts';
import { fmtBytes, fmtNum } from './format.ts';
import { fmtRange, fmtSd, geomeanLine, relVerdict } from './summary-format.ts';

export { fmtRange, fmtSd, geomeanLine, relVerdict } from './summary-format.ts';

function colourRel(text: string, s: Spread | null, isBaseline: boolean): string {
  const v = relVerdict(s, isBaseline);
  return v === 'better' ? chalk.green(text) : v === 'worse' ? chalk.red(text) : text;
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
  const head = [
    'benchmark',
    'threads',
    'allocator',
    'time ×',
    'peak RSS ×',
    'cycles',
    'peak RSS',
    'atomics/op',
    'L1 miss/op (alloc)',
    'coh miss/op',
    'runs',
  ];
  const t = new Table({ head: head.map((h) => chalk.bold(h)), style: { head: [], border: [], compact: true } });
  let last = '';
  for (const c of s.cells) {
    const group = `${c.benchmark}\u0000${c.threads}`;
    t.push(row(c, s.baseline, group !== last));
    last = group;
  }
  const lines = [
    chalk.bold(`relative to ${s.baseline}`) +
      chalk.dim(
        ` (per benchmark and thread count; ${ctx.seeds === 1 ? '1 seed' : `${ctx.seeds} seeds: mean (min–max) or mean ±sd`}; machine ${ctx.machine})`,
      ),
    t.toString(),
  ];
  const geo = geomeanLine(s);
  if (geo !== undefined) lines.push(chalk.dim(geo));
  return `${lines.join('\n')}\n`;
}
