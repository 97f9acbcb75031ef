/**
 * The checker's side of the models' debug invariants (src/allocators/shared/invariants.ts), as
 * snmalloc's `invariant()` and mimalloc's `mi_assert_expensive(_mi_page_is_valid(page))` are in
 * their debug builds: set on the Machine, it gives each invariant a read-only QuietCpu (no cost, no
 * cache or page state, no write) and turns a failed one into a violation of kind `model-invariant`
 * at the operation under way; then the operation stops, as the real assertion aborts.
 */
import type { InvariantSink } from '../machine/invariant-sink.ts';
import type { Machine } from '../machine/machine.ts';
import { QuietCpu } from '../machine/quiet-cpu.ts';
import type { ShadowHeap } from './shadow-heap.ts';
import { hex } from './violations.ts';

/** Memory reads one invariant may make before its walk counts as endless (a cycle in a list). */
export const INVARIANT_READ_BUDGET = 4_000_000;

/** Thrown where a model's debug invariant failed; the violation is already recorded. */
export class ModelInvariantFailure extends Error {}

export class InvariantReports implements InvariantSink {
  busy = false;
  /** How many times each structure's invariant was checked. */
  readonly checks = new Map<string, number>();
  private readonly readers = new Map<number, QuietCpu>();

  constructor(
    private readonly machine: Machine,
    private readonly heap: ShadowHeap,
  ) {}

  /** Turns the invariants on for every model call on `machine`. */
  static enable(machine: Machine, heap: ShadowHeap): InvariantReports {
    const r = new InvariantReports(machine, heap);
    machine.invariants = r;
    return r;
  }

  checking(structure: string): void {
    this.checks.set(structure, (this.checks.get(structure) ?? 0) + 1);
  }

  reader(thread: number): QuietCpu {
    let q = this.readers.get(thread);
    if (q === undefined) {
      q = new QuietCpu(this.machine, thread, thread % this.machine.spec.cores, true);
      this.readers.set(thread, q);
    }
    q.accessBudget = INVARIANT_READ_BUDGET;
    return q;
  }

  failed(thread: number, op: string, structure: string, address: number, problem: string): never {
    const message = `${structure} at ${hex(address)}: ${problem}`;
    this.heap.report('model-invariant', thread, op, message, address, { structure });
    throw new ModelInvariantFailure(`debug invariant failed during ${op}: ${message}`);
  }
}
