/**
 * The invariant property suite every allocator model must pass (`allocsim check`, and the test
 * suite for every registered model).
 *
 * Each property is a fast-check model-based test: a random sequence of commands (the allocator
 * operations of src/allocators/kit/operations.ts as their entries weigh them: malloc, calloc,
 * realloc, free, aligned_alloc where alignments vary; on several simulated threads, with frees by
 * a thread other than the allocating one)
 * runs against the model through the Driver with the shadow-heap checker on. After the sequence
 * every block is freed, every thread exits (flushing its caches) and the lost-object check runs.
 * A failure is shrunk to a minimal sequence and reported with the seed and path that replay it.
 */
import fc from 'fast-check';
import { AllocatorAbort, type ModelInfo } from '../allocators/kit/contract.ts';
import { createModel } from '../allocators/kit/create-model.ts';
import {
  ALLOCATOR_OPERATION,
  ALLOCATOR_OPERATIONS,
  requestedSize,
  type AllocatorOperation,
  type ArgRole,
} from '../allocators/kit/operations.ts';
import { adjacentFree, coalescesImmediately, notCoalescedMessage } from '../check/coalescing.ts';
import { ModelInvariantFailure } from '../check/model-invariants.ts';
import type { Violation } from '../check/violations.ts';
import type { Cpu } from '../machine/cpu.ts';
import type { VectorClock } from '../machine/race/vector-clock.ts';
import { Machine } from '../machine/machine.ts';
import { machinePreset } from '../machine/presets.ts';
import type { ParamValue } from '../lib/params.ts';
import { Driver } from './driver.ts';
import { crashText } from './model-contract.ts';
import { hex } from '../sim/hex.ts';

/** Memory accesses one operation of a short sequence may make before it counts as an endless loop. */
const SEQUENCE_ACCESS_BUDGET = 2_000_000;

/**
 * The application's view of one run: live blocks with their owning thread, and (with the race
 * detector on) the owner's clock when the block was allocated: a thread that frees another's block
 * got the pointer through some synchronisation of the program's (a queue, a lock), modelled as a
 * release by the owner right after the allocation and an acquire by the freeing thread.
 */
interface AppModel {
  live: Array<{ ptr: number; thread: number; size: number; sync?: VectorClock }>;
}

interface Real {
  driver: Driver;
  cpus: Cpu[];
  /** The model declares immediate coalescing: check that no two free regions touch after a free. */
  coalescing: boolean;
}

class ConformanceFailure extends Error {
  constructor(
    readonly violation: Violation | null,
    message: string,
  ) {
    super(message);
  }
}

function assertClean(real: Real): void {
  const v = real.driver.checker?.violations[0];
  if (v !== undefined) throw new ConformanceFailure(v, `[${v.kind}] ${v.message}`);
}

/** The coalescing invariant (src/check/coalescing.ts), for models that declare it. */
function assertCoalesced(real: Real, op: string): void {
  if (!real.coalescing) return;
  const regions = guarded(real, () => real.driver.heapWalk(real.cpus[0] as Cpu));
  const pair = regions === undefined ? undefined : adjacentFree(regions);
  if (pair !== undefined) {
    const v: Violation = { kind: 'not-coalesced', message: notCoalescedMessage(op, pair), thread: -1, op, address: pair[0].addr };
    throw new ConformanceFailure(v, `[${v.kind}] ${v.message}`);
  }
}

function guarded<T>(real: Real, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConformanceFailure) throw e;
    // A debug invariant failed and stopped the operation: report it (already a violation).
    if (e instanceof ModelInvariantFailure) assertClean(real);
    const what = e instanceof AllocatorAbort ? 'the model aborted on a valid operation' : 'the model crashed';
    throw new ConformanceFailure(null, `${what}: ${crashText(e).replace(/^threw /, '')}`);
  }
}

/** With the race detector on: the owner's release right after an allocation (see AppModel). */
function handOff(r: Real, thread: number): { sync?: VectorClock } {
  const race = r.driver.machine.race;
  return race === null ? {} : { sync: race.release(thread) };
}

/** A thread other than the owner takes the block: it acquires what the owner released. */
function received(r: Real, b: AppModel['live'][number], thread: number): void {
  const race = r.driver.machine.race;
  if (race !== null && b.thread !== thread && b.sync !== undefined) race.acquire(thread, b.sync);
}

/**
 * One allocator operation (an entry of src/allocators/kit/operations.ts) from `thread`, with the
 * arguments its `args` call for. A 'ptr' argument holds a pick: live block number `pick` modulo the
 * live count, freed or resized by `thread` (a remote free when it is not the owner).
 */
class OperationCmd implements fc.Command<AppModel, Real> {
  private readonly takesBlock: boolean;
  constructor(
    readonly op: AllocatorOperation,
    readonly thread: number,
    readonly a: number,
    readonly b: number,
  ) {
    this.takesBlock = op.args[0] === 'ptr';
  }
  check(m: Readonly<AppModel>): boolean {
    return !this.takesBlock || m.live.length > 0;
  }
  run(m: AppModel, r: Real): void {
    const cpu = r.cpus[this.thread] as Cpu;
    const op = this.op;
    if (!this.takesBlock) {
      const p = guarded(r, () => r.driver.call(op, cpu, this.a, this.b));
      assertClean(r);
      if (op.records === 'allocate' && p !== 0)
        m.live.push({ ptr: p, thread: this.thread, size: requestedSize(op, this.a, this.b), ...handOff(r, this.thread) });
      return;
    }
    const i = this.a % m.live.length;
    const b = m.live[i] as AppModel['live'][number];
    received(r, b, this.thread);
    const q = guarded(r, () => r.driver.call(op, cpu, b.ptr, this.b));
    assertClean(r);
    assertCoalesced(r, this.toString());
    if (op.records === 'release') m.live.splice(i, 1);
    else if (op.records === 'resize') {
      const size = requestedSize(op, b.ptr, this.b);
      if (q !== 0) m.live[i] = { ptr: q, thread: this.thread, size, ...handOff(r, this.thread) };
      else if (size === 0) m.live.splice(i, 1); // realloc(p, 0) frees p and returns NULL (glibc, BaseModel)
    }
  }
  /** `malloc(t0, 24)`, `malloc(t1, 24, align 64)`, `free(t0, #3)`: a default `b` is left out. */
  toString(): string {
    const shown = this.op.args.flatMap((role, k) => {
      const v = k === 0 ? this.a : this.b;
      if (k === 1 && this.op.bDefault !== 0 && v === this.op.bDefault) return [];
      return [role === 'ptr' ? `#${v}` : role === 'align' ? `align ${v}` : `${v}`];
    });
    return `${this.op.name}(t${this.thread}, ${shown.join(', ')})`;
  }
}

export interface PropertySpec {
  name: string;
  description: string;
  threads: number;
  sizes: fc.Arbitrary<number>;
  aligned: boolean;
  maxCommands: number;
}

const smallSize = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 256 }) },
  { weight: 3, arbitrary: fc.integer({ min: 257, max: 4096 }) },
  { weight: 1, arbitrary: fc.integer({ min: 4097, max: 70_000 }) },
);
const largeSize = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 4096 }) },
  { weight: 2, arbitrary: fc.integer({ min: 60_000, max: 300_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1 << 20, max: 5 << 20 }) },
);

export const PROPERTIES: readonly PropertySpec[] = [
  {
    name: 'single-thread',
    description: 'one thread: blocks are aligned, mapped, large enough, disjoint; realloc keeps the prefix; calloc zeroes',
    threads: 1,
    sizes: smallSize,
    aligned: false,
    maxCommands: 120,
  },
  {
    name: 'remote-frees',
    description: "four threads freeing each other's blocks: the same invariants, and no remotely freed object is lost",
    threads: 4,
    sizes: smallSize,
    aligned: false,
    maxCommands: 160,
  },
  {
    name: 'aligned',
    description: 'malloc with alignments from 8 to 4096 returns aligned, disjoint blocks',
    threads: 2,
    sizes: smallSize,
    aligned: true,
    maxCommands: 80,
  },
  {
    name: 'large',
    description: 'large requests (up to 5 MiB) mixed with small ones, including realloc across the size boundary',
    threads: 2,
    sizes: largeSize,
    aligned: false,
    maxCommands: 60,
  },
];

/** The command sequences of property `spec` (exported for the operations table's test). */
export function commandsFor(spec: PropertySpec, replayPath: string | undefined): fc.Arbitrary<Iterable<fc.Command<AppModel, Real>>> {
  const thread = fc.nat({ max: spec.threads - 1 });
  const align = spec.aligned ? fc.constantFrom(8, 16, 32, 64, 128, 256, 4096) : fc.constant(16);
  const pick = fc.nat({ max: 1000 });
  const roles: Record<ArgRole, fc.Arbitrary<number>> = {
    size: spec.sizes,
    align,
    count: fc.integer({ min: 0, max: 16 }),
    elementSize: fc.integer({ min: 0, max: 512 }),
    ptr: pick,
  };
  // Each operation of the table as often as its weight says, in the table's order.
  const choices = ALLOCATOR_OPERATIONS.filter((op) => !op.conformance.alignedOnly || spec.aligned).flatMap((op) =>
    Array.from({ length: op.conformance.weight }, () =>
      (fc.tuple(thread, ...op.args.map((role) => roles[role])) as fc.Arbitrary<[number, number, number?]>).map(
        ([t, a, b]) => new OperationCmd(op, t, a, b ?? op.bDefault),
      ),
    ),
  );
  return fc.commands(
    choices,
    // size 'max': without it fast-check's default size caps every sequence at about 10 commands,
    // whatever maxCommands says; with it, lengths spread up to maxCommands.
    // replayPath: which commands of the shrunk sequence ran; fast-check needs it, besides the seed
    // and the path, to rebuild a shrunk command sequence.
    { maxCommands: spec.maxCommands, size: 'max', ...(replayPath !== undefined ? { replayPath } : {}) },
  );
}

interface Checks {
  races: boolean;
  invariants: boolean;
}

function setup(
  info: ModelInfo,
  threads: number,
  params: Readonly<Record<string, ParamValue>>,
  checks: Checks,
): { model: AppModel; real: Real } {
  const machine = new Machine(machinePreset('default'), { seed: 1 });
  const race = checks.races && threads > 1 ? machine.detectRaces() : null;
  const model = createModel(info, machine, params);
  const driver = new Driver(machine, model, true, info.name);
  if (checks.invariants) driver.checkInvariants();
  driver.accessBudget = SEQUENCE_ACCESS_BUDGET;
  const cpus = Array.from({ length: threads }, (_, t) => machine.cpu(t, t % machine.spec.cores));
  const coalescing = guarded({ driver, cpus, coalescing: false }, () => coalescesImmediately(model.describe().constants));
  const real: Real = { driver, cpus, coalescing };
  // Thread 0 is the program's main thread: it starts, then creates the others.
  for (const c of cpus) {
    if (c.thread !== 0) race?.fork(0, c.thread);
    guarded(real, () => driver.threadStart(c));
  }
  assertClean(real);
  return { model: { live: [] }, real };
}

/** After the sequence: free what is left (by its owner), exit every thread, run the end-of-run checks. */
function teardown(m: AppModel, r: Real): void {
  for (const b of m.live) {
    guarded(r, () => r.driver.call(ALLOCATOR_OPERATION.free, r.cpus[b.thread] as Cpu, b.ptr));
    assertClean(r);
    assertCoalesced(r, `the final free of the block at ${hex(b.ptr)}`);
  }
  m.live = [];
  for (const c of r.cpus) guarded(r, () => r.driver.threadExit(c));
  assertClean(r);
  // The main thread joins the others before the end-of-run checks.
  for (const c of r.cpus) if (c.thread !== 0) r.driver.machine.race?.joined(0, c.thread);
  guarded(r, () => r.driver.finish(r.cpus[0]));
  assertClean(r);
}

export interface PropertyResult {
  name: string;
  description: string;
  ok: boolean;
  runs: number;
  /** The shrunk failing sequence, one command per entry. */
  counterexample?: string[];
  violation?: Violation | null;
  message?: string;
  seed: number;
  path?: string;
  /** fast-check's replayPath of the shrunk command sequence: with seed and path, it replays the failure. */
  replayPath?: string;
  /** With the debug invariants on: how many times each structure's invariant was checked, over all runs. */
  invariantChecks?: Record<string, number>;
}

export interface ConformanceOptions {
  seed?: number;
  numRuns?: number;
  params?: Readonly<Record<string, ParamValue>>;
  /** Only these properties (by name). */
  only?: readonly string[];
  /** Replay one failing case: fast-check's counterexample path. */
  path?: string;
  /** And the replayPath of its command sequence (PropertyResult.replayPath). */
  replayPath?: string;
  /**
   * Run the data-race detector in the multi-threaded properties (default true): a race between
   * two threads' accesses to the allocator's memory is a violation like the others.
   */
  races?: boolean;
  /**
   * Turn the models' debug invariants on (default true): snmalloc's seqset and buddy, mimalloc's
   * page and segment, glibc's bins checked where the real debug builds assert them
   * (src/allocators/shared/invariants.ts); a failed one is a violation of kind `model-invariant`.
   */
  invariants?: boolean;
  /** Called after each generated sequence (shrinking included), for a progress display. */
  onRun?: (property: string, runs: number) => void;
}

export function checkProperty(info: ModelInfo, spec: PropertySpec, opts: ConformanceOptions = {}): PropertyResult {
  const seed = opts.seed ?? 1;
  let runs = 0;
  const checks = new Map<string, number>();
  const prop = fc.property(commandsFor(spec, opts.replayPath), (cmds) => {
    opts.onRun?.(spec.name, ++runs);
    const { model, real } = setup(info, spec.threads, opts.params ?? {}, {
      races: opts.races !== false,
      invariants: opts.invariants !== false,
    });
    try {
      fc.modelRun(() => ({ model, real }), cmds);
      teardown(model, real);
    } finally {
      for (const [s, n] of real.driver.invariants?.checks ?? []) checks.set(s, (checks.get(s) ?? 0) + n);
    }
  });
  const details = fc.check(prop, {
    seed,
    numRuns: opts.numRuns ?? 40,
    ...(opts.path !== undefined ? { path: opts.path, endOnFailure: true } : {}),
  });
  const base = {
    name: spec.name,
    description: spec.description,
    runs: details.numRuns,
    seed,
    ...(checks.size > 0 ? { invariantChecks: Object.fromEntries([...checks].sort(([a], [b]) => (a < b ? -1 : 1))) } : {}),
  };
  if (!details.failed) return { ...base, ok: true };
  const err = details.errorInstance;
  const cmds = details.counterexample?.[0] as Iterable<fc.Command<AppModel, Real>> | undefined;
  const counterexample = cmds === undefined ? [] : [...cmds].map((c) => c.toString());
  return {
    ...base,
    ok: false,
    counterexample,
    violation: err instanceof ConformanceFailure ? err.violation : null,
    message: err instanceof Error ? err.message : String(err),
    path: details.counterexamplePath ?? undefined,
    ...(replayPathOf(cmds) !== undefined ? { replayPath: replayPathOf(cmds) } : {}),
  };
}

/** The replayPath fast-check keeps with a command sequence (the replayPath="..." comment in its text). */
function replayPathOf(cmds: unknown): string | undefined {
  const meta = (cmds as { metadataForReplay?: () => string } | undefined)?.metadataForReplay?.() ?? '';
  const m = /replayPath=("(?:[^"\\]|\\.)*")/.exec(meta);
  return m === null ? undefined : (JSON.parse(m[1] as string) as string);
}

export function runConformance(info: ModelInfo, opts: ConformanceOptions = {}): PropertyResult[] {
  return PROPERTIES.filter((p) => opts.only === undefined || opts.only.includes(p.name)).map((p) => checkProperty(info, p, opts));
}
