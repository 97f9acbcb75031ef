/**
 * Debug invariants over a model's own structures, as the real allocators' debug builds assert them
 * (snmalloc's `SeqSet::Node::invariant()`, `Buddy::invariant()`; mimalloc's `_mi_page_is_valid`,
 * `mi_segment_is_valid`; glibc's `do_check_malloc_state`). A model defines one `Invariant` per
 * structure and calls `check` where the real source asserts it. Off (the default) a check is one
 * null test; the invariant suite turns them on (`machine.invariants`, src/check/model-invariants.ts),
 * and then the test reads simulated memory with a read-only QuietCpu: no cost, no cache, page or
 * counter change, no write. A failed invariant is a `model-invariant` violation at that operation.
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { InvariantSink } from '../../machine/invariant-sink.ts';

/**
 * What an invariant checks: reads with `cpu` (read-only, uncharged) the structure at `at` (with a
 * second argument when the structure needs one: a size, an arena) and returns what is wrong, or null.
 */
export type InvariantTest = (cpu: Cpu, at: number, arg: number) => string | null;

export class Invariant {
  /** `structure` names it in reports, e.g. "snmalloc seqset". */
  constructor(
    readonly structure: string,
    private readonly test: InvariantTest,
  ) {}

  /** Where the real allocator asserts it: checks the structure at `at`, when invariants are on. */
  check(cpu: Cpu, at: number, arg = 0): void {
    const sink = cpu.machine.invariants;
    if (sink !== null && !sink.busy) this.run(sink, cpu, at, arg);
  }

  /** What is wrong with the structure at `at` now (null: nothing), read without any effect. */
  private problem(sink: InvariantSink, thread: number, at: number, arg = 0): string | null {
    sink.busy = true;
    try {
      return this.test(sink.reader(thread), at, arg);
    } catch (e) {
      // A walk that never ends (a cycle) or a read the reader refuses is itself the finding.
      return `reading it failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      sink.busy = false;
    }
  }

  private run(sink: InvariantSink, cpu: Cpu, at: number, arg: number): void {
    sink.checking(this.structure);
    const problem = this.problem(sink, cpu.thread, at, arg);
    if (problem !== null) sink.failed(cpu.thread, cpu.op, this.structure, at, problem);
  }
}
