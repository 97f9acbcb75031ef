/**
 * `allocsim grade <model|file.ts|dir>... [--preset csapp|cmu|cmu-checkpoint|course] [--trace F] [--workload W]
 *  [--scale S] [--factor N] [--json|--csv] [--jobs N] [--timeout S] [--max-memory M] [--trust]`: utilization and
 *  throughput per input, and the Perf index. One file gets the full report; several files (or a
 *  directory of them) get one row each, the ones that could not be graded marked.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import chalk from 'chalk';
import type { Argv } from 'yargs';
import { COMMANDS } from './spec.ts';
import { gradeRows, gradeRunConfig, runReferences, scoreGrade, type GradeInput, type GradeOptions } from '../../experiment/grade.ts';
import type { ReferenceScore } from '../../experiment/perf-index.ts';
import { runExperiment } from '../../experiment/run.ts';
import type { Result } from '../../experiment/result.ts';
import { classCSV, formatClassTable, type ClassEntry } from '../../report/class-report.ts';
import { toJSON } from '../../report/format.ts';
import { formatGradeTable, formatScores, PRESETS, type Preset } from '../../report/grade-report.ts';
import { parseAssignment } from '../../lib/params.ts';
import { EXIT_CHECK_FAILED, isUsageError, RunFailure, UsageError } from '../errors.ts';
import { commaList } from '../grid-options.ts';
import { selectInputs } from '../grade-inputs.ts';
import type { Io } from '../io.ts';
import { fileLineSource } from '../../experiment/line-file.ts';
import { isolated, isolationOptions, loadIsolated } from '../isolation-options.ts';
import { isModelFile, resolveModel } from '../model-resolver.ts';
import { listOption, loadMachine, positiveInt } from '../options.ts';

function positiveNumber(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a positive number, got '${String(v)}'`);
  return n;
}

const MODEL_FILE = /\.(ts|mts|js|mjs)$/;

/** The model files of a directory: its own model files (not tests, not declarations) and each subdirectory's allocator.ts. */
function filesOf(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      const a = join(p, 'allocator.ts');
      if (statSync(a, { throwIfNoEntry: false })?.isFile() === true) out.push(a);
    } else if (MODEL_FILE.test(name) && !/\.(test|spec|d)\.[mc]?[tj]s$/.test(name)) out.push(p);
  }
  if (out.length === 0) throw new UsageError(`${dir} holds no model file (*.ts, or a subdirectory with allocator.ts) to grade`);
  return out;
}

/** Grades one model on every input: its Results, or why it could not be graded. */
async function studentResults(
  file: string,
  inputs: readonly GradeInput[],
  opts: GradeOptions,
  args: Record<string, unknown>,
  readable: readonly string[],
): Promise<{ allocator: string; results: Result[] }> {
  if (isModelFile(file) && isolated(args)) {
    const student = await loadIsolated(file, args, readable);
    try {
      const results: Result[] = [];
      for (const input of inputs) results.push((await student.run(gradeRunConfig(input, opts, true))).result);
      return { allocator: student.model.name, results };
    } finally {
      student.close();
    }
  }
  const model = await resolveModel(file);
  return {
    allocator: model.name,
    results: inputs.map((input) => runExperiment({ ...gradeRunConfig(input, opts, true), allocator: model, openLines: fileLineSource })),
  };
}

async function gradeEntry(
  file: string,
  inputs: readonly GradeInput[],
  refs: ReadonlyArray<Record<string, ReferenceScore>>,
  opts: GradeOptions,
  factor: number,
  args: Record<string, unknown>,
  readable: readonly string[],
): Promise<ClassEntry> {
  let graded: { allocator: string; results: Result[] };
  try {
    graded = await studentResults(file, inputs, opts, args, readable);
  } catch (e) {
    if (e instanceof RunFailure || isUsageError(e)) return { file, status: 'failed', problem: e.message };
    throw e;
  }
  const limit = graded.results.find((r) => r.error?.kind === 'limit');
  if (limit !== undefined) return { file, allocator: graded.allocator, status: 'failed', problem: limit.error?.message as string };
  const rows = gradeRows(inputs, graded.results, refs);
  const bad = rows.find((r) => !r.student.valid);
  return {
    file,
    allocator: graded.allocator,
    status: bad === undefined ? 'ok' : 'invalid',
    rows,
    scores: scoreGrade(rows, factor),
    ...(bad !== undefined ? { problem: `${bad.input.label}: ${bad.student.error ?? 'invalid'}` } : {}),
  };
}

/** Runs `fn` on every item, `jobs` at a time, results in the items' order. */
async function inParallel<T, R>(items: readonly T[], jobs: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, lane));
  return out;
}

export function registerGrade(y: Argv, io: Io): Argv {
  return y.command(
    COMMANDS.grade.command,
    COMMANDS.grade.describe,
    (b) =>
      isolationOptions(b)
        .positional('allocator', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'model files (./allocator.ts), directories of them, or model names',
        })
        .option('preset', { type: 'string', describe: `scheme to show: ${PRESETS.join(', ')} (default: all)` })
        .option('trace', { type: 'string', array: true, describe: 'grade on these trace files (CS:APP .rep, ...)' })
        .option('workload', { alias: 'w', type: 'string', array: true, describe: 'grade on these workloads, comma-separated' })
        .option('scale', { type: 'string', describe: "scale of the workloads that take one (their 'scale' parameter)" })
        .option('factor', { type: 'string', default: '4', describe: "the course's required speed-up over the one-lock baseline" })
        .option('param', { alias: 'p', type: 'string', array: true, describe: 'model parameter key=value' })
        .option('seed', { type: 'string', default: '1' })
        .option('machine', { alias: 'm', type: 'string', default: 'default', describe: 'machine preset or JSON file' })
        .option('jobs', { alias: 'j', type: 'string', default: '1', describe: 'files graded at once (each in its own process)' })
        .option('json', { type: 'boolean', default: false, describe: 'machine-readable: inputs, per-input figures and every scheme' })
        .option('csv', { type: 'boolean', default: false, describe: 'one row per file as CSV' }),
    async (args) => {
      const preset = args.preset === undefined ? undefined : String(args.preset);
      if (preset !== undefined && !(PRESETS as readonly string[]).includes(preset))
        throw new UsageError(`unknown preset '${preset}'; choose from ${PRESETS.join(', ')}`);
      if (args.json === true && args.csv === true) throw new UsageError('--json and --csv both print to stdout; choose one');
      const factor = positiveNumber('factor', args.factor) as number;
      const scale = positiveNumber('scale', args.scale);
      const jobs = positiveInt('jobs', args.jobs);
      const workloads = args.workload === undefined ? [] : commaList('workload', args.workload);
      const traces = listOption(args.trace);
      const sel = selectInputs(traces, workloads, scale);
      const seed = positiveInt('seed', args.seed, 0);
      const machine = loadMachine(String(args.machine));
      const allocatorParams = Object.fromEntries(listOption(args.param).map(parseAssignment));
      const named = listOption(args.allocator);
      const dirs = named.filter((f) => statSync(f, { throwIfNoEntry: false })?.isDirectory() === true);
      const files = named.flatMap((f) => (dirs.includes(f) ? filesOf(f) : [f]));
      const opts: GradeOptions = { seed, machine, allocatorParams, openLines: fileLineSource };
      // The model's process may read the trace files it replays, nothing else.
      const readable = sel.inputs.flatMap((i) => (typeof i.params.file === 'string' ? [resolvePath(i.params.file)] : []));

      if (files.length === 1 && dirs.length === 0) {
        const file = files[0] as string;
        const { allocator, results } = await studentResults(file, sel.inputs, opts, args, readable);
        const limit = results.find((r) => r.error?.kind === 'limit');
        if (limit !== undefined) throw new RunFailure(`${file}: ${limit.error?.message as string}`);
        const rows = gradeRows(sel.inputs, results, runReferences(sel.inputs, opts));
        const scores = scoreGrade(rows, factor);
        if (args.json) {
          io.out(toJSON({ allocator, source: file, seed, machine: machine.name, inputs: sel.inputs, inputNotes: sel.notes, rows, scores }));
        } else if (args.csv) {
          const bad = rows.find((r) => !r.student.valid);
          io.out(
            classCSV([
              {
                file,
                allocator,
                status: bad === undefined ? 'ok' : 'invalid',
                rows,
                scores,
                ...(bad !== undefined ? { problem: `${bad.input.label}: ${bad.student.error ?? 'invalid'}` } : {}),
              },
            ]),
          );
        } else {
          io.out(
            [
              chalk.bold(`grading ${allocator} on ${sel.inputs.length} input(s): ${sel.inputs.map((i) => i.label).join(', ')}`),
              ...sel.notes.map((n) => chalk.dim(`inputs: ${n}`)),
              formatGradeTable(rows),
              formatScores(scores, preset as Preset | undefined),
              '',
            ].join('\n'),
          );
        }
        if (rows.some((r) => !r.student.valid)) io.exitCode = EXIT_CHECK_FAILED;
        return;
      }

      const refs = runReferences(sel.inputs, opts);
      const entries = await inParallel(files, jobs, (f) => gradeEntry(f, sel.inputs, refs, opts, factor, args, readable));
      if (args.json)
        io.out(toJSON({ seed, machine: machine.name, inputs: sel.inputs, inputNotes: sel.notes, references: refs, students: entries }));
      else if (args.csv) io.out(classCSV(entries));
      else {
        io.out(
          [
            chalk.bold(`grading ${files.length} file(s) on ${sel.inputs.length} input(s): ${sel.inputs.map((i) => i.label).join(', ')}`),
            ...sel.notes.map((n) => chalk.dim(`inputs: ${n}`)),
            formatClassTable(entries),
          ].join('\n'),
        );
      }
      if (entries.some((e) => e.status !== 'ok')) io.exitCode = EXIT_CHECK_FAILED;
    },
  );
}
