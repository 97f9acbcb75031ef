/**
 * Where a model's debug invariants report (src/allocators/shared/invariants.ts): the checker sets one
 * on the Machine (`machine.invariants`) when the invariant suite asks for them; null leaves them off,
 * and then a check costs one null test. The machine itself never reads it.
 */
import type { Cpu } from './cpu.ts';

export interface InvariantSink {
  /** True while an invariant runs: an invariant's own reads check nothing further. */
  busy: boolean;
  /** An invariant of `structure` is about to be checked (the sink counts them). */
  checking(structure: string): void;
  /** The uncharged, read-only Cpu an invariant of `thread` reads with (it refuses every write and OS call). */
  reader(thread: number): Cpu;
  /** An invariant of `structure` at `address` failed during `op` of `thread`: records it and throws (the operation stops). */
  failed(thread: number, op: string, structure: string, address: number, problem: string): never;
}
