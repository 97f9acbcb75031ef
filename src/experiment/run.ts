/**
 * One run = machine + allocator + workload + seed -> Result.
 *
 * The workload's threads run on the kernel; every allocator call and memory operation they yield is
 * executed here on the thread's Cpu, so its cost lands on the thread's clock.
 */
import { AllocatorAbort, type ModelInfo } from '../allocators/kit/contract.ts';
import { createModel } from '../allocators/kit/create-model.ts';
import { modelInfo } from '../allocators/registry.ts';
import type { Cpu } from '../machine/cpu.ts';
import type { VectorClock } from '../machine/race/vector-clock.ts';
import { MachineFault } from '../machine/fault.ts';
import { Machine } from '../machine/machine.ts';
import { machinePreset } from '../machine/presets.ts';
import { type MachineSpec } from '../machine/machine-spec.ts';
import { ORIGIN_APP } from '../machine/cache-hierarchy.ts';
import { atomicStats, cacheStats, coreStats, memoryStats } from '../machine/stats.ts';
import { PATH_EVENTS } from '../machine/paths.ts';
import { DeadlockError, Kernel, type OpHandler } from '../sim/kernel.ts';
import { resolveParams, type ParamValue } from '../lib/params.ts';
import { Rng } from '../sim/rng.ts';
import type { Op, SimThread } from '../sim/thread.ts';
import type { AppAtomicOp, ApplicationOp } from '../workloads/ops.ts';
import { AllocatorCall } from '../allocators/kit/operations.ts';
import { lookupWorkload } from '../workloads/registry.ts';
import { WorkloadInputError, type LineSourceProvider } from '../workloads/contract.ts';
import { ModelInvariantFailure } from '../check/model-invariants.ts';
import { Driver } from './driver.ts';
import type { Result, RunError } from './result.ts';
import { crashText } from './model-contract.ts';

export interface RunConfig {
  /** A registered model name, or a model's info (student models). */
  allocator: string | ModelInfo;
  allocatorParams?: Readonly<Record<string, ParamValue>>;
  workload: string;
  workloadParams?: Readonly<Record<string, ParamValue>>;
  seed?: number;
  machine?: MachineSpec;
  check?: boolean;
  /** With check: run the data-race detector too (its reports are violations of kind data-race). */
  races?: boolean;
  /**
   * With check: turn the model's debug invariants on (src/allocators/shared/invariants.ts); a failed
   * one is a violation of kind model-invariant and ends the run there, as the real assertion aborts.
   */
  invariants?: boolean;
  /** Record the per-path profile (Result.profile) for Cachegrind-format output; off by default. */
  profile?: boolean;
  /** Opens named line sources (trace files) for workloads that read them; see docs/workloads/trace.md. */
  openLines?: LineSourceProvider;
  /** Called every PROGRESS_EVERY allocator operations with the count so far (a progress display; changes nothing). */
  onProgress?: (ops: number) => void;
}

/** Operations between two onProgress calls. */
export const PROGRESS_EVERY = 1 << 16;

/** Streams above this are the workload's own (threads use small ids). */
const WORKLOAD_STREAM_BASE = 1 << 16;

class Handler implements OpHandler {
  private readonly opsByThread: number[] = [];
  private opsTotal = 0;
  lastCpu: Cpu | undefined;

  constructor(
    private readonly machine: Machine,
    private readonly driver: Driver,
    private readonly onProgress?: (ops: number) => void,
  ) {}

  ops(id: number): number {
    return this.opsByThread[id] ?? 0;
  }

  private cpu(t: SimThread): Cpu {
    const c = this.machine.cpu(t.id, t.core);
    c.now = t.clock;
    this.lastCpu = c;
    return c;
  }

  /** With the race detector: the main thread's clock after its start, which every other thread starts from. */
  private mainStarted: VectorClock | undefined;

  threadStart(t: SimThread): void {
    const c = this.cpu(t);
    // Thread 0 is the program's main thread: the others are created after it started (its start
    // runs the allocator's process-wide initialisation where a model has one).
    const race = this.machine.race;
    if (race !== null && t.id !== 0 && this.mainStarted !== undefined) race.acquire(t.id, this.mainStarted);
    this.driver.threadStart(c);
    if (race !== null && t.id === 0) this.mainStarted = race.release(0);
    t.clock = c.now;
  }

  threadExit(t: SimThread): void {
    const c = this.cpu(t);
    this.driver.threadExit(c);
    // A thread is done when its last loads and stores are (its exit is a system call).
    c.serialize();
    t.clock = c.now;
  }

  execute(t: SimThread, op: Op): unknown {
    const c = this.cpu(t);
    let r: unknown;
    if (op instanceof AllocatorCall) {
      // It carries its entry of the operations table (allocators/kit/operations.ts).
      r = this.driver.call(op.allocator, c, op.a, op.b);
      if (op.allocator.counted) this.count(t);
    } else r = this.application(c, op as ApplicationOp);
    t.clock = c.now;
    return r;
  }

  /** The application's own operations on its memory, its compute and its atomics. */
  private application(c: Cpu, o: ApplicationOp): unknown {
    switch (o.op) {
      case 'read':
        c.op = 'application read';
        return o.order === undefined ? c.load(o.addr, o.size, ORIGIN_APP) : c.load(o.addr, o.size, ORIGIN_APP, o.order);
      case 'write':
        c.op = 'application write';
        this.driver.appWrite(c, o.addr, o.size);
        c.store(o.addr, o.value, o.size, ORIGIN_APP);
        return undefined;
      case 'touch':
        c.op = 'application access';
        if (o.write) this.driver.appWrite(c, o.addr, o.len);
        c.touch(o.addr, o.len, o.write, ORIGIN_APP);
        return undefined;
      case 'fill':
        c.op = 'application memset';
        this.driver.appWrite(c, o.addr, o.len);
        c.fill(o.addr, o.len, o.byte, ORIGIN_APP);
        return undefined;
      case 'copy':
        c.op = 'application memcpy';
        this.driver.appWrite(c, o.dst, o.len);
        c.copy(o.dst, o.src, o.len, ORIGIN_APP);
        return undefined;
      case 'compute':
        c.work(o.units);
        return undefined;
      case 'prefetch':
        c.prefetch(o.addr, o.write, ORIGIN_APP);
        return undefined;
      case 'atomic':
        c.op = 'application atomic';
        return appAtomic(c, o.kind, o.addr, o.value, o.expected);
      default:
        throw new Error(`workload yielded unknown operation '${(o as Op).op}'`);
    }
  }

  private count(t: SimThread): void {
    this.opsByThread[t.id] = (this.opsByThread[t.id] ?? 0) + 1;
    if (++this.opsTotal % PROGRESS_EVERY === 0) this.onProgress?.(this.opsTotal);
  }
}

function appAtomic(c: Cpu, kind: AppAtomicOp['kind'], addr: number, value: number, expected: number): unknown {
  switch (kind) {
    case 'load':
      return c.atomicLoad(addr, 8, ORIGIN_APP);
    case 'store':
      return c.atomicStore(addr, value, false, 8, ORIGIN_APP);
    case 'storeSeqCst':
      return c.atomicStore(addr, value, true, 8, ORIGIN_APP);
    case 'cas':
      return c.cas(addr, expected, value, 8, ORIGIN_APP);
    case 'exchange':
      return c.exchange(addr, value, 8, ORIGIN_APP);
    case 'fetchAdd':
      return c.fetchAdd(addr, value, 8, ORIGIN_APP);
    default: {
      // A kind outside the closed set (a workload written without the constructors): not a fetch-add.
      const unknown: never = kind;
      throw new Error(`workload yielded unknown atomic kind '${String(unknown)}'`);
    }
  }
}

function errorOf(e: unknown): RunError {
  if (e instanceof AllocatorAbort) return { kind: 'allocator-abort', message: e.message, address: e.address };
  if (e instanceof MachineFault) {
    return { kind: 'machine-fault', message: e.message, thread: e.thread, address: e.address, op: e.operation };
  }
  if (e instanceof DeadlockError) return { kind: 'deadlock', message: e.message };
  // The violation (check.violations) names the structure, the operation and the address.
  if (e instanceof ModelInvariantFailure) return { kind: 'model-error', message: e.message };
  if (!(e instanceof Error)) return { kind: 'model-error', message: crashText(e) }; // `throw 'oops'`
  const err = e;
  // A bug in a model or workload: keep where it happened, the first frames of the stack.
  const where = (err.stack ?? '')
    .split('\n')
    .slice(1, 4)
    .map((l) => l.trim())
    .join(' <- ');
  return { kind: 'model-error', message: where === '' ? err.message : `${err.message} (${where})` };
}

/** Runs one configuration to completion (or to its first fatal error) and returns its Result. */
export function runExperiment(cfg: RunConfig): Result {
  const seed = cfg.seed ?? 1;
  const spec = cfg.machine ?? machinePreset('default');
  const info = typeof cfg.allocator === 'string' ? modelInfo(cfg.allocator) : cfg.allocator;
  const { info: winfo, overrides } = lookupWorkload(cfg.workload);
  const wparams = resolveParams(`workload ${cfg.workload}`, winfo.params, { ...overrides, ...cfg.workloadParams });
  const machine = new Machine(spec, { seed });
  machine.paths.enabled = cfg.profile === true;
  // The race detector watches the whole run, the model's initialisation included.
  if (cfg.check === true && cfg.races === true) machine.detectRaces();
  const model = createModel(info, machine, cfg.allocatorParams ?? {}, seed);
  const driver = new Driver(machine, model, cfg.check === true, info.name);
  if (cfg.check === true && cfg.invariants === true) driver.checkInvariants();
  const handler = new Handler(machine, driver, cfg.onProgress);
  const kernel = new Kernel(
    {
      cores: spec.cores,
      contextSwitch: spec.costs.contextSwitch,
      quantum: spec.costs.quantum,
      wakeLatency: spec.costs.wakeLatency,
      ...(machine.race !== null ? { sync: machine.race } : {}),
    },
    handler,
  );
  const instance = winfo.create({
    params: wparams,
    seed,
    cores: spec.cores,
    cyclesPerSecond: spec.ghz * 1e9,
    rng: (stream) => Rng.stream(seed, WORKLOAD_STREAM_BASE + stream),
    staticData: (bytes, name) => {
      const addr = machine.staticData(bytes, `app:${name}`);
      driver.appMemory(addr, bytes);
      return addr;
    },
    openLines: cfg.openLines,
  });
  for (const th of instance.threads) kernel.spawn(th.body, th.name, th.core);

  let error: RunError | undefined;
  try {
    kernel.run();
    driver.finish(handler.lastCpu);
  } catch (e) {
    // Bad input found mid-run (a malformed trace line) is the user's error, not a run result.
    if (e instanceof WorkloadInputError) throw e;
    error = errorOf(e);
  }

  const cycles = kernel.makespan();
  const threads = kernel.threads.map((t) => ({ id: t.id, name: t.name, cycles: t.clock, ops: handler.ops(t.id) }));
  const ops = threads.reduce((s, t) => s + t.ops, 0);
  const cyclesPerSecond = spec.ghz * 1e9;
  return {
    allocator: info.name,
    workload: cfg.workload,
    params: { allocator: resolveParams(`allocator ${info.name}`, info.params, cfg.allocatorParams ?? {}), workload: wparams },
    seed,
    machine: spec.name,
    time: {
      cycles,
      seconds: cycles / cyclesPerSecond,
      ops,
      opsPerKcycle: cycles === 0 ? 0 : (ops / cycles) * 1000,
      threads,
    },
    cache: cacheStats(machine),
    atomics: atomicStats(machine),
    core: coreStats(machine),
    memory: { ...memoryStats(machine), liveBytesPeak: driver.liveBytesPeak, liveBytesFinal: driver.liveBytes },
    allocatorCounters: model.counters.toJSON(),
    workloadReport: error === undefined ? (instance.report?.(cyclesPerSecond) ?? {}) : {},
    kernel: { events: kernel.events, contextSwitches: kernel.contextSwitches },
    check: {
      enabled: cfg.check === true,
      violations: driver.checker?.violations ?? [],
      workloadFaults: driver.checker?.faults ?? [],
    },
    ...(cfg.profile === true ? { profile: { events: [...PATH_EVENTS], paths: machine.paths.table() } } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}
