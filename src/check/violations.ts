import type { RaceReport } from '../machine/race/report.ts';

/** What the invariant checker reports. */
export type ViolationKind =
  | 'null-return' // malloc returned 0 without the model reporting out of memory
  | 'misaligned'
  | 'unmapped' // part of a returned block is not mapped read-write
  | 'overlap' // a returned block overlaps a live block
  | 'usable-too-small'
  | 'calloc-not-zeroed'
  | 'realloc-lost-prefix'
  | 'released-under-live' // a page holding a live block was unmapped or madvised away
  | 'lost-object' // remotely freed, never allocatable again after every thread flushed
  | 'not-coalesced' // two free regions touch in a model that declares immediate coalescing
  | 'data-race' // two threads' accesses, one a plain write, that nothing orders (race-report.ts)
  | 'model-invariant' // a debug invariant of the model's own structures failed (model-invariants.ts)
  | 'model-error'; // the model threw something other than a detected fault

export interface Violation {
  kind: ViolationKind;
  message: string;
  thread: number;
  /** The operation, e.g. "malloc(24)". */
  op: string;
  address?: number;
  /** For a data race: both accesses (the message says it all in words). */
  race?: RaceReport;
  /** For a model invariant: the structure it checks, e.g. "snmalloc seqset". */
  structure?: string;
}

/**
 * A fault of the workload itself (not the model): freeing what was never allocated or already
 * freed, or writing outside every live block (a heap overflow or a write after free).
 */
export interface WorkloadFault {
  kind: 'double-free' | 'invalid-free' | 'out-of-bounds-write';
  thread: number;
  op: string;
  address: number;
  /** Bytes written (out-of-bounds writes). */
  size?: number;
  /** Whether the model detected it (aborted), as the real allocator would or would not. */
  detectedByModel: boolean;
  modelMessage?: string;
  /**
   * Set when the model detected the fault later than the faulty call (IsoAlloc checks a double free
   * only when its quarantine is flushed): the operation during which it aborted.
   */
  detectedLaterBy?: string;
}

export { hex } from '../sim/hex.ts';
