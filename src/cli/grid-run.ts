/**
 * Running a grid command end to end: expand and validate the grid, check every output path, run
 * the points (in parallel, with progress), then write every report at once. Shared by compare,
 * sweep, batchit and merge.
 */
import { baselineLabel, expandGrid, gridTitle, shardIndices, type GridPoint, type GridSpec, type PointConfig } from '../experiment/grid.ts';
import { runPoints } from '../experiment/pool.ts';
import { preflight } from '../experiment/preflight.ts';
import { resultOk, type Result } from '../experiment/result.ts';
import { SHARD_FORMAT, type ShardFile } from '../experiment/shard.ts';
import { summarize } from '../experiment/summary.ts';
import { cachegrindFile, toCachegrind } from '../report/cachegrind.ts';
import { chartSVG } from '../report/charts.ts';
import { formatCompare } from '../report/compare-table.ts';
import type { Summary } from '../experiment/summary.ts';
import { toCSV } from '../report/csv.ts';
import { gridJSON, toJSON } from '../report/format.ts';
import { toHTML } from '../report/html.ts';
import { EXIT_CHECK_FAILED, UsageError } from './errors.ts';
import { isolatedModels, jobsOf, shardOf, type GridArgs } from './grid-options.ts';
import type { IsolatedRunner } from '../experiment/isolation/isolated-model.ts';
import type { Io } from './io.ts';
import { checkWritable, writeFilesAtomically, type OutputFile } from './outputs.ts';
import { createProgress } from './progress.ts';

/** What to write, decided (and the paths checked) before anything runs. */
export interface ReportRequest {
  format: 'table' | 'json' | 'csv';
  out?: string;
  svg?: string;
  html?: string;
  cachegrindOut?: string;
  /** The command line, for the Cachegrind `cmd:` line. */
  cmd: string;
  /** More text under the terminal table (batchit: the published figures). */
  appendix?: (s: Summary) => string;
}

export function reportRequest(args: GridArgs, cmd: string): ReportRequest {
  if (args.json === true && args.csv === true) throw new UsageError('--json and --csv both print to stdout; choose one');
  const req: ReportRequest = { format: args.json === true ? 'json' : args.csv === true ? 'csv' : 'table', cmd };
  const files: Array<[keyof ReportRequest, string]> = [
    ['out', '--out'],
    ['svg', '--svg'],
    ['html', '--html'],
    ['cachegrindOut', '--cachegrind-out'],
  ];
  const seen = new Map<string, string>();
  for (const [key, option] of files) {
    const v = args[option.slice(2)];
    if (v === undefined) continue;
    const path = String(v);
    checkWritable(option, path);
    const other = seen.get(path);
    if (other !== undefined) throw new UsageError(`${other} and ${option} name the same file ${path}`);
    seen.set(path, option);
    (req as unknown as Record<string, string>)[key] = path;
  }
  return req;
}

function describeGrid(spec: GridSpec, points: readonly GridPoint[]): string {
  const threads = spec.threads.length > 0 ? `threads ${spec.threads.join(', ')}` : 'default threads';
  return (
    `${points.length} runs: ${spec.allocators.join(', ')} on ${spec.workloads.join(', ')}; ${threads}; ` +
    `${spec.seeds.length} seed${spec.seeds.length === 1 ? '' : 's'} (${spec.seeds[0]}..${spec.seeds[spec.seeds.length - 1]}); machine ${spec.machine.name}`
  );
}

/** Builds stdout and every requested file from the Results of `points` (in grid order). */
export async function buildReport(
  spec: GridSpec,
  points: readonly GridPoint[],
  results: readonly Result[],
  req: ReportRequest,
  title: string,
): Promise<{ stdout: string; files: OutputFile[] }> {
  const summary = summarize(points, results, baselineLabel(spec, points));
  const stdout =
    req.format === 'json'
      ? gridJSON(spec, summary, results)
      : req.format === 'csv'
        ? toCSV(summary)
        : formatCompare(summary, { machine: spec.machine.name, seeds: spec.seeds.length }) + (req.appendix?.(summary) ?? '');
  const files: OutputFile[] = [];
  if (req.out !== undefined) files.push({ option: '--out', path: req.out, content: stdout });
  if (req.svg !== undefined) files.push({ option: '--svg', path: req.svg, content: `${await chartSVG(summary, title)}\n` });
  if (req.html !== undefined) {
    // The page's heading is the title; its charts carry none, so it is not said twice.
    files.push({
      option: '--html',
      path: req.html,
      content: toHTML(summary, title, describeGrid(spec, points), await chartSVG(summary, undefined)),
    });
  }
  if (req.cachegrindOut !== undefined) {
    const groups = summary.cells.map((c) => ({
      file: cachegrindFile(c.benchmark, c.threads, c.allocator),
      results: results.filter((_, i) => {
        const p = points[i] as GridPoint;
        return p.benchmark === c.benchmark && p.threads === c.threads && p.allocatorLabel === c.allocator;
      }),
    }));
    const desc = [
      `allocsim ${title}`,
      describeGrid(spec, points),
      'fl= one configuration (benchmark/threads=N/allocator), fn= an allocator code path; counts summed over seeds',
    ];
    files.push({ option: '--cachegrind-out', path: req.cachegrindOut, content: toCachegrind(groups, req.cmd, desc) });
  }
  return { stdout: req.out === undefined ? stdout : '', files };
}

/** Writes the report (files first, all or nothing) and sets the exit code from the Results. */
export async function emitReport(
  io: Io,
  spec: GridSpec,
  points: readonly GridPoint[],
  results: readonly Result[],
  req: ReportRequest,
  title: string,
): Promise<void> {
  const { stdout, files } = await buildReport(spec, points, results, req, title);
  writeFilesAtomically(files);
  io.out(stdout);
  const failed = results.filter((r) => !resultOk(r)).length;
  if (failed > 0) {
    const limit = results.find((r) => r.error?.kind === 'limit');
    const why = limit === undefined ? '' : `; ${limit.allocator} on ${limit.workload}: ${limit.error?.message ?? ''}`;
    io.err(
      `allocsim: ${failed} of ${results.length} runs failed (an error or an invariant violation); see the runs column or the results' error fields${why}\n`,
    );
    io.exitCode = EXIT_CHECK_FAILED;
  }
}

async function runWithProgress(points: readonly GridPoint[], args: GridArgs, spec: GridSpec): Promise<Result[]> {
  const jobs = jobsOf(args);
  // A run's weight for the ETA: its thread count (more threads, more simulated work).
  const weight = (p: GridPoint): number => Math.max(1, p.threads);
  const progress = createProgress(
    points.length,
    args.quiet === true,
    process.stderr,
    points.reduce((s, p) => s + weight(p), 0),
  );
  let doneWeight = 0;
  const away = isolatedModels.get(spec) ?? new Map<string, IsolatedRunner>();
  const isolated = new Map(
    [...away].map(([name, m]) => [name, async ({ allocator: _, ...config }: PointConfig) => (await m.run(config)).result] as const),
  );
  try {
    return await runPoints(points, {
      jobs,
      modules: spec.modules,
      // Workers import the model files only when they are trusted (--trust); isolated ones run in their own process.
      modelFiles: away.size > 0 ? [] : (spec.modelFiles ?? []),
      isolated,
      onDone: (done, _total, p) => {
        doneWeight += weight(p);
        progress.update(done, `${p.allocatorLabel} ${p.benchmark} t=${p.threads}`, doneWeight);
      },
    });
  } finally {
    progress.stop();
  }
}

/** The whole of compare/sweep/batchit once the grid is known. */
export async function executeGrid(io: Io, args: GridArgs, spec: GridSpec, cmd: string, appendix?: (s: Summary) => string): Promise<void> {
  try {
    await runGrid(io, args, spec, cmd, appendix);
  } finally {
    for (const m of isolatedModels.get(spec)?.values() ?? []) m.close();
  }
}

async function runGrid(io: Io, args: GridArgs, spec: GridSpec, cmd: string, appendix?: (s: Summary) => string): Promise<void> {
  const points = expandGrid(spec);
  baselineLabel(spec, points);
  preflight(spec, points, new Set(isolatedModels.get(spec)?.keys() ?? []));
  const shard = shardOf(args);
  if (shard !== undefined) {
    for (const o of ['csv', 'svg', 'html', 'cachegrind-out']) {
      if (args[o] !== undefined && args[o] !== false) {
        throw new UsageError(
          `--${o} cannot be used with --shard: shards write Results; make reports with allocsim merge (add --profile to keep per-path profiles)`,
        );
      }
    }
    const out = args.out === undefined ? undefined : String(args.out);
    if (out !== undefined) checkWritable('--out', out);
    const indices = shardIndices(points.length, shard[0], shard[1]);
    const results = await runWithProgress(
      indices.map((i) => points[i] as GridPoint),
      args,
      spec,
    );
    const file: ShardFile = {
      format: SHARD_FORMAT,
      version: 1,
      shard: { index: shard[0], count: shard[1] },
      experiment: spec,
      points: indices,
      results,
    };
    const text = toJSON(file);
    if (out !== undefined) writeFilesAtomically([{ option: '--out', path: out, content: text }]);
    else io.out(text);
    return;
  }
  const req = { ...reportRequest(args, cmd), appendix };
  const results = await runWithProgress(points, args, spec);
  await emitReport(io, spec, points, results, req, gridTitle(spec));
}
