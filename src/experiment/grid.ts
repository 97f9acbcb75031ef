/**
 * An experiment grid: allocators × workloads × thread counts × parameter values × seeds, expanded
 * into numbered points in a fixed order, so that a serial run, a parallel run and the union of
 * shards all produce the same list of Results.
 *
 * A parameter axis applies to every allocator or workload that declares the parameter (so
 * `--param batchit.sets=2,4` sweeps the BatchIt variants and leaves plain snmalloc alone); an axis
 * with more than one value becomes part of the cell's label (`snmalloc+batchit sets=4`), the way
 * mimalloc-bench names its configurations.
 */
import { modelInfo } from '../allocators/registry.ts';
import type { MachineSpec } from '../machine/machine-spec.ts';
import { ParamError, parseAssignment, resolveParams, type ParamSpec, type ParamValue } from '../lib/params.ts';
import { lookupWorkload } from '../workloads/registry.ts';
import type { RunConfig } from './run.ts';

/** One `--param key=v1,v2,…`: where it goes is decided by which models/workloads declare `key`. */
export interface ParamAxis {
  key: string;
  values: ParamValue[];
  /** Forced by an `alloc.` / `work.` prefix on the command line. */
  target?: 'allocator' | 'workload';
}

/** Everything that defines an experiment; plain data (it travels to workers and into shard files). */
export interface GridSpec {
  allocators: string[];
  workloads: string[];
  /** Thread counts; empty means each workload's own default. */
  threads: number[];
  /** The workload parameters a thread count sets (default `threads`; msgpass: producers and consumers). */
  threadParams: string[];
  seeds: number[];
  params: ParamAxis[];
  /** Allocator label (or name) the relative figures are computed against; default the first. */
  baseline?: string;
  machine: MachineSpec;
  check: boolean;
  /** Record per-path profiles (for Cachegrind-format output). */
  profile: boolean;
  /** Extra modules (file URLs) that register models or workloads; every worker imports them. */
  modules: string[];
  /** Student model files (file URLs) named by -a; every worker registers them. */
  modelFiles?: string[];
}

/** What defines a grid, before the defaults the CLI and the playground both fill in the same way (no modules: none). */
export type GridFields = Omit<GridSpec, 'modules'> & { modules?: string[] };

/**
 * The GridSpec of `fields`, its keys in one fixed order: the experiment's JSON (`compare --json`,
 * the playground's download) is byte-identical whoever builds it.
 */
export function makeGridSpec(f: GridFields): GridSpec {
  return {
    allocators: f.allocators,
    workloads: f.workloads,
    threads: f.threads,
    threadParams: f.threadParams,
    seeds: f.seeds,
    params: f.params,
    ...(f.baseline !== undefined ? { baseline: f.baseline } : {}),
    machine: f.machine,
    check: f.check,
    profile: f.profile,
    modules: f.modules ?? [],
    modelFiles: f.modelFiles ?? [],
  };
}

/** `key=v1,v2` (with an optional alloc./work. prefix) as a parameter axis. */
export function parseAxis(text: string): ParamAxis {
  const [rawKey, rawValues] = parseAssignment(text);
  const values = rawValues.split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new ParamError(`malformed parameter '${text}': an empty value; write key=v1,v2`);
  if (rawKey.startsWith('alloc.')) return { key: rawKey.slice(6), values, target: 'allocator' };
  if (rawKey.startsWith('work.')) return { key: rawKey.slice(5), values, target: 'workload' };
  return { key: rawKey, values };
}

/** A run config that can cross a worker boundary: the allocator is a registered name. */
export interface PointConfig extends RunConfig {
  allocator: string;
}

export interface GridPoint {
  index: number;
  /** Allocator name plus its swept parameters: the series of a chart, the column of a table. */
  allocatorLabel: string;
  /** Workload name plus its swept parameters. */
  benchmark: string;
  /** The thread count of this point (the first thread parameter's value; 0 if the workload has none). */
  threads: number;
  /** The values of the swept parameters (axes with several values) at this point, workload's then allocator's. */
  swept: Record<string, ParamValue>;
  config: PointConfig;
}

function declares(specs: readonly ParamSpec[], key: string): boolean {
  return specs.some((s) => s.name === key);
}

function allocatorSpecs(name: string): readonly ParamSpec[] {
  return modelInfo(name).params;
}

function workloadSpecs(name: string): readonly ParamSpec[] {
  return lookupWorkload(name).info.params;
}

/** Decides for each axis whether it is an allocator or a workload parameter; errors name the fix. */
export function routeAxes(spec: GridSpec): { allocator: ParamAxis[]; workload: ParamAxis[] } {
  const allocator: ParamAxis[] = [];
  const workload: ParamAxis[] = [];
  const seen = new Set<string>();
  for (const ax of spec.params) {
    if (ax.values.length === 0) throw new ParamError(`parameter '${ax.key}' has no values; write --param ${ax.key}=v1,v2`);
    const id = `${ax.target ?? ''}.${ax.key}`;
    if (seen.has(id)) throw new ParamError(`parameter '${ax.key}' is given twice; list its values once: --param ${ax.key}=v1,v2`);
    seen.add(id);
    if (spec.threads.length > 0 && ax.target !== 'allocator' && spec.threadParams.includes(ax.key)) {
      throw new ParamError(`parameter '${ax.key}' is set by --threads; give the thread counts there`);
    }
    const inA = spec.allocators.some((a) => declares(allocatorSpecs(a), ax.key));
    const inW = spec.workloads.some((w) => declares(workloadSpecs(w), ax.key));
    const target = ax.target ?? (inA && inW ? 'both' : inA ? 'allocator' : inW ? 'workload' : 'none');
    if (target === 'both') {
      throw new ParamError(`parameter '${ax.key}' exists for both an allocator and a workload; write alloc.${ax.key}= or work.${ax.key}=`);
    }
    if (target === 'none' || (target === 'allocator' && !inA) || (target === 'workload' && !inW)) {
      const names = (xs: string[], f: (n: string) => readonly ParamSpec[]): string =>
        [...new Set(xs.flatMap((x) => f(x).map((s) => s.name)))].join(', ') || '(none)';
      throw new ParamError(
        `unknown parameter '${ax.key}'; allocator parameters: ${names(spec.allocators, allocatorSpecs)}; workload parameters: ${names(spec.workloads, workloadSpecs)}`,
      );
    }
    (target === 'allocator' ? allocator : workload).push({ ...ax, target });
  }
  return { allocator, workload };
}

/** The most runs one grid may have (shard a larger study into several experiments). */
export const MAX_GRID_POINTS = 100_000;

function tooLarge(): ParamError {
  return new ParamError(`the grid has more than ${MAX_GRID_POINTS} runs; use fewer seeds, thread counts or parameter values`);
}

/** Every combination of the axes (in order, the last axis varying fastest). */
function combinations(axes: readonly ParamAxis[]): Array<Array<[ParamAxis, ParamValue]>> {
  let out: Array<Array<[ParamAxis, ParamValue]>> = [[]];
  for (const ax of axes) {
    if (out.length * ax.values.length > MAX_GRID_POINTS) throw tooLarge();
    out = out.flatMap((c) => ax.values.map((v): Array<[ParamAxis, ParamValue]> => [...c, [ax, v]]));
  }
  return out;
}

function label(name: string, combo: ReadonlyArray<[ParamAxis, ParamValue]>): string {
  const swept = combo.filter(([ax]) => ax.values.length > 1).map(([ax, v]) => `${ax.key}=${String(v)}`);
  return [name, ...swept].join(' ');
}

/**
 * Expands the grid into its points (workload, its parameters, threads, allocator, its parameters,
 * seed) and validates every point's parameters, so a bad value fails before any run starts.
 */
export function expandGrid(spec: GridSpec): GridPoint[] {
  const axes = routeAxes(spec);
  const points: GridPoint[] = [];
  for (const w of spec.workloads) {
    const wspecs = workloadSpecs(w);
    const implied = lookupWorkload(w).overrides;
    for (const t of spec.threadParams) {
      // A variant such as larson-2 fixes its thread count; --threads would relabel its rows.
      if (spec.threads.length > 0 && implied[t] !== undefined) {
        const base = w.slice(0, w.lastIndexOf('-'));
        const tp = spec.threadParams.join(',') === 'threads' ? '' : ` --thread-params ${spec.threadParams.join(',')}`;
        const same = Object.entries(implied)
          .filter(([k]) => !spec.threadParams.includes(k))
          .map(([k, v]) => ` -p ${k}=${String(v)}`)
          .join('');
        throw new ParamError(
          `${w} fixes ${t}=${String(implied[t])}; to vary the thread count use -w ${base} --threads ${spec.threads.join(',')}${tp}${same}`,
        );
      }
      if (spec.threads.length > 0 && !declares(wspecs, t)) {
        const have = wspecs.map((s) => s.name).join(', ');
        // Producer/consumer workloads: say how to get the variant's configuration (msgpass-N has no proxies; msgpass's own default has 2).
        const pairs =
          declares(wspecs, 'producers') && declares(wspecs, 'consumers')
            ? `, e.g. --thread-params producers,consumers${declares(wspecs, 'proxies') ? " -p proxies=0 (what msgpass-N and batchit run; without it the program's default proxies=2 stays)" : ''}`
            : '';
        throw new ParamError(
          `workload ${w} has no parameter '${t}' for the thread count; its parameters: ${have}; choose them with --thread-params${pairs}`,
        );
      }
    }
    for (const wc of combinations(axes.workload.filter((ax) => declares(wspecs, ax.key)))) {
      const benchmark = label(w, wc);
      for (const t of spec.threads.length > 0 ? spec.threads : [undefined]) {
        const workloadParams: Record<string, ParamValue> = Object.fromEntries(wc.map(([ax, v]) => [ax.key, v]));
        if (t !== undefined) for (const tp of spec.threadParams) workloadParams[tp] = t;
        for (const a of spec.allocators) {
          const aspecs = allocatorSpecs(a);
          for (const ac of combinations(axes.allocator.filter((ax) => declares(aspecs, ax.key)))) {
            const allocatorParams = Object.fromEntries(ac.map(([ax, v]) => [ax.key, v]));
            for (const seed of spec.seeds) {
              if (points.length === MAX_GRID_POINTS) throw tooLarge();
              points.push({
                index: points.length,
                allocatorLabel: label(a, ac),
                benchmark,
                swept: Object.fromEntries([...wc, ...ac].filter(([ax]) => ax.values.length > 1).map(([ax, v]) => [ax.key, v])),
                threads: t ?? 0,
                config: {
                  allocator: a,
                  allocatorParams,
                  workload: w,
                  workloadParams: { ...workloadParams },
                  seed,
                  machine: spec.machine,
                  check: spec.check,
                  profile: spec.profile,
                },
              });
            }
          }
        }
      }
    }
  }
  validatePoints(points, spec);
  return points;
}

/**
 * Checks every point's parameters against the specs (so a bad value fails before any run starts)
 * and fills in the thread count of points that use the workload's default.
 */
function validatePoints(points: GridPoint[], spec: GridSpec): void {
  for (const p of points) {
    const c = p.config;
    resolveParams(`allocator ${c.allocator}`, allocatorSpecs(c.allocator), c.allocatorParams);
    const { info, overrides } = lookupWorkload(c.workload);
    const wp = resolveParams(`workload ${c.workload}`, info.params, { ...overrides, ...c.workloadParams });
    if (spec.threads.length === 0) {
      const first = spec.threadParams.find((t) => typeof wp[t] === 'number');
      p.threads = first === undefined ? 0 : (wp[first] as number);
    }
  }
}

/** The allocator label relative figures are computed against. */
export function baselineLabel(spec: GridSpec, points: readonly GridPoint[]): string {
  const labels = [...new Set(points.map((p) => p.allocatorLabel))];
  if (spec.baseline === undefined) return labels[0] ?? '';
  if (labels.includes(spec.baseline)) return spec.baseline;
  const byName = points.find((p) => p.config.allocator === spec.baseline);
  if (byName !== undefined) return byName.allocatorLabel;
  throw new ParamError(`baseline '${spec.baseline}' is not one of the allocators compared (${labels.join(', ')})`);
}

/** The title of a grid's charts and reports (the same for a run, the merge of its shards, the playground). */
export function gridTitle(spec: GridSpec): string {
  const swept = spec.params.filter((a) => a.values.length > 1).map((a) => a.key);
  const what = `${spec.allocators.join(', ')} on ${spec.workloads.join(', ')}`;
  return swept.length > 0 ? `sweep ${swept.join(' × ')}: ${what}` : `compare ${what}`;
}

/** The indices of shard `i` of `n` (1-based): every n-th point, so each shard gets a mix of sizes. */
export function shardIndices(total: number, i: number, n: number): number[] {
  const out: number[] = [];
  for (let k = i - 1; k < total; k += n) out.push(k);
  return out;
}
