/**
 * The report of a class-sized `allocsim grade a.ts b.ts …`: one row per file with its Perf index in
 * each scheme, and the files that could not be graded marked with the reason (refused, a limit, a
 * crash while loading). As a table, CSV or JSON.
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { GradeRow, GradeScores } from '../experiment/grade.ts';
import { csvField } from './csv.ts';

export interface ClassEntry {
  file: string;
  /** The model's name, once loaded. */
  allocator?: string;
  /** ok: valid on every input; invalid: graded, but an input was invalid; failed: not graded (see problem). */
  status: 'ok' | 'invalid' | 'failed';
  problem?: string;
  rows?: GradeRow[];
  scores?: GradeScores;
}

const score = (e: ClassEntry, k: 'csapp' | 'cmu' | 'cmuCheckpoint' | 'course'): number | null => {
  if (e.scores === undefined) return null;
  const total = k === 'course' ? e.scores.course.total : e.scores[k]?.total;
  return total === undefined || total === null ? null : Math.round(total);
};

const util = (e: ClassEntry): number | null =>
  e.rows === undefined || e.rows.length === 0 ? null : e.rows.reduce((s, r) => s + r.student.util, 0) / e.rows.length;

const COLUMNS = ['file', 'model', 'result', 'util', 'csapp', 'cmu', 'cmu-checkpoint', 'course', 'problem'];

function cells(e: ClassEntry): Array<string | number | null> {
  const u = util(e);
  return [
    e.file,
    e.allocator ?? null,
    e.status,
    u === null ? null : Number(u.toFixed(4)),
    score(e, 'csapp'),
    score(e, 'cmu'),
    score(e, 'cmuCheckpoint'),
    score(e, 'course'),
    e.problem ?? null,
  ];
}

export function formatClassTable(entries: readonly ClassEntry[]): string {
  const t = new Table({ head: COLUMNS.map((h) => chalk.bold(h)), style: { head: [], border: [], compact: true } });
  for (const e of entries) {
    const c = cells(e);
    const mark = e.status === 'ok' ? chalk.green('ok') : e.status === 'invalid' ? chalk.yellow('invalid') : chalk.red('FAILED');
    t.push(
      c.map((v, i) => (i === 2 ? mark : i === 3 && typeof v === 'number' ? `${(100 * v).toFixed(1)}%` : v === null ? '-' : String(v))),
    );
  }
  const bad = entries.filter((e) => e.status !== 'ok').length;
  return `${t.toString()}\n${chalk.dim(`${entries.length} file(s): ${entries.length - bad} ok, ${entries.filter((e) => e.status === 'invalid').length} invalid, ${entries.filter((e) => e.status === 'failed').length} failed`)}\n`;
}

export function classCSV(entries: readonly ClassEntry[]): string {
  return `${[COLUMNS.join(','), ...entries.map((e) => cells(e).map(csvField).join(','))].join('\n')}\n`;
}
