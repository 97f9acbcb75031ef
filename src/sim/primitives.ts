/**
 * Blocking primitives for workloads: bounded FIFO queues, barriers and a global counter for
 * back-pressure. They park threads and wake them in arrival order; a woken thread's clock jumps to
 * the waking time plus the kernel's wake latency.
 *
 * These are the workload's synchronisation as the simulation sees it. Their memory traffic (a
 * queue's links, a counter's cache line) is charged by the workload through ordinary memory
 * operations; the primitive itself only decides who waits and until when.
 */
import type { SimThread } from './thread.ts';

/** What a primitive needs from the kernel. */
export interface Parker {
  /** Parks the thread (it yields no further operations until woken). */
  park(t: SimThread, reason: string): void;
  /** Makes a parked thread runnable at `time`, resuming it with `value`. */
  unpark(t: SimThread, time: number, value: unknown): void;
  /** Cycles between a waker's action and the woken thread running (futex wake-up). */
  readonly wakeLatency: number;
}

interface Item {
  value: unknown;
  /** Simulated time at which the item was put on the queue. */
  time: number;
}

export class SimQueue {
  private readonly items: Item[] = [];
  private head = 0;
  private readonly receivers: SimThread[] = [];
  private readonly senders: Array<{ t: SimThread; value: unknown }> = [];
  /** Items ever sent. */
  sent = 0;

  constructor(
    readonly name: string,
    readonly capacity = Infinity,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`queue ${name}: capacity must be at least 1`);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Returns true when the sender may continue, false when it was parked (queue full). */
  send(k: Parker, t: SimThread, value: unknown): boolean {
    const r = this.receivers.shift();
    if (r !== undefined) {
      this.sent++;
      k.unpark(r, t.clock + k.wakeLatency, value);
      return true;
    }
    if (this.length >= this.capacity) {
      this.senders.push({ t, value });
      k.park(t, `send on full queue ${this.name}`);
      return false;
    }
    this.sent++;
    this.items.push({ value, time: t.clock });
    return true;
  }

  /** Returns { value } when one was taken (the thread's clock moved to its arrival), null if parked. */
  recv(k: Parker, t: SimThread): { value: unknown } | null {
    const got = this.take(k, t);
    if (got !== null) return got;
    this.receivers.push(t);
    k.park(t, `recv on empty queue ${this.name}`);
    return null;
  }

  /** Takes a value if one is queued; never parks. */
  tryRecv(k: Parker, t: SimThread): { value: unknown } | null {
    return this.take(k, t);
  }

  private take(k: Parker, t: SimThread): { value: unknown } | null {
    if (this.length === 0) return null;
    const item = this.items[this.head++] as Item;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    if (item.time > t.clock) t.clock = item.time;
    const s = this.senders.shift();
    if (s !== undefined) {
      this.sent++;
      this.items.push({ value: s.value, time: t.clock });
      k.unpark(s.t, t.clock + k.wakeLatency, undefined);
    }
    return { value: item.value };
  }
}

export class Barrier {
  private waiting: SimThread[] = [];
  /** Times all parties have passed. */
  generation = 0;

  constructor(
    readonly name: string,
    readonly parties: number,
  ) {
    if (!(parties >= 1)) throw new RangeError(`barrier ${name}: parties must be at least 1`);
  }

  /** Returns true when this arrival released the barrier (the caller continues). */
  arrive(k: Parker, t: SimThread): boolean {
    if (this.waiting.length + 1 < this.parties) {
      this.waiting.push(t);
      k.park(t, `barrier ${this.name} (${this.waiting.length}/${this.parties} arrived)`);
      return false;
    }
    let release = t.clock;
    for (const w of this.waiting) if (w.clock > release) release = w.clock;
    const sleepers = this.waiting;
    this.waiting = [];
    this.generation++;
    for (const w of sleepers) k.unpark(w, release + k.wakeLatency, undefined);
    if (release > t.clock) t.clock = release;
    return true;
  }
}

/** A global counter threads add to and wait on (msgpass's messages_outstanding). */
export class SimCounter {
  value = 0;
  private readonly waiters: Array<{ t: SimThread; limit: number }> = [];

  constructor(
    readonly name: string,
    initial = 0,
  ) {
    this.value = initial;
  }

  add(k: Parker, t: SimThread, delta: number): number {
    this.value += delta;
    if (delta < 0 && this.waiters.length > 0) {
      for (let i = 0; i < this.waiters.length;) {
        const w = this.waiters[i] as { t: SimThread; limit: number };
        if (this.value < w.limit) {
          this.waiters.splice(i, 1);
          k.unpark(w.t, t.clock + k.wakeLatency, undefined);
        } else {
          i++;
        }
      }
    }
    return this.value;
  }

  /** Returns true when the value is already below the limit; otherwise parks the thread. */
  waitBelow(k: Parker, t: SimThread, limit: number): boolean {
    if (this.value < limit) return true;
    this.waiters.push({ t, limit });
    k.park(t, `counter ${this.name} = ${this.value} to drop below ${limit}`);
    return false;
  }
}

/**
 * A blocking mutex (pthread_mutex_t of the default kind): one owner, waiters park in arrival order
 * and the lock is handed to the first of them on unlock (the woken thread resumes owning it, at the
 * unlock time plus the wake latency, as after a futex wake). Only the waiting is decided here; the
 * lock word's memory traffic is the workload's own (an application CAS and exchange).
 */
export class SimMutex {
  private owner: SimThread | null = null;
  private readonly waiters: SimThread[] = [];
  /** Acquisitions that had to wait. */
  contended = 0;
  acquisitions = 0;

  constructor(readonly name: string) {}

  get locked(): boolean {
    return this.owner !== null;
  }

  /** Returns true when the caller now owns the mutex; false when it was parked (it resumes owning it). */
  lock(k: Parker, t: SimThread): boolean {
    if (this.owner === t) throw new Error(`mutex ${this.name}: ${t.name} locks it again while holding it (self-deadlock)`);
    this.acquisitions++;
    if (this.owner === null) {
      this.owner = t;
      return true;
    }
    this.contended++;
    this.waiters.push(t);
    k.park(t, `mutex ${this.name} held by ${this.owner.name}`);
    return false;
  }

  unlock(k: Parker, t: SimThread): void {
    if (this.owner !== t) {
      throw new Error(`mutex ${this.name}: ${t.name} unlocks it but ${this.owner === null ? 'nobody' : this.owner.name} holds it`);
    }
    this.owner = null;
    const next = this.waiters.shift();
    if (next !== undefined) this.grant(k, next, t.clock + k.wakeLatency);
  }

  /** Gives the mutex to a parked thread at `time`, or queues it behind the current owner. */
  grant(k: Parker, t: SimThread, time: number): void {
    if (this.owner === null) {
      this.owner = t;
      k.unpark(t, time, undefined);
      return;
    }
    this.waiters.push(t);
    t.blockedOn = `mutex ${this.name} held by ${this.owner.name}`;
  }
}

/**
 * A condition variable (pthread_cond_t): `wait` atomically releases the mutex and parks; a signal
 * wakes the oldest waiter, a broadcast every waiter, and each woken thread re-acquires the mutex
 * before it resumes (queuing behind its owner if it is held).
 */
export class SimCondition {
  private waiters: Array<{ t: SimThread; mutex: SimMutex }> = [];
  signals = 0;

  constructor(readonly name: string) {}

  get waiting(): number {
    return this.waiters.length;
  }

  /** The caller must own `mutex`; it is released and the caller parks until signalled. */
  wait(k: Parker, t: SimThread, mutex: SimMutex): void {
    mutex.unlock(k, t);
    this.waiters.push({ t, mutex });
    k.park(t, `condition ${this.name}`);
  }

  /** Wakes the oldest waiter (all of them with `all`); returns how many were woken. */
  signal(k: Parker, t: SimThread, all: boolean): number {
    this.signals++;
    const woken = all ? this.waiters : this.waiters.slice(0, 1);
    this.waiters = all ? [] : this.waiters.slice(1);
    for (const w of woken) w.mutex.grant(k, w.t, t.clock + k.wakeLatency);
    return woken.length;
  }
}
