/**
 * A simulated thread: a generator that yields one operation at a time and is resumed with its result.
 */

/** An operation a thread yields. Kernel operations are listed in ops.ts; all others go to the op handler. */
export interface Op {
  readonly op: string;
}

export type ThreadBody = Generator<Op, void, unknown>;

export const RUNNABLE = 0;
export const BLOCKED = 1;
export const DONE = 2;
export type ThreadState = typeof RUNNABLE | typeof BLOCKED | typeof DONE;

export class SimThread {
  /** Simulated time of this thread, in cycles. */
  clock: number;
  state: ThreadState = RUNNABLE;
  /** The value the generator is resumed with next. */
  resume: unknown = undefined;
  /** What a blocked thread waits for (for deadlock reports). */
  blockedOn = '';
  /** Set once the thread has been resumed for the first time. */
  started = false;
  /** Threads waiting in join() for this one. */
  joiners: SimThread[] = [];

  constructor(
    readonly id: number,
    readonly name: string,
    readonly core: number,
    readonly gen: ThreadBody,
    startClock: number,
  ) {
    this.clock = startClock;
  }
}
