/**
 * The Perf index of each grading scheme as text (`allocsim grade`, and the playground's grading):
 * no terminal table here, so the browser can use it too.
 */
import chalk from 'chalk';
import type { GradeRow, GradeScores } from '../experiment/grade.ts';
import { fmtBytes, fmtNum } from './format.ts';
import type { CourseIndex, WeightedIndex } from '../experiment/perf-index.ts';

export type Preset = 'csapp' | 'cmu' | 'cmu-checkpoint' | 'course';
export const PRESETS: readonly Preset[] = ['csapp', 'cmu', 'cmu-checkpoint', 'course'];

export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
export const times = (x: number): string => `${x.toFixed(x >= 10 ? 1 : 2)}x`;

/** The columns of the per-input table, as text: the terminal's table and the playground's HTML table. */
export function gradeCells(rows: readonly GradeRow[]): { head: string[]; rows: string[][] } {
  const refs = [...new Set(rows.flatMap((r) => Object.keys(r.references)))];
  return {
    head: ['input', 'valid', 'ops', 'cycles', 'peak live', 'peak RSS', 'util', 'ops/kcycle', ...refs.map((n) => `vs ${n}`)],
    rows: rows.map((r) => {
      const s = r.student;
      return [
        r.input.label,
        s.valid ? 'yes' : 'NO',
        fmtNum(s.ops),
        fmtNum(s.cycles),
        fmtBytes(s.liveBytesPeak),
        fmtBytes(s.rssPeakBytes),
        pct(s.util),
        fmtNum(s.cycles === 0 ? 0 : (1000 * s.ops) / s.cycles, 3),
        ...refs.map((n) => {
          const ref = r.references[n];
          return ref === undefined || s.cycles === 0 || !s.valid ? '-' : times(ref.cycles / s.cycles);
        }),
      ];
    }),
  };
}

export const GRADE_LEGEND = 'util = peak live payload / peak RSS; vs X = speed-up over model X on the same input (its cycles / yours)';

function weighted(title: string, w: WeightedIndex | null): string {
  if (w === null) return `${title.padEnd(15)} Perf index = n/a (no throughput reference in this build)`;
  const line = `${title.padEnd(15)} Perf index = ${w.utilPoints.toFixed(0)} (util) + ${w.thruPoints.toFixed(0)} (thru) = ${w.total.toFixed(0)}/100`;
  const why =
    w.invalid !== undefined
      ? chalk.red(`  0: invalid on ${w.invalid.join(', ')}`)
      : chalk.dim(`  (util ${pct(w.util)}, throughput ${times(w.thruRatio)} ${w.reference})`);
  return line + why;
}

function course(c: CourseIndex): string {
  const goals = c.goals.map((g) => {
    if (g.met === null) return `${g.name}: n/a (not in this build)`;
    // Only valid inputs: a crashed run's time is not a speed.
    const valid = g.speedups.filter((x): x is number => x !== null);
    const lo = Math.min(...valid);
    const hi = Math.max(...valid);
    const range = valid.length === 0 ? 'no valid input' : lo === hi ? times(lo) : `${times(lo)}..${times(hi)}`;
    return `${g.name}: ${g.met ? chalk.green('met') : chalk.red('not met')} (${range} ${g.against ?? ''}, need ${times(g.need)})`;
  });
  const total = c.total === null ? 'n/a' : `${c.total.toFixed(0)}/100`;
  const invalid = c.invalid !== undefined ? chalk.red(`  (invalid on ${c.invalid.join(', ')})`) : '';
  return `${'course'.padEnd(15)} Perf index = ${total}${invalid}\n${goals.map((g) => `${' '.repeat(16)}${g}`).join('\n')}`;
}

export function formatScores(s: GradeScores, only?: Preset): string {
  const parts: string[] = [];
  if (only === undefined || only === 'csapp') parts.push(weighted('CS:APP', s.csapp));
  if (only === undefined || only === 'cmu') parts.push(weighted('CMU', s.cmu));
  if (only === undefined || only === 'cmu-checkpoint') parts.push(weighted('CMU checkpoint', s.cmuCheckpoint));
  if (only === undefined || only === 'course') parts.push(course(s.course));
  return [...parts, ...s.notes.map((n) => chalk.yellow(`note: ${n}`))].join('\n');
}
