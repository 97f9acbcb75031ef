/**
 * An application-level FreeListMPSCQ (snmalloc src/snmalloc/mem/freelist_queue.h) in the
 * workload's own memory, driven by application atomics: the message queues of snmalloc's msgpass
 * benchmark (src/test/perf/msgpass/msgpass.cc), which reuses the allocator's queue type.
 *
 * Layout (alignas(REMOTE_MIN_ALIGN) = 256): `back` at +0, `front` at +64. Messages link through
 * their word 0. One exchange per enqueue; dequeue makes no RMW and never takes the newest element.
 * Links are stored raw: msgpass's queue key only encodes them in check builds of snmalloc.
 */
import type { Op } from '../sim/thread.ts';
import { atomicStore, exchange, prefetch, read } from './ops.ts';
import { ACQUIRE, RELAXED, SEQ_CST } from '../machine/memory-order.ts';

export const Q_BACK = 0;
export const Q_FRONT = 64;
export const Q_BYTES = 256;

type Gen<T> = Generator<Op, T, unknown>;

/** init(): back = front = null. */
export function* queueInit(q: number): Gen<void> {
  yield atomicStore(q + Q_BACK, 0);
  yield atomicStore(q + Q_FRONT, 0);
}

/** enqueue(first, last): null into last's link, exchange on back, link from the old tail (or set front). */
export function* enqueue(q: number, first: number, last: number): Gen<void> {
  yield atomicStore(last, 0);
  const prev = (yield exchange(q + Q_BACK, last)) as number;
  if (prev !== 0) yield atomicStore(prev, first);
  else yield atomicStore(q + Q_FRONT, first, true);
}

/** can_dequeue(): two relaxed loads. */
export function* canDequeue(q: number): Gen<boolean> {
  const f = (yield read(q + Q_FRONT, 8, RELAXED)) as number;
  const b = (yield read(q + Q_BACK, 8, RELAXED)) as number;
  return f !== b;
}

/**
 * dequeue(cb): every element before the `back` snapshot; returns how many were handed to cb. With
 * `prefetchNext` the next element is prefetched before cb runs (Aal::prefetch in freelist_queue.h).
 */
export function* dequeue(q: number, cb: (msg: number) => Gen<void>, prefetchNext = true): Gen<number> {
  // front.load() (seq_cst), back relaxed, each link an acquire load (atomic_read_next): plain moves
  // on x86, the orders for the race detector.
  let curr = (yield read(q + Q_FRONT, 8, SEQ_CST)) as number;
  if (curr === 0) return 0;
  const b = (yield read(q + Q_BACK, 8, RELAXED)) as number;
  let n = 0;
  while (curr !== b) {
    const next = (yield read(curr, 8, ACQUIRE)) as number;
    if (next === 0) break;
    if (prefetchNext) yield prefetch(next);
    yield* cb(curr);
    n++;
    curr = next;
  }
  yield atomicStore(q + Q_FRONT, curr, true);
  return n;
}

/** destroy(): the remaining element (front), or 0 for a queue never used; the queue is reset. */
export function* destroy(q: number): Gen<number> {
  if (((yield read(q + Q_BACK, 8, RELAXED)) as number) === 0) return 0;
  const f = (yield read(q + Q_FRONT, 8, SEQ_CST)) as number;
  yield atomicStore(q + Q_BACK, 0);
  yield atomicStore(q + Q_FRONT, 0);
  return f;
}
