/**
 * Declared parameters with defaults, and `key=value` overrides validated against them. Models and
 * workloads declare their parameters with ParamSpec; the CLI passes user overrides as strings.
 */
export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

export interface ParamSpec {
  name: string;
  type: 'int' | 'number' | 'bool' | 'string' | 'enum';
  default: ParamValue;
  description: string;
  min?: number;
  max?: number;
  /** Allowed values of an enum. */
  choices?: readonly string[];
  /** Where the default comes from (a source file of the real allocator or benchmark). */
  source?: string;
}

export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

/** Parses `key=value` into a pair; a clear error otherwise. */
export function parseAssignment(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ParamError(`malformed parameter '${text}': expected key=value, e.g. --param threads=4`);
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
}

/** Converts one value (string from the command line, or already typed) according to its spec. */
export function coerceParam(owner: string, spec: ParamSpec, raw: ParamValue): ParamValue {
  const bad = (why: string): never => {
    throw new ParamError(`${owner}: parameter ${spec.name}=${String(raw)} ${why}`);
  };
  switch (spec.type) {
    case 'int':
    case 'number': {
      const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(v)) bad('is not a number');
      if (spec.type === 'int' && !Number.isInteger(v)) bad('must be an integer');
      if (spec.min !== undefined && v < spec.min) bad(`must be at least ${spec.min}`);
      if (spec.max !== undefined && v > spec.max) bad(`must be at most ${spec.max}`);
      return v;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      return bad('must be true or false');
    }
    case 'enum': {
      const s = String(raw);
      if (!(spec.choices ?? []).includes(s)) bad(`must be one of ${(spec.choices ?? []).join(', ')}`);
      return s;
    }
    default:
      return String(raw);
  }
}

/**
 * Applies overrides to the declared defaults. Unknown names are an error listing the valid ones.
 */
export function resolveParams(owner: string, specs: readonly ParamSpec[], overrides: Readonly<Record<string, ParamValue>> = {}): Params {
  const out: Params = {};
  for (const s of specs) out[s.name] = s.default;
  for (const [k, v] of Object.entries(overrides)) {
    const spec = specs.find((s) => s.name === k);
    if (spec === undefined) {
      const valid = specs.map((s) => s.name).join(', ');
      throw new ParamError(`${owner} has no parameter '${k}'; valid parameters: ${valid === '' ? '(none)' : valid}`);
    }
    out[k] = coerceParam(owner, spec, v);
  }
  return out;
}

/** A resolved integer parameter that must be a power of two (sizes and alignments). */
export function requirePowerOfTwo(owner: string, name: string, value: number, example: number): void {
  if (!Number.isInteger(Math.log2(value)))
    throw new ParamError(`${owner}: parameter ${name}=${value} must be a power of two (e.g. ${example})`);
}

/** Typed accessors for resolved parameters. */
export function num(p: Params, name: string): number {
  const v = p[name];
  if (typeof v !== 'number') throw new ParamError(`parameter ${name} is not a number`);
  return v;
}

export function bool(p: Params, name: string): boolean {
  const v = p[name];
  if (typeof v !== 'boolean') throw new ParamError(`parameter ${name} is not a boolean`);
  return v;
}

export function str(p: Params, name: string): string {
  const v = p[name];
  if (typeof v !== 'string') throw new ParamError(`parameter ${name} is not a string`);
  return v;
}
