/**
 * The discrete-event kernel.
 *
 * Threads are generators; each has its own clock in cycles and is bound to a core. The kernel keeps
 * runnable threads in an event queue ordered by (clock, priority, sequence) and always resumes the
 * one with the smallest clock. A resumed thread yields one operation; kernel operations (queues,
 * barriers, counters, mutexes and conditions, spawn, join, delays) are executed here, every other operation is executed by
 * the OpHandler, which advances the thread's clock by what the operation cost.
 *
 * Cores: a core runs one thread at a time. A thread whose core is held by another runnable thread
 * waits in the core's FIFO; the holder keeps the core until it blocks, exits, yields, or runs past
 * its scheduling quantum while others wait. Each switch of a core to a different thread costs a
 * context switch.
 */
import { EventQueue } from './event-queue.ts';
import type { Parker } from './primitives.ts';
import { BLOCKED, DONE, RUNNABLE, SimThread, type Op, type ThreadBody } from './thread.ts';
import type { KernelOp } from './ops.ts';

/** Executes the operations the kernel does not know (malloc, memory access, ...). */
export interface OpHandler {
  /** Runs `op` for thread `t`, advancing `t.clock` by its cost; returns the value to resume `t` with. */
  execute(t: SimThread, op: Op): unknown;
  /** Called once before a thread's first operation, at its start clock. */
  threadStart?(t: SimThread): void;
  /** Called when a thread's body returns, before it is marked done; may advance `t.clock`. */
  threadExit?(t: SimThread): void;
}

/**
 * An observer of the happens-before edges the kernel's synchronisation creates (the machine's race
 * detector). `release` gives what a thread publishes, joined into `into` when given (a queue's, a
 * barrier's, a mutex's accumulated clock); `acquire` takes it. Wake-ups are edges from the waker.
 */
export interface SyncHooks {
  release(thread: number, into?: unknown): unknown;
  acquire(thread: number, clock: unknown): void;
}

export interface KernelConfig {
  cores: number;
  /** Cycles a core spends switching to a different thread. */
  contextSwitch: number;
  /** Cycles a thread may keep its core while other threads bound to it are waiting. */
  quantum: number;
  /** Cycles from a wake-up (queue send, barrier release, counter drop) to the woken thread running. */
  wakeLatency: number;
  /** Optional observer of every resumed step: (thread id, clock before the op, op name). */
  trace?: (thread: number, clock: number, op: string) => void;
  /** Optional observer of synchronisation (happens-before edges), for the race detector. */
  sync?: SyncHooks;
}

export class DeadlockError extends Error {
  constructor(readonly blocked: ReadonlyArray<{ id: number; name: string; reason: string }>) {
    super(`deadlock: ${blocked.map((b) => `thread ${b.id} (${b.name}) waits for ${b.reason}`).join('; ')}`);
    this.name = 'DeadlockError';
  }
}

const PRIO_WAKE = 0;
const PRIO_RUN = 1;

class Core {
  owner = -1;
  lastThread = -1;
  freeAt = 0;
  quantumEnd = 0;
  readonly waiters: SimThread[] = [];
}

export class Kernel implements Parker {
  readonly threads: SimThread[] = [];
  private readonly queue = new EventQueue();
  private readonly cores: Core[];
  private readonly handler: OpHandler;
  readonly wakeLatency: number;
  /** Operations executed (kernel events). */
  events = 0;
  contextSwitches = 0;

  constructor(
    readonly config: KernelConfig,
    handler: OpHandler,
  ) {
    if (!(config.cores >= 1)) throw new RangeError('kernel: at least one core is needed');
    this.cores = Array.from({ length: config.cores }, () => new Core());
    this.handler = handler;
    this.wakeLatency = config.wakeLatency;
  }

  /** Creates a thread starting at `clock` (default 0) on `core` (default: id modulo cores). */
  spawn(body: ThreadBody, name?: string, core?: number, clock = 0): SimThread {
    const id = this.threads.length;
    const c = core ?? id % this.config.cores;
    if (!(c >= 0 && c < this.config.cores && Number.isInteger(c))) {
      throw new RangeError(`thread ${name ?? id}: core ${c} does not exist (cores 0..${this.config.cores - 1})`);
    }
    const t = new SimThread(id, name ?? `thread-${id}`, c, body, clock);
    this.threads.push(t);
    this.queue.push(t.clock, PRIO_RUN, id);
    return t;
  }

  /** Runs until every thread is done. Throws DeadlockError if threads remain blocked with nothing to wake them. */
  run(): void {
    const q = this.queue;
    for (;;) {
      const id = q.pop();
      if (id < 0) break;
      const t = this.threads[id] as SimThread;
      if (!this.acquireCore(t)) continue;
      // Keep running the same thread while it stays strictly earliest: saves heap traffic.
      for (;;) {
        const cont = this.step(t);
        if (!cont) break;
        if (t.clock < q.peekTime()) continue;
        q.push(t.clock, PRIO_RUN, t.id);
        break;
      }
    }
    const blocked = this.threads.filter((x) => x.state === BLOCKED);
    if (blocked.length > 0) {
      throw new DeadlockError(blocked.map((x) => ({ id: x.id, name: x.name, reason: x.blockedOn })));
    }
  }

  /** Largest thread clock: the simulated makespan. */
  makespan(): number {
    let m = 0;
    for (const t of this.threads) if (t.clock > m) m = t.clock;
    return m;
  }

  // ---- Parker ----

  park(t: SimThread, reason: string): void {
    t.state = BLOCKED;
    t.blockedOn = reason;
  }

  unpark(t: SimThread, time: number, value: unknown): void {
    const sync = this.config.sync;
    if (sync !== undefined && this.current !== null && this.current !== t) sync.acquire(t.id, sync.release(this.current.id));
    t.state = RUNNABLE;
    t.blockedOn = '';
    t.resume = value;
    if (time > t.clock) t.clock = time;
    this.queue.push(t.clock, PRIO_WAKE, t.id);
  }

  // ---- cores ----

  /** True if `t` holds (or just took) its core; otherwise it was queued on the core. */
  private acquireCore(t: SimThread): boolean {
    const core = this.cores[t.core] as Core;
    if (core.owner === t.id) return true;
    if (core.owner !== -1) {
      core.waiters.push(t);
      return false;
    }
    this.takeCore(core, t);
    return true;
  }

  private takeCore(core: Core, t: SimThread): void {
    if (core.freeAt > t.clock) t.clock = core.freeAt;
    if (core.lastThread !== -1 && core.lastThread !== t.id) {
      t.clock += this.config.contextSwitch;
      this.contextSwitches++;
    }
    core.owner = t.id;
    core.lastThread = t.id;
    core.quantumEnd = t.clock + this.config.quantum;
  }

  /** The owner gives up its core (blocked, exited, yielded or preempted) to the first waiter. */
  private releaseCore(t: SimThread): void {
    const core = this.cores[t.core] as Core;
    core.owner = -1;
    if (t.clock > core.freeAt) core.freeAt = t.clock;
    const next = core.waiters.shift();
    if (next !== undefined) {
      this.takeCore(core, next);
      this.queue.push(next.clock, PRIO_RUN, next.id);
    }
  }

  // ---- stepping ----

  /** Resumes `t` for one operation. Returns true if `t` is still runnable and holds its core. */
  private step(t: SimThread): boolean {
    if (!t.started) {
      t.started = true;
      this.handler.threadStart?.(t);
    }
    const before = t.clock;
    const resume = t.resume;
    t.resume = undefined;
    const r = t.gen.next(resume);
    this.events++;
    if (r.done === true) {
      this.config.trace?.(t.id, before, 'exit');
      this.finish(t);
      return false;
    }
    const op = r.value as KernelOp | Op;
    this.config.trace?.(t.id, before, op.op);
    if (this.execute(t, op)) {
      const core = this.cores[t.core] as Core;
      if (core.waiters.length > 0 && t.clock >= core.quantumEnd) {
        this.releaseCore(t);
        core.waiters.push(t);
        return false;
      }
      return true;
    }
    if (t.state !== RUNNABLE) this.releaseCore(t);
    return false;
  }

  /** The thread whose op (or exit) the kernel is executing: the waker of any wake-up it causes. */
  private current: SimThread | null = null;
  /** Accumulated release clocks of queues, barriers, counters and mutexes (race detection only). */
  private readonly syncClocks = new Map<object, unknown>();

  /** `t` releases into primitive `obj` (before the op). */
  private releaseInto(t: SimThread, obj: object): void {
    const sync = this.config.sync as SyncHooks;
    this.syncClocks.set(obj, sync.release(t.id, this.syncClocks.get(obj)));
  }

  /** `t` acquires what was released into `obj` (after the op succeeded without waiting). */
  private acquireFrom(t: SimThread, obj: object): void {
    const c = this.syncClocks.get(obj);
    if (c !== undefined) (this.config.sync as SyncHooks).acquire(t.id, c);
  }

  /** Executes one op; returns false if the thread blocked or gave up its core. */
  private execute(t: SimThread, op: KernelOp | Op): boolean {
    this.current = t;
    if (this.config.sync !== undefined) return this.executeSynced(t, op as KernelOp);
    return this.executeOp(t, op);
  }

  /** An op with its happens-before edges (race detection on). Wake-ups add theirs in unpark. */
  private executeSynced(t: SimThread, k: KernelOp): boolean {
    const sync = this.config.sync as SyncHooks;
    switch (k.op) {
      case 'send':
        this.releaseInto(t, k.queue);
        return this.executeOp(t, k);
      case 'recv':
      case 'tryRecv': {
        const ran = this.executeOp(t, k);
        if (ran) this.acquireFrom(t, k.queue);
        return ran;
      }
      case 'barrier':
        // Arriving publishes this thread's work and takes the earlier arrivers'; the last one's
        // wake-ups pass all of it on.
        this.releaseInto(t, k.barrier);
        this.acquireFrom(t, k.barrier);
        return this.executeOp(t, k);
      case 'counterAdd':
        this.releaseInto(t, k.counter);
        return this.executeOp(t, k);
      case 'waitBelow': {
        const ran = this.executeOp(t, k);
        if (ran) this.acquireFrom(t, k.counter);
        return ran;
      }
      case 'lock': {
        const ran = this.executeOp(t, k);
        if (ran) this.acquireFrom(t, k.mutex);
        return ran;
      }
      case 'unlock':
      case 'condWait':
        this.releaseInto(t, k.mutex);
        return this.executeOp(t, k);
      case 'spawn': {
        const ran = this.executeOp(t, k);
        sync.acquire(t.resume as number, sync.release(t.id));
        return ran;
      }
      case 'join': {
        const target = this.threads[k.thread];
        const ran = this.executeOp(t, k);
        if (ran && target !== undefined) sync.acquire(t.id, sync.release(target.id));
        return ran;
      }
      default:
        return this.executeOp(t, k);
    }
  }

  private executeOp(t: SimThread, op: KernelOp | Op): boolean {
    const k = op as KernelOp;
    switch (k.op) {
      case 'delay':
        t.clock += k.cycles;
        return true;
      case 'now':
        t.resume = t.clock;
        return true;
      case 'yield': {
        const core = this.cores[t.core] as Core;
        if (core.waiters.length === 0) return true;
        this.releaseCore(t);
        core.waiters.push(t);
        return false;
      }
      case 'sleep': {
        this.park(t, 'sleep');
        const wake = t.clock + k.cycles;
        this.releaseCore(t);
        this.unpark(t, wake, undefined);
        return false;
      }
      case 'send':
        return k.queue.send(this, t, k.value);
      case 'recv': {
        const got = k.queue.recv(this, t);
        if (got === null) return false;
        t.resume = got.value;
        return true;
      }
      case 'tryRecv':
        t.resume = k.queue.tryRecv(this, t)?.value;
        return true;
      case 'barrier':
        return k.barrier.arrive(this, t);
      case 'counterAdd':
        t.resume = k.counter.add(this, t, k.delta);
        return true;
      case 'waitBelow':
        return k.counter.waitBelow(this, t, k.limit);
      case 'spawn': {
        const child = this.spawn(k.body, k.name, k.core, t.clock);
        t.resume = child.id;
        return true;
      }
      case 'lock':
        return k.mutex.lock(this, t);
      case 'unlock':
        k.mutex.unlock(this, t);
        return true;
      case 'condWait':
        k.cond.wait(this, t, k.mutex);
        return false;
      case 'condSignal':
        t.resume = k.cond.signal(this, t, k.all);
        return true;
      case 'join': {
        const target = this.threads[k.thread];
        if (target === undefined) throw new RangeError(`join: no thread ${k.thread}`);
        if (target.state === DONE) {
          if (target.clock > t.clock) t.clock = target.clock;
          return true;
        }
        target.joiners.push(t);
        this.park(t, `join of thread ${target.id} (${target.name})`);
        return false;
      }
      default:
        t.resume = this.handler.execute(t, op);
        return true;
    }
  }

  private finish(t: SimThread): void {
    this.current = t;
    this.handler.threadExit?.(t);
    t.state = DONE;
    for (const j of t.joiners) this.unpark(j, t.clock + this.wakeLatency, undefined);
    t.joiners = [];
    this.releaseCore(t);
  }
}
