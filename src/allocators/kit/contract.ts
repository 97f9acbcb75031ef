/**
 * The allocator-model contract: what every model implements, from snmalloc to a student's first
 * free list.
 *
 * A model sees only the machine, through a Cpu: memory loads and stores, atomics, locks, compute
 * and the OS calls, as a real allocator does. All mutable allocator state lives in simulated memory
 * at addresses the model chooses (its static data, TLS, the pages it maps), so cache misses,
 * coherence traffic and corruption come out of the mechanism. JS-side state is allowed only for
 * constants, pure tables (a size-class table) and locals within one call; statistics go to
 * `counters`.
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { Machine } from '../../machine/machine.ts';
import type { Counters } from './model-counters.ts';
import type { ParamSpec, Params } from '../../lib/params.ts';

export interface AllocatorModel {
  /** Returns the block's address, or 0 when out of memory. `align` defaults to 16. */
  malloc(cpu: Cpu, size: number, align?: number): number;
  /** Frees a block returned earlier (0 is ignored). */
  free(cpu: Cpu, ptr: number): void;
  /** Resizes, keeping the old contents' prefix; realloc(0, n) is malloc(n). Returns 0 when out of memory. */
  realloc(cpu: Cpu, ptr: number, size: number): number;
  /** n * size zeroed bytes; 0 on overflow or out of memory. */
  calloc(cpu: Cpu, n: number, size: number): number;
  /** Bytes usable at `ptr` (malloc_usable_size). */
  usableSize(cpu: Cpu, ptr: number): number;
  /** Called on a thread's first operation. */
  threadStart?(cpu: Cpu): void;
  /** Called when a thread exits: flush thread caches, post pending remote frees. */
  threadExit?(cpu: Cpu): void;
  /** Size classes and key constants, as data. */
  describe(): ModelDescription;
  /** The model's own statistics (remote frees, posts, batch sizes, ...). */
  readonly counters: Counters;
  /**
   * Optional heap walk for the checker and heap pictures: the regions the model holds, read with
   * a quiet Cpu (no cost). Free regions let the checker find objects that were freed but can never
   * be allocated again.
   */
  heapWalk?(cpu: Cpu): HeapRegion[];
}

/**
 * The model's allocation methods, which the allocator operations (kit/operations.ts) call; the
 * contract probe requires them and the isolation protocol forwards them, in this order.
 */
export const ALLOCATION_METHODS = ['malloc', 'free', 'realloc', 'calloc', 'usableSize'] as const satisfies ReadonlyArray<
  keyof AllocatorModel
>;

export interface HeapRegion {
  addr: number;
  size: number;
  kind: 'free' | 'metadata' | 'cached';
  /** Thread that owns the region, where the design has owners. */
  owner?: number;
}

export interface SizeClass {
  index: number;
  /** Object size in bytes. */
  size: number;
  [field: string]: number | string | boolean;
}

export interface ModelDescription {
  name: string;
  summary: string;
  sizeClasses: SizeClass[];
  constants: Record<string, number | string | boolean>;
  /** Source files of the real allocator this model follows. */
  sources: string[];
}

/** What a model gets when it is created for one simulated process. */
export interface ModelEnv {
  machine: Machine;
  /** Resolved parameters (defaults plus overrides). */
  params: Params;
  /** Statistics sink; the model exposes it as `counters`. */
  counters: Counters;
  /** Run seed, for models that randomise. */
  seed: number;
}

export interface ModelInfo {
  name: string;
  summary: string;
  /** 'teaching', 'production' or 'student'. */
  family: 'teaching' | 'production' | 'student';
  params: readonly ParamSpec[];
  /** Fidelity page, e.g. docs/models/snmalloc.md. */
  doc?: string;
  create(env: ModelEnv): AllocatorModel;
}

/**
 * The model detected a fault of the program (a double free, an invalid pointer, a corrupted
 * canary) and aborted, as the real allocator would. The run ends and reports it as a detected fault.
 */
export class AllocatorAbort extends Error {
  constructor(
    message: string,
    readonly address = 0,
  ) {
    super(message);
    this.name = 'AllocatorAbort';
  }
}
