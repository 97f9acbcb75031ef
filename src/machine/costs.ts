/**
 * The machine description: core count, cache geometry and one table of costs in cycles.
 *
 * Two presets ship: `default`, an 8-core laptop-class part, and `xeon72`, shaped like the 72-vCPU
 * Azure F72s v2 (3rd-generation Xeon Scalable) the BatchIt paper measured on. docs/machine.md gives
 * the source of every number. A user can pass their own description as JSON; it is validated here
 * and any field left out is taken from the preset named in `base` (default: `default`).
 */

export interface CacheGeometry {
  /** Capacity in KiB. */
  sizeKiB: number;
  ways: number;
}

export type SyscallKind =
  | 'mmap' | 'munmap' | 'mremap' | 'madvise' | 'mprotect' | 'brk' | 'mlock' | 'futexWait' | 'futexWake'
  | 'getrandom' | 'schedYield' | 'other';

export const SYSCALL_KINDS: readonly SyscallKind[] = [
  'mmap', 'munmap', 'mremap', 'madvise', 'mprotect', 'brk', 'mlock', 'futexWait', 'futexWake', 'getrandom',
  'schedYield', 'other',
];

export interface Costs {
  /** Load-to-use latency of an L1d hit. */
  l1Hit: number;
  l2Hit: number;
  llcHit: number;
  /** A miss in every cache: DRAM latency. */
  dram: number;
  /** A line supplied by another core's private cache (snoop hit, modified or exclusive there). */
  c2cTransfer: number;
  /** Invalidating other cores' shared copies when writing a line held shared (RFO upgrade). */
  upgrade: number;
  /** Extra cycles of a locked read-modify-write (CAS, exchange, fetch-add, ...) over a store. */
  atomic: number;
  /** A full fence (mfence, or a seq_cst store). */
  fence: number;
  /** A minor page fault on first touch of an anonymous page, zeroing included. */
  pageFault: number;
  /** Kernel work per page made resident by MAP_POPULATE (zeroing, no trap). */
  populatePerPage: number;
  /** Base cost of each system call by kind. */
  syscall: Record<SyscallKind, number>;
  /**
   * Extra kernel work per page for munmap and madvise(DONTNEED/FREE) of resident pages, and per
   * resident page whose page-table entry mremap moves. (mremap's base cost has no measurement of
   * its own: it is taken equal to mmap's, the same VMA work.)
   */
  unmapPerPage: number;
  /** Switching a core from one thread to another. */
  contextSwitch: number;
  /** From a futex wake (or queue hand-off) to the woken thread running. */
  wakeLatency: number;
  /** Scheduling quantum: how long a thread keeps a shared core while others wait. */
  quantum: number;
  /** How long a lock waiter spins before sleeping on a futex. */
  spinBeforeSleep: number;
}

/**
 * The out-of-order core's widths and buffers (docs/machine.md, "The core"): what decides how much of
 * each access's latency a thread waits for.
 */
export interface CoreSpec {
  /** Simple instructions (`work`/`compute` units) per cycle the core sustains: its integer ALUs. */
  issueWidth: number;
  /** Loads the core issues per cycle (its load ports / AGUs). */
  loadsPerCycle: number;
  /** Stores the core issues, and commits from its store buffer, per cycle. */
  storesPerCycle: number;
  /** Reorder-buffer entries: how many instructions dispatch runs past the oldest unfinished load. */
  rob: number;
  /** L1d fill buffers (miss-status holding registers): L1 misses in flight at once, loads, prefetches and store RFOs together. */
  fillBuffers: number;
  /** Store-buffer entries: stores retired but not yet committed to L1. */
  storeBuffer: number;
  /** How far (in lines) the L2 stream prefetcher runs ahead of a detected stream; 0 turns it off. */
  streamerDistance: number;
}

export interface MachineSpec {
  name: string;
  description: string;
  cores: number;
  /** Clock rate used to convert cycles to seconds in reports. */
  ghz: number;
  l1: CacheGeometry;
  l2: CacheGeometry;
  llc: CacheGeometry;
  core: CoreSpec;
  costs: Costs;
}

export const LINE_SIZE = 64;
export const PAGE_SIZE = 4096;
export const HUGE_PAGE_SIZE = 2 * 1024 * 1024;

const DEFAULT: MachineSpec = {
  name: 'default',
  description: '8-core laptop-class part (Zen 3 "Cezanne"-like: 32 KiB L1d, 512 KiB L2, 16 MiB shared L3)',
  cores: 8,
  ghz: 3.0,
  l1: { sizeKiB: 32, ways: 8 },
  l2: { sizeKiB: 512, ways: 8 },
  llc: { sizeKiB: 16384, ways: 16 },
  core: { issueWidth: 4, loadsPerCycle: 3, storesPerCycle: 2, rob: 256, fillBuffers: 24, storeBuffer: 64, streamerDistance: 20 },
  costs: {
    l1Hit: 4,
    l2Hit: 12,
    llcHit: 46,
    dram: 270,
    c2cTransfer: 75,
    upgrade: 60,
    atomic: 18,
    fence: 33,
    pageFault: 2500,
    populatePerPage: 700,
    syscall: {
      mmap: 3000, munmap: 2500, mremap: 3000, madvise: 1500, mprotect: 2000, brk: 1500, mlock: 2000,
      futexWait: 2000, futexWake: 1500, getrandom: 800, schedYield: 600, other: 500,
    },
    unmapPerPage: 150,
    contextSwitch: 4000,
    wakeLatency: 6000,
    quantum: 3_000_000,
    spinBeforeSleep: 4000,
  },
};

const XEON72: MachineSpec = {
  name: 'xeon72',
  description:
    '72 vCPUs shaped like the Azure F72s v2 of the BatchIt paper (3rd-gen Xeon Scalable, Ice Lake-SP: ' +
    '48 KiB L1d, 1.25 MiB L2, 48 MiB shared L3, mesh interconnect); SMT siblings are modelled as separate cores',
  cores: 72,
  ghz: 2.8,
  l1: { sizeKiB: 48, ways: 12 },
  l2: { sizeKiB: 1280, ways: 20 },
  llc: { sizeKiB: 49152, ways: 12 },
  core: { issueWidth: 4, loadsPerCycle: 2, storesPerCycle: 2, rob: 352, fillBuffers: 12, storeBuffer: 72, streamerDistance: 20 },
  costs: {
    l1Hit: 5,
    l2Hit: 14,
    llcHit: 75,
    dram: 320,
    c2cTransfer: 150,
    upgrade: 120,
    atomic: 20,
    fence: 33,
    pageFault: 3500,
    populatePerPage: 800,
    syscall: {
      mmap: 4000, munmap: 3500, mremap: 4000, madvise: 2000, mprotect: 2500, brk: 2000, mlock: 2500,
      futexWait: 6000, futexWake: 4000, getrandom: 1000, schedYield: 1500, other: 700,
    },
    unmapPerPage: 200,
    contextSwitch: 6000,
    wakeLatency: 15000,
    quantum: 3_000_000,
    spinBeforeSleep: 4000,
  },
};

export const MACHINE_PRESETS: Readonly<Record<string, MachineSpec>> = { default: DEFAULT, xeon72: XEON72 };

export class MachineSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineSpecError';
  }
}

/** A copy of a preset by name, or a clear error naming the presets. */
export function machinePreset(name: string): MachineSpec {
  // Own properties only: `constructor` or `__proto__` is not a preset.
  const p = Object.hasOwn(MACHINE_PRESETS, name) ? MACHINE_PRESETS[name] : undefined;
  if (p === undefined) {
    throw new MachineSpecError(
      `unknown machine '${name}'; choose one of ${Object.keys(MACHINE_PRESETS).join(', ')} or give a JSON file`,
    );
  }
  return structuredClone(p);
}

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
  const fileName = source.split(/[\\/]/).pop()?.replace(/\.json$/i, '') ?? source;
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
  ['issueWidth', 16], ['loadsPerCycle', 8], ['storesPerCycle', 8], ['rob', 4096], ['fillBuffers', 256], ['storeBuffer', 1024],
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

/** Most sets a cache level may have (the simulator picks sets from 26 bits of the line number, see cache-level.ts). */
export const MAX_SETS = 1 << 26;

/** Number of sets of a cache level. */
export function setsOf(g: CacheGeometry): number {
  return (g.sizeKiB * 1024) / LINE_SIZE / g.ways;
}
