/**
 * A user's machine description as JSON: validated here, and any field left out is taken from the
 * preset named in `base` (default: `default`).
 */
import { MachineSpecError, MAX_SETS, type CacheGeometry, type CoreSpec, type MachineSpec } from './machine-spec.ts';
import { machinePreset } from './presets.ts';
import { LINE_SIZE } from './sizes.ts';

/**
 * Builds a MachineSpec from a parsed JSON object: fields left out come from the preset named by
 * `base` (default `default`); unknown fields and non-positive numbers are errors.
 */
export function machineFromJSON(json: unknown, source = 'machine description'): MachineSpec {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MachineSpecError(`${source}: expected a JSON object`);
  }
  const obj = json as Record<string, unknown>;
  const baseName = obj.base === undefined ? 'default' : obj.base;
  if (typeof baseName !== 'string') throw new MachineSpecError(`${source}: "base" must be a preset name`);
  const spec = machinePreset(baseName) as unknown as Record<string, unknown>;
  // Unless the file names itself, the machine is named after the file, so reports do not pass it
  // off as the preset it started from.
  const fileName =
    source
      .split(/[\\/]/)
      .pop()
      ?.replace(/\.json$/i, '') ?? source;
  spec.name = fileName;
  spec.description = `${String(spec.description)}, changed by ${source}`;
  merge(spec, obj, source, '', new Set(['base']));
  const out = spec as unknown as MachineSpec;
  validate(out, source);
  return out;
}

/** The largest number a machine description may hold (a cost in cycles, a size, a count). */
export const MAX_SPEC_NUMBER = 1e9;

function merge(target: Record<string, unknown>, src: Record<string, unknown>, source: string, path: string, skip: Set<string>): void {
  for (const [k, v] of Object.entries(src)) {
    if (skip.has(k)) continue;
    const here = path === '' ? k : `${path}.${k}`;
    // Own fields only: `__proto__` or `constructor` in a file must not reach Object.prototype.
    if (!Object.hasOwn(target, k)) {
      throw new MachineSpecError(`${source}: unknown field "${here}"; valid fields: ${Object.keys(target).join(', ')}`);
    }
    const cur = target[k];
    if (typeof cur === 'object' && cur !== null) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        throw new MachineSpecError(`${source}: "${here}" must be an object`);
      }
      merge(cur as Record<string, unknown>, v as Record<string, unknown>, source, here, new Set());
    } else if (typeof cur === 'number') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_SPEC_NUMBER) {
        throw new MachineSpecError(`${source}: "${here}" must be a number from 0 to ${MAX_SPEC_NUMBER}; got ${JSON.stringify(v)}`);
      }
      target[k] = v;
    } else {
      if (typeof v !== 'string') throw new MachineSpecError(`${source}: "${here}" must be a string`);
      target[k] = v;
    }
  }
}

function validate(spec: MachineSpec, source: string): void {
  if (!Number.isInteger(spec.cores) || spec.cores < 1 || spec.cores > 1024) {
    throw new MachineSpecError(`${source}: "cores" must be an integer from 1 to 1024`);
  }
  if (!(spec.ghz >= MIN_GHZ && spec.ghz <= MAX_GHZ)) {
    throw new MachineSpecError(`${source}: "ghz" must be from ${MIN_GHZ} to ${MAX_GHZ}; got ${spec.ghz}`);
  }
  for (const level of ['l1', 'l2', 'llc'] as const) {
    const g = spec[level];
    const lines = (g.sizeKiB * 1024) / LINE_SIZE;
    const sets = lines / g.ways;
    if (!Number.isInteger(g.ways) || g.ways < 1 || !Number.isInteger(sets) || sets < 1 || sets > MAX_SETS || (sets & (sets - 1)) !== 0) {
      throw new MachineSpecError(
        `${source}: "${level}" must have a whole power-of-two number of sets (sizeKiB*16/ways), at most ${MAX_SETS}; got ${sizeText(g)}`,
      );
    }
  }
  for (const [field, max] of CORE_LIMITS) {
    const v = spec.core[field];
    const min = field === 'streamerDistance' ? 0 : 1;
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new MachineSpecError(`${source}: "core.${field}" must be a whole number from ${min} to ${max}; got ${v}`);
    }
  }
  const lines = (spec.cores * (spec.l1.sizeKiB + spec.l2.sizeKiB) + spec.llc.sizeKiB) * (1024 / LINE_SIZE);
  if (lines > MAX_CACHE_LINES) {
    throw new MachineSpecError(
      `${source}: the caches hold ${lines} lines in all (cores × (l1 + l2) + llc); the simulator keeps every line in memory, so at most ${MAX_CACHE_LINES} (${MAX_CACHE_LINES / 16 / 1024} MiB of cache) are allowed`,
    );
  }
}

/**
 * Bounds of the core's fields: generous beyond any real core (the widest shipping cores issue 8-12
 * instructions, keep 512-630 in flight, 48 L1 misses and 100-190 stores), small enough that the
 * per-thread buffers stay small.
 */
const CORE_LIMITS: ReadonlyArray<readonly [keyof CoreSpec, number]> = [
  ['issueWidth', 16],
  ['loadsPerCycle', 8],
  ['storesPerCycle', 8],
  ['rob', 4096],
  ['fillBuffers', 256],
  ['storeBuffer', 1024],
  ['streamerDistance', 63],
];

/** Clock rates a machine may have, in GHz (cycles convert to seconds through it). */
export const MIN_GHZ = 0.001;
export const MAX_GHZ = 1000;

/** Most cache lines a machine may have over all its caches: 1 GiB of cache, ~150 MB of simulator memory. */
export const MAX_CACHE_LINES = 1 << 24;

function sizeText(g: CacheGeometry): string {
  return `${g.sizeKiB} KiB, ${g.ways} ways`;
}
