/**
 * The workload contract: a workload builds the simulated threads of one program run. Threads are
 * generators yielding the operations of ops.ts and of the kernel (src/sim/ops.ts). A workload sees
 * only malloc/free/realloc, its own memory, compute, and the simulation's queues and barriers.
 */
import type { Rng } from '../sim/rng.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { ParamSpec, ParamValue, Params } from '../sim/params.ts';

export interface WorkloadThread {
  name: string;
  /** Core to bind to (default: thread index modulo cores). */
  core?: number;
  body: ThreadBody;
}

export interface WorkloadEnv {
  params: Params;
  seed: number;
  /** Cores of the simulated machine. */
  cores: number;
  /** An independent random stream for (run seed, stream id). */
  rng(stream: number): Rng;
}

export interface WorkloadInstance {
  threads: WorkloadThread[];
  /** The program's own figures at the end (e.g. a throughput it prints), computed from simulated time. */
  report?(cyclesPerSecond: number): Record<string, number>;
}

export interface WorkloadInfo {
  name: string;
  summary: string;
  params: readonly ParamSpec[];
  /** The real program and files this workload models. */
  sources: string[];
  /** Page in docs/workloads/. */
  doc?: string;
  /**
   * Named variants: `NAME-SUFFIX` (e.g. `msgpass-4`) resolves to this workload with the overrides
   * returned here, or is unknown when this returns undefined.
   */
  variant?(suffix: string): Record<string, ParamValue> | undefined;
  create(env: WorkloadEnv): WorkloadInstance;
}
