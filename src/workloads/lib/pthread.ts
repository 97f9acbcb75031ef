/**
 * pthread objects as a workload's threads use them. A mutex is application memory (the 40-byte
 * pthread_mutex_t whose lock word glibc takes with a CAS and releases with an exchange, as its
 * lll_lock/lll_unlock do), so its cache traffic is charged where the program's would be; who
 * waits, and until when, is decided by the kernel's SimMutex. Condition variables are kernel
 * SimConditions (their own futex word is not modelled).
 */
import { condWait, join, lock, spawn, unlock } from '../../sim/ops.ts';
import { SimCondition, SimMutex } from '../../sim/primitives.ts';
import type { Op, ThreadBody } from '../../sim/thread.ts';
import { cas, exchange } from '../ops.ts';

/** sizeof(pthread_mutex_t) on x86-64 glibc. */
export const PTHREAD_MUTEX_BYTES = 40;

export class PthreadMutex {
  readonly kernel: SimMutex;

  constructor(
    readonly addr: number,
    name: string,
  ) {
    this.kernel = new SimMutex(name);
  }

  *lock(): Generator<Op, void, unknown> {
    yield lock(this.kernel);
    yield cas(this.addr, 0, 1);
  }

  *unlock(): Generator<Op, void, unknown> {
    yield exchange(this.addr, 0);
    yield unlock(this.kernel);
  }

  /** pthread_cond_wait(cond, this): releases the lock word, waits, and takes it again. */
  *wait(cond: SimCondition): Generator<Op, void, unknown> {
    yield exchange(this.addr, 0);
    yield condWait(cond, this.kernel);
    yield cas(this.addr, 0, 1);
  }
}

export { SimCondition };

/** pthread_create for each body in order; returns the new threads' ids. */
export function* spawnAll(bodies: ReadonlyArray<{ body: ThreadBody; name: string }>): Generator<Op, number[], unknown> {
  const ids: number[] = [];
  for (const b of bodies) ids.push((yield spawn(b.body, b.name)) as number);
  return ids;
}

/** pthread_join of each thread in order. */
export function* joinAll(ids: readonly number[]): Generator<Op, void, unknown> {
  for (const id of ids) yield join(id);
}

/** Main's usual shape: start `count` threads made by `make`, named NAME-i, and join them. */
export function* runThreads(count: number, name: string, make: (i: number) => ThreadBody): Generator<Op, void, unknown> {
  yield* joinAll(yield* spawnAll(Array.from({ length: count }, (_, i) => ({ body: make(i), name: `${name}-${i}` }))));
}

/** The workload's threads: the body itself when one thread runs it, else a main that starts and joins `count`. */
export function workerThreads(count: number, name: string, make: (i: number) => ThreadBody): Array<{ name: string; body: ThreadBody }> {
  if (count === 1) return [{ name, body: make(0) }];
  return [{ name: 'main', body: runThreads(count, name, make) }];
}
