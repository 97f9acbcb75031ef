/**
 * A small simulated machine to try one allocator model on, directly, without a workload: what a
 * student's unit test uses (`sandbox(model).malloc(24)`), and what `allocsim check` uses to probe
 * a model file against the contract before running the invariant suite.
 *
 * Calls go straight to the model on a thread's Cpu (threadStart is called on a thread's first use).
 * `freeRegions()` asks the model's heapWalk with a quiet Cpu, which charges nothing.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { machinePreset } from '../../machine/presets.ts';
import { Machine } from '../../machine/machine.ts';
import { QuietCpu } from '../../machine/quiet-cpu.ts';
import type { ParamValue } from '../../lib/params.ts';
import type { AllocatorModel, HeapRegion, ModelInfo } from './contract.ts';
import { createModel } from './create-model.ts';

export interface SandboxOptions {
  params?: Readonly<Record<string, ParamValue>>;
  seed?: number;
  /** Machine preset name (default 'default'). */
  machine?: string;
}

export class Sandbox {
  readonly machine: Machine;
  readonly model: AllocatorModel;
  private readonly started = new Set<number>();
  /** Memory accesses one call may make before it counts as an endless loop (re-armed by every cpu()). */
  accessBudget = 2_000_000;

  constructor(
    readonly info: ModelInfo,
    opts: SandboxOptions = {},
  ) {
    this.machine = new Machine(machinePreset(opts.machine ?? 'default'), { seed: opts.seed ?? 1 });
    this.model = createModel(info, this.machine, opts.params ?? {}, opts.seed ?? 1);
  }

  /**
   * Thread `thread`'s Cpu (bound to core thread mod cores), with a fresh access budget; starts the
   * thread in the model on first use. Take it anew for each call.
   */
  cpu(thread = 0): Cpu {
    const c = this.machine.cpu(thread, thread % this.machine.spec.cores);
    c.accessBudget = this.accessBudget;
    if (!this.started.has(thread)) {
      this.started.add(thread);
      this.model.threadStart?.(c);
    }
    return c;
  }

  malloc(size: number, thread = 0): number {
    return this.model.malloc(this.cpu(thread), size);
  }

  free(ptr: number, thread = 0): void {
    this.model.free(this.cpu(thread), ptr);
  }

  realloc(ptr: number, size: number, thread = 0): number {
    return this.model.realloc(this.cpu(thread), ptr, size);
  }

  usableSize(ptr: number, thread = 0): number {
    return this.model.usableSize(this.cpu(thread), ptr);
  }

  /** The model's heap walk (free, cached and metadata regions), sorted by address; [] without heapWalk. */
  heap(): HeapRegion[] {
    if (this.model.heapWalk === undefined) return [];
    const quiet = new QuietCpu(this.machine, 0, 0);
    quiet.accessBudget = this.accessBudget;
    return [...this.model.heapWalk(quiet)].sort((a, b) => a.addr - b.addr);
  }

  /** The free regions of the heap walk, sorted by address. */
  freeRegions(): HeapRegion[] {
    return this.heap().filter((r) => r.kind === 'free');
  }

  /** Resident memory now, in bytes. */
  rssBytes(): number {
    return this.machine.as.rssBytes;
  }

  /** System calls made so far, by kind (mmap, munmap, ...). */
  syscalls(): Readonly<Record<string, number>> {
    return this.machine.as.syscalls;
  }
}

/** A sandbox for `info`: `sandbox(model).malloc(24)`. */
export function sandbox(info: ModelInfo, opts: SandboxOptions = {}): Sandbox {
  return new Sandbox(info, opts);
}
