/**
 * The options of the grid commands (compare, sweep, batchit): what to run, how to run it, and
 * what to write. `gridFromArgs` turns them into a GridSpec; everything is validated before any run.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { makeGridSpec, parseAxis, type GridSpec } from '../experiment/grid.ts';
import { defaultJobs } from '../experiment/pool.ts';
import { RunFailure, UsageError } from './errors.ts';
import { listOption, loadMachine, positiveInt } from './options.ts';
import { isModelFile, resolveModel } from './model-resolver.ts';
import { registerModelFile } from '../experiment/model-file.ts';
import { hasModel, registerModel } from '../allocators/registry.ts';
import { failedRunner, type IsolatedModel, type IsolatedRunner } from '../experiment/isolation/isolated-model.ts';
import { isolated, isolationOptions, loadIsolated } from './isolation-options.ts';

/** `a,b` and repeated options alike, as one list (empty items are an error). */
export function commaList(name: string, v: unknown): string[] {
  const items = listOption(v).flatMap((s) => s.split(','));
  if (items.some((s) => s.trim() === '')) throw new UsageError(`--${name} has an empty item; write --${name} a,b,c`);
  return items.map((s) => s.trim());
}

function distinct(name: string, xs: readonly (string | number)[]): void {
  const dup = xs.find((x, i) => xs.indexOf(x) !== i);
  if (dup !== undefined) throw new UsageError(`--${name} lists '${String(dup)}' twice`);
}

export { parseAxis } from '../experiment/grid.ts';

/** The options every grid command shares (what to write, how to run). */
export function outputOptions<T>(b: Argv<T>): Argv<T> {
  return b
    .option('jobs', {
      alias: 'j',
      type: 'string',
      describe: `runs at once on worker threads (default: the core count, ${defaultJobs()} here)`,
    })
    .option('json', { type: 'boolean', default: false, describe: 'print {experiment, summary, results} as JSON' })
    .option('csv', { type: 'boolean', default: false, describe: 'print the summary as CSV, one row per cell' })
    .option('svg', { type: 'string', describe: 'write the charts to this SVG file' })
    .option('html', { type: 'string', describe: 'write a self-contained HTML report (charts and table)' })
    .option('out', { alias: 'o', type: 'string', describe: 'write what would go to stdout to this file instead' })
    .option('cachegrind-out', { type: 'string', describe: 'write per-path events in Cachegrind format (cg_annotate reads it)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress bar' });
}

/** The options that define a grid. */
export function gridOptions<T>(b: Argv<T>): Argv<T> {
  return shardOption(
    outputOptions(
      isolationOptions(b)
        .option('allocator', { alias: 'a', type: 'string', array: true, demandOption: true, describe: 'allocators, comma-separated' })
        .option('workload', { alias: 'w', type: 'string', array: true, demandOption: true, describe: 'workloads, comma-separated' })
        .option('threads', { alias: 't', type: 'string', describe: 'thread counts, comma-separated (default: the workload default)' })
        .option('thread-params', { type: 'string', default: 'threads', describe: 'workload parameters a thread count sets' })
        .option('seeds', { type: 'string', default: '1', describe: 'seeds per configuration (spread over seeds)' })
        .option('seed', { type: 'string', default: '1', describe: 'first seed' })
        .option('baseline', { alias: 'b', type: 'string', describe: 'allocator the relative figures are against (default: the first)' })
        .option('param', {
          alias: 'p',
          type: 'string',
          array: true,
          describe: 'parameter key=v1,v2,... (alloc.key / work.key to disambiguate)',
        })
        .option('machine', { alias: 'm', type: 'string', default: 'default', describe: 'machine preset or JSON file' })
        .option('check', { type: 'boolean', default: false, describe: 'check every operation against the allocator invariants' })
        .option('profile', {
          type: 'boolean',
          default: false,
          describe: 'record per-path profiles in the Results (implied by --cachegrind-out)',
        })
        .option('load', { type: 'string', array: true, describe: 'import a module that registers extra allocators or workloads' }),
    ),
  );
}

/** `--shard i/n`, for the commands that run a grid (compare, sweep, batchit; not merge). */
export function shardOption<T>(b: Argv<T>): Argv<T> {
  return b.option('shard', {
    type: 'string',
    describe: 'run only slice i of n of the grid (i/n) and write its Results for allocsim merge',
  });
}

/** Imports --load modules (here and, through the grid, in every worker); returns their file URLs. */
export async function loadModules(files: readonly string[]): Promise<string[]> {
  const urls: string[] = [];
  for (const f of files) {
    const url = f.startsWith('file:') ? f : pathToFileURL(resolve(f)).href;
    try {
      await import(url);
    } catch (e) {
      throw new UsageError(`cannot load ${f}: ${(e as Error).message.split('\n')[0]}`);
    }
    urls.push(url);
  }
  return urls;
}

export type GridArgs = Record<string, unknown>;

/** Model files a grid runs isolated, by model name (set by gridFromArgs, closed by executeGrid). */
export const isolatedModels = new WeakMap<GridSpec, Map<string, IsolatedRunner>>();
/** Names registered here for isolated model files (a later command may register the same file again). */
const stubs = new Set<string>();

/** A model file for a grid: isolated (its points run in its own process) unless --trust. */
async function gridModelFile(file: string, args: GridArgs, isolatedByName: Map<string, IsolatedRunner>): Promise<string> {
  if (!isolated(args)) {
    // The teacher's own model: checked against the contract, registered here and in every worker.
    const info = await resolveModel(file);
    registerModelFile(info);
    return info.name;
  }
  let m: IsolatedModel;
  try {
    m = await loadIsolated(file, args);
  } catch (e) {
    if (!(e instanceof RunFailure)) throw e;
    // A limit hit while loading it (a hang at import, in create or in the contract probe): the grid
    // goes on, the file's runs failing with the reason under the file's name.
    const name = (file.split(/[\\/]/).pop() ?? file).replace(/\.[mc]?[tj]s$/, '');
    if (hasModel(name) && !stubs.has(name)) throw new UsageError(`${file}: ${e.message}`);
    if (!hasModel(name))
      registerModel({
        name,
        summary: `${file} (not loaded)`,
        family: 'student',
        params: [],
        create: () => {
          throw new Error(e.message);
        },
      });
    stubs.add(name);
    isolatedByName.set(name, failedRunner(name, e.message));
    return name;
  }
  const info = m.info();
  if (hasModel(info.name) && !stubs.has(info.name)) {
    m.close();
    throw new UsageError(`${file} names its model '${info.name}', which is a registered model's name; give it another name in defineModel`);
  }
  if (!hasModel(info.name)) registerModel(info);
  stubs.add(info.name);
  isolatedByName.set(info.name, m);
  return info.name;
}

export async function gridFromArgs(args: GridArgs): Promise<GridSpec> {
  const modules = await loadModules(listOption(args.load));
  const modelFiles: string[] = [];
  const allocators: string[] = [];
  const isolatedByName = new Map<string, IsolatedRunner>();
  for (const a of commaList('allocator', args.allocator)) {
    if (!isModelFile(a)) {
      allocators.push(a);
      continue;
    }
    try {
      allocators.push(await gridModelFile(a, args, isolatedByName));
    } catch (e) {
      for (const m of isolatedByName.values()) m.close();
      throw e;
    }
    modelFiles.push(pathToFileURL(resolve(a)).href);
  }
  const workloads = commaList('workload', args.workload);
  const threads = args.threads === undefined ? [] : commaList('threads', args.threads).map((t) => positiveInt('threads', t));
  distinct('allocator', allocators);
  distinct('workload', workloads);
  distinct('threads', threads);
  const n = positiveInt('seeds', args.seeds);
  const first = positiveInt('seed', args.seed, 0, Number.MAX_SAFE_INTEGER - n + 1);
  const spec = makeGridSpec({
    allocators,
    workloads,
    threads,
    threadParams: commaList('thread-params', args['thread-params']),
    seeds: Array.from({ length: n }, (_, i) => first + i),
    params: listOption(args.param).map(parseAxis),
    ...(args.baseline !== undefined ? { baseline: String(args.baseline) } : {}),
    machine: loadMachine(String(args.machine ?? 'default')),
    check: args.check === true,
    profile: args.profile === true || args['cachegrind-out'] !== undefined,
    modules,
    modelFiles,
  });
  isolatedModels.set(spec, isolatedByName);
  return spec;
}

/** `--jobs N` (default: the core count). */
export function jobsOf(args: GridArgs): number {
  return args.jobs === undefined ? defaultJobs() : positiveInt('jobs', args.jobs);
}

/** `--shard i/n` as [i, n], or undefined. */
export function shardOf(args: GridArgs): [number, number] | undefined {
  if (args.shard === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(String(args.shard).trim());
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (m === null || n < 1 || i < 1 || i > n)
    throw new UsageError(`--shard must be i/n with 1 <= i <= n, e.g. --shard 2/3; got '${String(args.shard)}'`);
  return [i, n];
}
