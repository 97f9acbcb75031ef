/**
 * The Result of one run: the JSON contract of docs/results.md. Field names are stable; new fields
 * may be added, none renamed.
 */
import type { Violation, WorkloadFault } from '../check/violations.ts';
import type { AtomicStats, CacheStats, CoreStats, MemoryStats } from '../machine/stats.ts';
import type { Params } from '../lib/params.ts';
import type { HistogramJSON } from '../allocators/kit/model-counters.ts';

export interface ThreadTime {
  id: number;
  name: string;
  cycles: number;
  ops: number;
}

export interface RunError {
  kind: 'allocator-abort' | 'machine-fault' | 'deadlock' | 'model-error' | 'limit';
  message: string;
  thread?: number;
  address?: number;
  op?: string;
}

export interface PathProfileJSON {
  events: string[];
  paths: Array<{ path: string; events: number[] }>;
}

export interface Result {
  allocator: string;
  workload: string;
  params: { allocator: Params; workload: Params };
  seed: number;
  machine: string;
  time: {
    cycles: number;
    /** Simulated seconds at the machine's clock rate. */
    seconds: number;
    ops: number;
    opsPerKcycle: number;
    threads: ThreadTime[];
  };
  cache: CacheStats;
  atomics: AtomicStats;
  /** Where the core model made threads wait (docs/machine.md, "The core"). */
  core: CoreStats;
  memory: MemoryStats & { liveBytesPeak: number; liveBytesFinal: number };
  allocatorCounters: Record<string, number | HistogramJSON>;
  /** The workload's own figures (e.g. the throughput the real program prints). */
  workloadReport: Record<string, number>;
  /** Kernel events (thread steps) and context switches. */
  kernel: { events: number; contextSwitches: number };
  check: { enabled: boolean; violations: Violation[]; workloadFaults: WorkloadFault[] };
  /**
   * Only with RunConfig.profile: what each allocator code path (cpu.path) spent, as counts of
   * `events` (Calls, Acc, L1m, LLm, Coh, Atom, Cyc, Rob, SB, Drain) per path. The source of --cachegrind-out.
   */
  profile?: PathProfileJSON;
  /** Present when the run ended early: a detected fault, a crash, a deadlock. */
  error?: RunError;
}

/** True when the run completed with no violations and no error. */
export function resultOk(r: Result): boolean {
  return r.error === undefined && r.check.violations.length === 0;
}

/**
 * The workload's own notion of its thread count, as its parameters give it: `threads`, or for
 * producer/consumer workloads (msgpass) the number of producer/consumer pairs. Undefined for a
 * single-threaded program with no such parameter. Reports show this, not the number of simulated
 * threads created (larson-8 creates hundreds over its rounds; msgpass-2 has a main thread too).
 */
export function workloadThreads(params: Readonly<Record<string, unknown>>): { count: number; unit: 'threads' | 'pairs' } | undefined {
  if (typeof params.threads === 'number') return { count: params.threads, unit: 'threads' };
  if (typeof params.producers === 'number' && params.producers === params.consumers) return { count: params.producers, unit: 'pairs' };
  return undefined;
}
