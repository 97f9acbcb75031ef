/** Option parsing shared by the commands: parameters, machines, thread lists. */
import { readFileSync, statSync } from 'node:fs';
import { excerpt, quoteExcerpt } from '../sim/excerpt.ts';
import { machineFromJSON } from '../machine/spec-json.ts';
import { machinePreset } from '../machine/presets.ts';
import { type MachineSpec } from '../machine/machine-spec.ts';
import { parseAssignment, type ParamSpec, type ParamValue } from '../lib/params.ts';
import { UsageError } from './errors.ts';

/** The largest machine file read (a description is a few hundred bytes). */
export const MAX_MACHINE_FILE_BYTES = 1 << 20;

/** Reads a machine preset name or a JSON file path. */
export function loadMachine(nameOrFile: string): MachineSpec {
  if (!nameOrFile.endsWith('.json')) return machinePreset(nameOrFile);
  let text: string;
  try {
    if (statSync(nameOrFile).size > MAX_MACHINE_FILE_BYTES) {
      throw new UsageError(`${nameOrFile}: larger than ${MAX_MACHINE_FILE_BYTES} bytes; a machine description is a small JSON object`);
    }
    text = readFileSync(nameOrFile, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read machine file ${nameOrFile}; give a preset name (default, xeon72) or a readable .json file`);
  }
  let json: unknown;
  try {
    // A UTF-8 byte-order mark (Windows editors write one) is not part of the JSON.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const hint = /\b(NaN|Infinity)\b/.test(text) ? '; JSON has no NaN or Infinity, write a number' : '';
    throw new UsageError(`${nameOrFile}: not valid JSON (${excerpt((e as Error).message, 100)})${hint}`);
  }
  return machineFromJSON(json, nameOrFile);
}

export interface SplitParams {
  allocator: Record<string, ParamValue>;
  workload: Record<string, ParamValue>;
}

/**
 * Routes `key=value` overrides to the allocator or the workload, by which one declares the key.
 * `alloc.key=v` and `work.key=v` force the target; a key neither declares is an error listing both.
 */
export function splitParams(
  assignments: readonly string[],
  allocatorSpecs: readonly ParamSpec[],
  workloadSpecs: readonly ParamSpec[],
): SplitParams {
  const out: SplitParams = { allocator: {}, workload: {} };
  for (const a of assignments) {
    const [rawKey, value] = parseAssignment(a);
    if (rawKey.startsWith('alloc.')) {
      out.allocator[rawKey.slice(6)] = value;
      continue;
    }
    if (rawKey.startsWith('work.')) {
      out.workload[rawKey.slice(5)] = value;
      continue;
    }
    const inA = allocatorSpecs.some((s) => s.name === rawKey);
    const inW = workloadSpecs.some((s) => s.name === rawKey);
    if (inA && inW)
      throw new UsageError(`parameter '${rawKey}' exists for both allocator and workload; write alloc.${rawKey}= or work.${rawKey}=`);
    if (inA) out.allocator[rawKey] = value;
    else if (inW) out.workload[rawKey] = value;
    else {
      const names = (specs: readonly ParamSpec[]): string => (specs.length === 0 ? '(none)' : specs.map((s) => s.name).join(', '));
      throw new UsageError(
        `unknown parameter '${rawKey}'; allocator parameters: ${names(allocatorSpecs)}; workload parameters: ${names(workloadSpecs)}`,
      );
    }
  }
  return out;
}

/**
 * Limits on counts that would otherwise exhaust memory or run for days; each is documented in
 * docs/cli.md. Seeds stop at 2^53 - 1, above which distinct numbers collide.
 */
export const LIMITS = {
  seeds: 1000,
  runs: 100_000,
  'steps-limit': 100_000,
  jobs: 256,
  seed: Number.MAX_SAFE_INTEGER,
} as const;

/** Parses an integer option value (for --threads, --seed, ...) from `min` to `max` (default: LIMITS[name], else 2^53 - 1). */
export function positiveInt(
  name: string,
  v: unknown,
  min = 1,
  max: number = (LIMITS as Record<string, number>)[name] ?? Number.MAX_SAFE_INTEGER,
): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (Number.isInteger(n) && n > max) {
    const why = max >= Number.MAX_SAFE_INTEGER - LIMITS.seeds ? ' (larger integers are not exact)' : ' (see the limits in docs/cli.md)';
    throw new UsageError(`--${name} must be at most ${max}${why}, got ${quoteExcerpt(String(v))}`);
  }
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer of at least ${min}, got ${quoteExcerpt(String(v))}`);
  return n;
}

/** Normalises a yargs array-or-single option to a string list. */
export function listOption(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}
