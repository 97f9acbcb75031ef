/** The terminal report of `allocsim grade`: a row per input, then the Perf index of each scheme. */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { GradeRow } from '../experiment/grade.ts';
import { GRADE_LEGEND, gradeCells } from './grade-scores.ts';

export { formatScores, PRESETS, type Preset } from './grade-scores.ts';

export function formatGradeTable(rows: readonly GradeRow[]): string {
  const g = gradeCells(rows);
  const t = new Table({ head: g.head.map((h) => chalk.bold(h)), style: { head: [], border: [], compact: true } });
  g.rows.forEach((cells, i) =>
    t.push(cells.map((c, j) => (j === 1 ? ((rows[i] as GradeRow).student.valid ? chalk.green(c) : chalk.red(c)) : c))),
  );
  const lines = [t.toString(), chalk.dim(GRADE_LEGEND)];
  for (const r of rows.filter((x) => x.student.error !== undefined))
    lines.push(chalk.red(`${r.input.label}: ${r.student.error as string}`));
  return lines.join('\n');
}
