/**
 * The operations the kernel itself executes. Every other operation a thread yields (malloc, memory
 * reads and writes, ...) is passed to the kernel's OpHandler.
 */
import type { Op, ThreadBody } from './thread.ts';
import type { Barrier, SimCondition, SimCounter, SimMutex, SimQueue } from './primitives.ts';

/** Stay on the core, busy, for `cycles`. */
export interface DelayOp extends Op {
  readonly op: 'delay';
  readonly cycles: number;
}
/** Give the core to another runnable thread bound to it, if any (sched_yield). Returns nothing. */
export interface YieldOp extends Op {
  readonly op: 'yield';
}
/** Leave the core for `cycles` (a timed sleep). */
export interface SleepOp extends Op {
  readonly op: 'sleep';
  readonly cycles: number;
}
/** Put a value on a queue; blocks while the queue is full. */
export interface SendOp extends Op {
  readonly op: 'send';
  readonly queue: SimQueue;
  readonly value: unknown;
}
/** Take the oldest value from a queue; blocks while it is empty. Returns the value. */
export interface RecvOp extends Op {
  readonly op: 'recv';
  readonly queue: SimQueue;
}
/** Take the oldest value if there is one ready now; returns undefined otherwise. Never blocks. */
export interface TryRecvOp extends Op {
  readonly op: 'tryRecv';
  readonly queue: SimQueue;
}
/** Wait until every party has arrived. */
export interface BarrierOp extends Op {
  readonly op: 'barrier';
  readonly barrier: Barrier;
}
/** Add to a global counter; returns the new value. */
export interface CounterAddOp extends Op {
  readonly op: 'counterAdd';
  readonly counter: SimCounter;
  readonly delta: number;
}
/** Block until the counter's value is below `limit` (back-pressure). */
export interface WaitBelowOp extends Op {
  readonly op: 'waitBelow';
  readonly counter: SimCounter;
  readonly limit: number;
}
/** Start a new thread; returns its id. */
export interface SpawnOp extends Op {
  readonly op: 'spawn';
  readonly body: ThreadBody;
  readonly name?: string;
  readonly core?: number;
}
/** Wait for a thread to exit. */
export interface JoinOp extends Op {
  readonly op: 'join';
  readonly thread: number;
}
/** Returns this thread's clock (cycles). */
export interface NowOp extends Op {
  readonly op: 'now';
}
/** Acquire a mutex; blocks while another thread holds it. */
export interface LockOp extends Op {
  readonly op: 'lock';
  readonly mutex: SimMutex;
}
/** Release a mutex the thread holds (hands it to the first waiter). */
export interface UnlockOp extends Op {
  readonly op: 'unlock';
  readonly mutex: SimMutex;
}
/** Release `mutex` and wait on `cond`; resumes owning `mutex` again (pthread_cond_wait). */
export interface CondWaitOp extends Op {
  readonly op: 'condWait';
  readonly cond: SimCondition;
  readonly mutex: SimMutex;
}
/** Wake one waiter of `cond` (all of them with `all`: pthread_cond_broadcast); returns how many woke. */
export interface CondSignalOp extends Op {
  readonly op: 'condSignal';
  readonly cond: SimCondition;
  readonly all: boolean;
}

export type KernelOp =
  | DelayOp
  | YieldOp
  | SleepOp
  | SendOp
  | RecvOp
  | TryRecvOp
  | BarrierOp
  | CounterAddOp
  | WaitBelowOp
  | SpawnOp
  | JoinOp
  | NowOp
  | LockOp
  | UnlockOp
  | CondWaitOp
  | CondSignalOp;

// Constructors, so workloads read as `yield send(q, msg)`.
export const delay = (cycles: number): DelayOp => ({ op: 'delay', cycles });
export const yieldCore = (): YieldOp => ({ op: 'yield' });
export const sleep = (cycles: number): SleepOp => ({ op: 'sleep', cycles });
export const send = (queue: SimQueue, value: unknown): SendOp => ({ op: 'send', queue, value });
export const recv = (queue: SimQueue): RecvOp => ({ op: 'recv', queue });
export const tryRecv = (queue: SimQueue): TryRecvOp => ({ op: 'tryRecv', queue });
export const barrier = (b: Barrier): BarrierOp => ({ op: 'barrier', barrier: b });
export const counterAdd = (counter: SimCounter, delta: number): CounterAddOp => ({ op: 'counterAdd', counter, delta });
export const waitBelow = (counter: SimCounter, limit: number): WaitBelowOp => ({ op: 'waitBelow', counter, limit });
export const spawn = (body: ThreadBody, name?: string, core?: number): SpawnOp => ({ op: 'spawn', body, name, core });
export const join = (thread: number): JoinOp => ({ op: 'join', thread });
export const now = (): NowOp => ({ op: 'now' });
export const lock = (mutex: SimMutex): LockOp => ({ op: 'lock', mutex });
export const unlock = (mutex: SimMutex): UnlockOp => ({ op: 'unlock', mutex });
export const condWait = (cond: SimCondition, mutex: SimMutex): CondWaitOp => ({ op: 'condWait', cond, mutex });
export const condSignal = (cond: SimCondition): CondSignalOp => ({ op: 'condSignal', cond, all: false });
export const condBroadcast = (cond: SimCondition): CondSignalOp => ({ op: 'condSignal', cond, all: true });
