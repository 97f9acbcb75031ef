/**
 * The playground's experiment, as a form fills it in: the same choices as `allocsim compare`, and
 * the one place that turns them into a GridSpec, into the URL that reproduces them, and into the
 * equivalent command line (which prints byte-identical JSON).
 */
import { makeGridSpec, parseAxis, type GridSpec } from '../../src/experiment/grid.ts';
import { machinePreset } from '../../src/machine/presets.ts';
import { ParamError } from '../../src/lib/params.ts';

export interface ExperimentForm {
  allocators: string[];
  workloads: string[];
  /** Thread counts; empty: each workload's default. */
  threads: number[];
  threadParams: string[];
  /** Seeds per configuration, from `seed` on. */
  seeds: number;
  seed: number;
  /** Parameter axes, `key=v1,v2` each. */
  params: string[];
  baseline?: string;
  machine: string;
  check: boolean;
}

export const DEFAULT_FORM: ExperimentForm = {
  allocators: ['glibc', 'snmalloc'],
  workloads: ['msgpass'],
  threads: [],
  threadParams: ['threads'],
  seeds: 1,
  seed: 1,
  params: ['scale=0.001'],
  machine: 'default',
  check: false,
};

function list(v: string | null): string[] {
  return v === null || v.trim() === '' ? [] : v.split(',').map((s) => s.trim());
}

function count(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new ParamError(`${name} must be a whole number of at least ${min}; got '${v}'`);
  return n;
}

/** The form from a URL query (`?a=glibc,snmalloc&w=msgpass&p=scale=0.05`); missing fields take the defaults. */
export function formFromQuery(query: string): ExperimentForm {
  const q = new URLSearchParams(query);
  const f: ExperimentForm = { ...DEFAULT_FORM };
  if (q.has('a')) f.allocators = list(q.get('a'));
  if (q.has('w')) f.workloads = list(q.get('w'));
  if (q.has('t')) f.threads = list(q.get('t')).map((t) => count('threads', t, 1));
  if (q.has('tp')) f.threadParams = list(q.get('tp'));
  if (q.has('seeds')) f.seeds = count('seeds', q.get('seeds') ?? '', 1);
  if (q.has('seed')) f.seed = count('seed', q.get('seed') ?? '', 0);
  if (q.has('p')) f.params = q.getAll('p').filter((p) => p.trim() !== '');
  const b = q.get('b');
  if (b !== null && b !== '') f.baseline = b;
  if (q.has('m')) f.machine = q.get('m') ?? 'default';
  if (q.has('check')) f.check = q.get('check') === '1';
  return f;
}

/** The URL query that reproduces `f`. */
export function formToQuery(f: ExperimentForm): string {
  const q = new URLSearchParams();
  q.set('a', f.allocators.join(','));
  q.set('w', f.workloads.join(','));
  if (f.threads.length > 0) q.set('t', f.threads.join(','));
  if (f.threadParams.join(',') !== 'threads') q.set('tp', f.threadParams.join(','));
  q.set('seeds', String(f.seeds));
  if (f.seed !== 1) q.set('seed', String(f.seed));
  for (const p of f.params) q.append('p', p);
  if (f.baseline !== undefined) q.set('b', f.baseline);
  if (f.machine !== 'default') q.set('m', f.machine);
  if (f.check) q.set('check', '1');
  return q.toString();
}

/** The arguments of `allocsim compare` (or sweep) that run the same experiment. */
export function cliArgs(f: ExperimentForm): string[] {
  const sweep = f.params.some((p) => p.slice(p.indexOf('=') + 1).includes(','));
  const args = [sweep ? 'sweep' : 'compare', '-a', f.allocators.join(','), '-w', f.workloads.join(',')];
  if (f.threads.length > 0) args.push('--threads', f.threads.join(','));
  if (f.threadParams.join(',') !== 'threads') args.push('--thread-params', f.threadParams.join(','));
  args.push('--seeds', String(f.seeds));
  if (f.seed !== 1) args.push('--seed', String(f.seed));
  for (const p of f.params) args.push('-p', p);
  if (f.baseline !== undefined) args.push('--baseline', f.baseline);
  if (f.machine !== 'default') args.push('--machine', f.machine);
  if (f.check) args.push('--check');
  return args;
}

function distinct(name: string, xs: readonly (string | number)[]): void {
  const dup = xs.find((x, i) => xs.indexOf(x) !== i);
  if (dup !== undefined) throw new ParamError(`${name} lists '${String(dup)}' twice`);
}

/** The GridSpec `allocsim compare` builds from the same choices (checked the same way). */
export function gridSpecOf(f: ExperimentForm): GridSpec {
  if (f.allocators.length === 0) throw new ParamError('choose at least one allocator');
  if (f.workloads.length === 0) throw new ParamError('choose at least one workload');
  distinct('allocators', f.allocators);
  distinct('workloads', f.workloads);
  distinct('threads', f.threads);
  // The form's number fields, checked as the CLI checks its options.
  for (const t of f.threads) count('thread counts', String(t), 1);
  count('seeds', String(f.seeds), 1);
  count('first seed', String(f.seed), 0);
  return makeGridSpec({
    allocators: f.allocators,
    workloads: f.workloads,
    threads: f.threads,
    threadParams: f.threadParams,
    seeds: Array.from({ length: f.seeds }, (_, i) => f.seed + i),
    params: f.params.map(parseAxis),
    ...(f.baseline !== undefined ? { baseline: f.baseline } : {}),
    machine: machinePreset(f.machine),
    check: f.check,
    profile: false,
  });
}
