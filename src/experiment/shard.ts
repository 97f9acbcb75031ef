/**
 * Shards: a deterministic slice of a grid run on its own (a job-array task, a pod of an indexed
 * Job), written as a self-describing file; merging every slice gives exactly the Results of the
 * unsharded run, in the same order. Shard i of n holds the points i-1, i-1+n, i-1+2n, ...
 */
import { MAX_GRID_POINTS, type GridPoint, type GridSpec } from './grid.ts';
import type { Result } from './result.ts';
import { resultProblem } from './result-check.ts';

export const SHARD_FORMAT = 'allocsim-shard';

export interface ShardFile {
  format: typeof SHARD_FORMAT;
  version: 1;
  /** 1-based index and count, as on the command line (`--shard 2/3`). */
  shard: { index: number; count: number };
  experiment: GridSpec;
  /** Grid indices of `results`, in order. */
  points: number[];
  results: Result[];
}

export class ShardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardError';
  }
}

const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const ints = (v: unknown): boolean => Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && (x as number) >= 0);

/** The experiment header has the shape expandGrid reads (its lists, its machine). */
function experimentShaped(e: unknown): boolean {
  const x = e as Partial<GridSpec> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    strings(x.allocators) &&
    strings(x.workloads) &&
    ints(x.threads) &&
    strings(x.threadParams) &&
    ints(x.seeds) &&
    Array.isArray(x.params) &&
    strings(x.modules) &&
    typeof x.machine === 'object' &&
    x.machine !== null &&
    typeof x.machine.name === 'string'
  );
}

/** Checks the shape of a parsed shard file (named `name` in messages). */
export function asShardFile(json: unknown, name: string): ShardFile {
  const o = json as Partial<ShardFile> | null;
  if (o === null || typeof o !== 'object' || o.format !== SHARD_FORMAT) {
    throw new ShardError(`${name} is not an allocsim shard file; write one with allocsim compare ... --shard i/n --out FILE`);
  }
  const count = o.shard?.count;
  const ok =
    o.version === 1 &&
    Number.isSafeInteger(count) &&
    (count as number) >= 1 &&
    (count as number) <= MAX_GRID_POINTS &&
    Number.isSafeInteger(o.shard?.index) &&
    (o.shard?.index as number) >= 1 &&
    (o.shard?.index as number) <= (count as number) &&
    typeof o.experiment === 'object' &&
    Array.isArray(o.points) &&
    Array.isArray(o.results) &&
    o.points.length === o.results.length;
  if (!ok || !experimentShaped(o.experiment))
    throw new ShardError(`${name}: malformed shard file (version ${String(o.version)}); re-run that shard`);
  return o as ShardFile;
}

/**
 * Joins shards of one experiment into its Results in grid order; each Result is checked (types,
 * ranges, and that it is the run of its grid point).
 */
export function mergeShards(files: ReadonlyArray<{ name: string; shard: ShardFile }>, points: readonly GridPoint[]): Result[] {
  const total = points.length;
  const [first] = files;
  if (first === undefined) throw new ShardError('no shard files given');
  const spec = JSON.stringify(first.shard.experiment);
  const n = first.shard.shard.count;
  const seen = new Map<number, string>();
  const out: Array<Result | undefined> = new Array<Result | undefined>(total);
  for (const { name, shard } of files) {
    if (JSON.stringify(shard.experiment) !== spec) throw new ShardError(`${name} is from a different experiment than ${first.name}`);
    if (shard.shard.count !== n)
      throw new ShardError(`${name} is shard ${shard.shard.index}/${shard.shard.count}, but ${first.name} is one of ${n}`);
    const dup = seen.get(shard.shard.index);
    if (dup !== undefined) throw new ShardError(`${name} and ${dup} are both shard ${shard.shard.index}/${n}`);
    seen.set(shard.shard.index, name);
    shard.points.forEach((p, k) => {
      if (!Number.isInteger(p) || p < 0 || p >= total || out[p] !== undefined)
        throw new ShardError(`${name}: point ${p} is out of range or repeated`);
      const problem = resultProblem(shard.results[k], points[p] as GridPoint);
      if (problem !== undefined) throw new ShardError(`${name}: the Result of point ${p} ${problem}; re-run that shard`);
      out[p] = shard.results[k];
    });
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new ShardError(
      `missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')}; give every shard file of the experiment`,
    );
  const hole = out.findIndex((r) => r === undefined);
  if (hole >= 0)
    throw new ShardError(`the shards do not cover point ${hole} of ${total}; they were written by a different version of the grid`);
  return out as Result[];
}
