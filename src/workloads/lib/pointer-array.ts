/**
 * An array of pointers in application memory (a program's `void *slots[N]`). The workload keeps
 * the values; the array's cache traffic is charged: `access` charges one slot (random access),
 * `sequential` charges a slot only when a pass enters a new cache line (the line's other seven
 * slots then hit in L1).
 */
import type { Op } from '../../sim/thread.ts';
import { touch } from '../ops.ts';

const SLOTS_PER_LINE = 8;

export class PointerArray {
  private readonly v: number[];

  constructor(
    readonly base: number,
    readonly length: number,
  ) {
    this.v = new Array<number>(length).fill(0);
  }

  get(i: number): number {
    return this.v[i] as number;
  }

  set(i: number, p: number): void {
    this.v[i] = p;
  }

  /** Charges a random access to slot i. */
  *access(i: number, write: boolean): Generator<Op, void, unknown> {
    yield touch(this.base + 8 * i, 8, write);
  }

  /** Charges slot i of a pass that moves by `step` (±1): only where the pass enters a new line. */
  *sequential(i: number, write: boolean, step = 1): Generator<Op, void, unknown> {
    const enters = step > 0 ? i % SLOTS_PER_LINE === 0 : i % SLOTS_PER_LINE === SLOTS_PER_LINE - 1 || i === this.length - 1;
    if (enters) yield touch(this.base + 8 * i, 8, write);
  }
}
