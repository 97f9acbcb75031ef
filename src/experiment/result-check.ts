/**
 * Checking a Result read from a file (a shard): every field the reports read has the right type and
 * range, so a hand-edited, truncated or foreign file is refused with the field named, instead of
 * crashing a report or printing NaN.
 */
import type { GridPoint } from './grid.ts';

const ERROR_KINDS = ['allocator-abort', 'machine-fault', 'deadlock', 'model-error'];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first problem with `r` as the Result of `point`, or undefined when it is fine. */
export function resultProblem(r: unknown, point: GridPoint): string | undefined {
  if (!isObj(r)) return 'is not an object';
  const c = point.config;
  if (r.allocator !== c.allocator) return `is for allocator ${JSON.stringify(r.allocator)}, the grid has ${c.allocator} there`;
  if (r.workload !== c.workload) return `is for workload ${JSON.stringify(r.workload)}, the grid has ${c.workload} there`;
  if (r.seed !== c.seed) return `has seed ${JSON.stringify(r.seed)}, the grid has ${String(c.seed)} there`;
  if (typeof r.machine !== 'string') return 'has no machine name';
  // Every count and figure the reports read: finite and non-negative.
  for (const section of ['time', 'cache', 'atomics', 'memory', 'kernel']) {
    const bad = badNumber(r[section], section);
    if (bad !== undefined) return bad;
  }
  const required: Array<[string, unknown]> = [
    ['time.cycles', (r.time as Obj).cycles],
    ['time.ops', (r.time as Obj).ops],
    ['time.opsPerKcycle', (r.time as Obj).opsPerKcycle],
    ['memory.rssPeakBytes', (r.memory as Obj).rssPeakBytes],
    ['atomics.total', (r.atomics as Obj).total],
    ['cache.l1Misses', (r.cache as Obj).l1Misses],
    ['cache.llcMisses', (r.cache as Obj).llcMisses],
    ['cache.coherenceMisses', (r.cache as Obj).coherenceMisses],
    [
      'cache.byOrigin.allocator.l1Misses',
      ((r.cache as Obj).byOrigin as Obj | undefined)?.allocator === undefined
        ? undefined
        : (((r.cache as Obj).byOrigin as Obj).allocator as Obj).l1Misses,
    ],
  ];
  const missing = required.find(([, v]) => typeof v !== 'number');
  if (missing !== undefined) return `has no number at ${missing[0]}`;
  const check = r.check;
  if (!isObj(check) || typeof check.enabled !== 'boolean' || !Array.isArray(check.violations) || !Array.isArray(check.workloadFaults)) {
    return 'has no check section (enabled, violations, workloadFaults)';
  }
  if (!isObj(r.allocatorCounters) || !isObj(r.workloadReport)) return 'has no allocatorCounters or workloadReport object';
  if (r.error !== undefined && (!isObj(r.error) || !ERROR_KINDS.includes(r.error.kind as string) || typeof r.error.message !== 'string')) {
    return `has a malformed error (kind must be one of ${ERROR_KINDS.join(', ')}, with a message)`;
  }
  if (r.profile !== undefined && (!isObj(r.profile) || !Array.isArray(r.profile.events) || !Array.isArray(r.profile.paths)))
    return 'has a malformed profile';
  return undefined;
}

/** The path of the first leaf under `v` that is not a finite non-negative number (strings allowed only as thread names). */
function badNumber(v: unknown, path: string): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? undefined : `has ${v} at ${path}; counts are finite and non-negative`;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      const bad = badNumber(x, `${path}[${i}]`);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  if (!isObj(v)) return `has ${JSON.stringify(v) ?? 'nothing'} at ${path}; expected a number or an object of numbers`;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'name' && typeof x === 'string') continue;
    const bad = badNumber(x, `${path}.${k}`);
    if (bad !== undefined) return bad;
  }
  return undefined;
}
