/**
 * The pointer ring of MicroQuill's sh6bench and sh8bench (doBench in sh6bench.c / SH8BENCH.C; the
 * sources are not redistributable, mimalloc-bench downloads and patches them:
 * daanx/mimalloc-bench bench/shbench/). Pointers go into an N-slot array in order; allocation
 * skips the window [saveStart, saveEnd) that still holds the previous cycle's survivors. When the
 * array is full the next window (N/5 slots after the old one, wrapping to 0) is chosen and
 * everything outside it is freed: the bottom part in allocation order, the top part in reverse.
 *
 * The ring is application memory the thread allocates; its pointer reads and writes are charged
 * one touch per cache line (a sequential pass hits the line's other seven slots in L1).
 */
import type { Op } from '../../sim/thread.ts';
import { free } from '../ops.ts';
import { PointerArray } from './pointer-array.ts';

export class ShRing {
  private readonly slots: PointerArray;
  mp = 0;
  private saveStart: number;
  private saveEnd: number;
  /** Blocks freed by wraps. */
  freed = 0;

  constructor(
    readonly base: number,
    readonly n: number,
  ) {
    this.slots = new PointerArray(base, n);
    this.saveStart = n;
    this.saveEnd = n;
  }

  /** Stores a new pointer at the cursor (sh6bench's order: store, then skip the window, then wrap). */
  *store(p: number): Generator<Op, void, unknown> {
    yield* this.slots.sequential(this.mp, true);
    this.slots.set(this.mp++, p);
    if (this.mp === this.saveStart) this.mp = this.saveEnd;
    if (this.mp >= this.n) yield* this.wrap();
  }

  /** sh8bench's order: skip the window, then either wrap (and allocate nothing) or return the slot to fill. */
  *next(): Generator<Op, number, unknown> {
    if (this.mp === this.saveStart) this.mp = this.saveEnd;
    if (this.mp >= this.n) {
      yield* this.wrap();
      return -1;
    }
    return this.mp++;
  }

  *put(i: number, p: number): Generator<Op, void, unknown> {
    yield* this.slots.sequential(i, true);
    this.slots.set(i, p);
  }

  private *wrap(): Generator<Op, void, unknown> {
    this.mp = 0;
    this.saveStart = this.saveEnd;
    if (this.saveStart >= this.n) this.saveStart = 0;
    this.saveEnd = this.saveStart + Math.floor(this.n / 5);
    if (this.saveEnd > this.n) this.saveEnd = this.n;
    for (let i = 0; i < this.saveStart; i++) yield* this.release(i, 1);
    for (let i = this.n - 1; i >= this.saveEnd; i--) yield* this.release(i, -1);
    this.mp = 0;
  }

  /** Frees slot `i` of a pass moving by `step`. */
  private *release(i: number, step: number): Generator<Op, void, unknown> {
    yield* this.slots.sequential(i, false, step);
    yield free(this.slots.get(i));
    this.slots.set(i, 0);
    this.freed++;
  }

  /** sh6bench's residual free: slots [0, cursor) in order (survivors above the cursor are never freed). */
  *freeBelowCursor(): Generator<Op, void, unknown> {
    for (let i = 0; i < this.mp; i++) yield* this.release(i, 1);
  }
}
