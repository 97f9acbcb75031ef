/**
 * FreeListMPSCQ (src/snmalloc/mem/freelist_queue.h): the inbox of every allocator (its inline
 * RemoteAllocator, mem/remoteallocator.h). A chain of messages linked through their queue link,
 * `back` and `front` on separate lines.
 *
 * - enqueue(first, last): relaxed null store into last's link, ONE exchange(acq_rel) on `back`,
 *   then a release store of `first` into the previous tail's link, or (queue was empty) a seq_cst
 *   store into `front`. One RMW per posted segment, whatever its length.
 * - can_dequeue: two relaxed loads, front != back.
 * - dequeue: load front, snapshot back, walk (acquire load of each link, prefetch the next), stop at
 *   the snapshot or an unlinked next; end with one seq_cst store to `front`. The element equal to
 *   `back` is never processed: the newest message always waits for the next enqueue.
 *
 * Links use RemoteAllocator::key_global with no tweak (encoded in check builds).
 */
import { ORIGIN_LINK, ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { ACQ_REL, ACQUIRE, RELAXED, RELEASE, SEQ_CST } from '../../machine/memory-order.ts';
import type { FreeList } from './freelist.ts';
import { MPSCQ_BACK, MPSCQ_FRONT } from './layout.ts';

export class FreeListQueue {
  constructor(
    private readonly freeList: FreeList,
    private readonly key: number,
    private readonly backward: boolean,
  ) {}

  init(cpu: Cpu, q: number): void {
    cpu.store(q + MPSCQ_BACK, 0);
    cpu.store(q + MPSCQ_FRONT, 0);
  }

  canDequeue(cpu: Cpu, q: number): boolean {
    return cpu.load(q + MPSCQ_FRONT, 8, ORIGIN_META, RELAXED) !== cpu.load(q + MPSCQ_BACK, 8, ORIGIN_META, RELAXED);
  }

  enqueue(cpu: Cpu, q: number, first: number, last: number): void {
    this.freeList.storeNext(cpu, last, 0, this.key, 0, ORIGIN_LINK, RELAXED); // atomic_store_null
    const prev = cpu.exchange(q + MPSCQ_BACK, last, 8, ORIGIN_META, ACQ_REL);
    if (prev !== 0) {
      this.freeList.storeLinked(cpu, prev, first, this.key, 0, ORIGIN_LINK, RELEASE); // atomic_store_next
      return;
    }
    cpu.atomicStore(q + MPSCQ_FRONT, first, true);
  }

  /** atomic_read_next: the decoded link, checked against the successor's signature, prefetched. */
  private readNext(cpu: Cpu, curr: number): number {
    const next = this.freeList.loadNext(cpu, curr, this.key, 0, ORIGIN_LINK, ACQUIRE);
    if (this.backward && next !== 0) this.freeList.checkPrev(cpu, next, this.freeList.signedPrev(cpu, curr, next, this.key, 0));
    this.freeList.prefetch(cpu, next, false);
    return next;
  }

  /**
   * Destructively iterates up to (not including) the `back` snapshot; `cb` returns false to stop
   * after the element it was given. Returns the number of elements handed to `cb`.
   */
  dequeue(cpu: Cpu, q: number, cb: (link: number) => boolean): number {
    let curr = cpu.load(q + MPSCQ_FRONT, 8, ORIGIN_META, SEQ_CST);
    if (curr === 0) return 0;
    const b = cpu.load(q + MPSCQ_BACK, 8, ORIGIN_META, RELAXED);
    let n = 0;
    while (curr !== b) {
      const next = this.readNext(cpu, curr);
      if (next === 0) break;
      n++;
      if (!cb(curr)) {
        cpu.atomicStore(q + MPSCQ_FRONT, next, true);
        return n;
      }
      curr = next;
    }
    cpu.atomicStore(q + MPSCQ_FRONT, curr, true);
    return n;
  }

  /** destroy_and_iterate: empties the queue and hands every element (the newest too) to `cb`. */
  destroyAndIterate(cpu: Cpu, q: number, cb: (link: number) => void): void {
    if (cpu.load(q + MPSCQ_BACK, 8, ORIGIN_META, RELAXED) === 0) return;
    let p = cpu.load(q + MPSCQ_FRONT, 8, ORIGIN_META, SEQ_CST);
    cpu.store(q + MPSCQ_BACK, 0, 8, ORIGIN_META, RELAXED);
    cpu.store(q + MPSCQ_FRONT, 0, 8, ORIGIN_META, RELAXED);
    while (p !== 0) {
      const n = this.readNext(cpu, p);
      cb(p);
      p = n;
    }
  }

  /** Every element still queued, front to back (heap walks; quiet Cpu; bounded). */
  elements(cpu: Cpu, q: number): number[] {
    const out: number[] = [];
    const back = cpu.load(q + MPSCQ_BACK);
    let p = cpu.load(q + MPSCQ_FRONT);
    while (p !== 0 && out.length < 1 << 24) {
      out.push(p);
      if (p === back) break;
      p = this.freeList.loadNext(cpu, p, this.key, 0);
    }
    return out;
  }
}
