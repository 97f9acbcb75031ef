/**
 * How a summary's figures are written, in the terminal table and the HTML table alike (no terminal
 * library here, so the playground uses it too).
 */
import type { Spread, Summary } from '../experiment/summary.ts';

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

/** mimalloc-bench's overall score: each allocator's geometric mean of its relative figures (undefined for one cell per allocator). */
export function geomeanLine(s: Summary): string | undefined {
  const overall = s.overall.filter((o) => o.relTimeGeomean !== null);
  if (overall.length === 0 || s.cells.length <= s.overall.length) return undefined;
  const parts = overall.map((o) => `${o.allocator} ${(o.relTimeGeomean ?? 0).toFixed(3)}× time, ${(o.relRssGeomean ?? 0).toFixed(2)}× RSS`);
  return `geometric mean over benchmarks and thread counts: ${parts.join('; ')}`;
}
