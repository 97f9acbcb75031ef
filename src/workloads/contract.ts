/**
 * The workload contract: a workload builds the simulated threads of one program run. Threads are
 * generators yielding the operations of ops.ts and of the kernel (src/sim/ops.ts). A workload sees
 * only malloc/free/realloc, its own memory, compute, and the simulation's queues and barriers.
 */
import type { Rng } from '../sim/rng.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { ParamSpec, ParamValue, Params } from '../lib/params.ts';

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
  /** Clock rate of the simulated machine: fixed-duration programs turn seconds into cycles with it. */
  cyclesPerSecond: number;
  /** An independent random stream for (run seed, stream id). */
  rng(stream: number): Rng;
  /**
   * Reserves `bytes` of zero-initialised static application memory (the program's globals, as in
   * its .data/.bss), page-aligned; the allocator never sees it. Threads touch it with the ordinary
   * read/write/atomic operations.
   */
  staticData(bytes: number, name: string): number;
  /**
   * Opens a named line source (a trace file). Supplied by whoever runs the simulation (the CLI
   * reads files; a browser could hand in a string); absent when nothing can be opened.
   */
  openLines?: LineSourceProvider;
}

/**
 * Lines of a text input read incrementally, so a multi-gigabyte trace is never held whole. Each
 * call of `lines()` starts a fresh pass from the beginning (readers may make two passes).
 */
export interface LineSource {
  /** What error messages call it (the file path). */
  readonly name: string;
  /** The lines in order, without their terminators. */
  lines(): Iterator<string>;
}

export type LineSourceProvider = (name: string) => LineSource;

/**
 * Bad input given to a workload (a malformed trace, a file that cannot be read): the user's
 * mistake, reported as `SOURCE:LINE: reason` (exit status 2 in the CLI), never as a run result.
 */
export class WorkloadInputError extends Error {
  constructor(
    readonly source: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${source}: ${reason}` : `${source}:${line}: ${reason}`);
    this.name = 'WorkloadInputError';
  }
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
