/**
 * CSV of a compare/sweep summary: one row per (benchmark, threads, allocator) cell, every figure
 * with its spread over seeds. Numbers are written in full precision; an empty field means "none"
 * (no baseline in the group, or no successful run).
 */
import type { Cell, Spread, Summary } from '../experiment/summary.ts';
import type { ParamValue } from '../lib/params.ts';

type SpreadKey = { [K in keyof Cell]-?: Cell[K] extends Spread | null ? K : never }[keyof Cell];

const FIGURES: Array<[string, SpreadKey]> = [
  ['rel_time', 'relTime'],
  ['rel_rss', 'relRss'],
  ['cycles', 'cycles'],
  ['ops_per_kcycle', 'opsPerKcycle'],
  ['rss_peak_bytes', 'rssPeakBytes'],
  ['atomics_per_op', 'atomicsPerOp'],
  ['l1_misses_per_op', 'l1MissesPerOp'],
  ['llc_misses_per_op', 'llcMissesPerOp'],
  ['coherence_misses_per_op', 'coherenceMissesPerOp'],
  ['allocator_miss_share', 'allocatorMissShare'],
];

/** RFC 4180 quoting: fields with a comma, quote or newline are quoted, quotes doubled. */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function paramField(v: ParamValue | undefined): string | number | null {
  return v === undefined ? null : typeof v === 'number' ? v : String(v);
}

export function toCSV(s: Summary): string {
  // One column per swept parameter (param_KEY), empty in cells the parameter does not apply to.
  const swept = [...new Set(s.cells.flatMap((c) => Object.keys(c.params ?? {})))];
  const head = ['benchmark', 'threads', 'allocator', 'model', 'baseline', 'runs', 'failed', ...swept.map((k) => `param_${k}`)];
  for (const [name] of FIGURES) head.push(name, `${name}_min`, `${name}_max`, `${name}_sd`);
  const lines = [head.join(',')];
  for (const c of s.cells) {
    const f: Array<string | number | null> = [
      c.benchmark,
      c.threads === 0 ? null : c.threads,
      c.allocator,
      c.model,
      s.baseline,
      c.runs,
      c.failed,
      ...swept.map((k) => paramField(c.params?.[k])),
    ];
    for (const [, key] of FIGURES) {
      const x = c[key];
      f.push(x?.mean ?? null, x?.min ?? null, x?.max ?? null, x?.stddev ?? null);
    }
    lines.push(f.map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}
