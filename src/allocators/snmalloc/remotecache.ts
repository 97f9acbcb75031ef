/**
 * The outbox, RemoteDeallocCache (src/snmalloc/mem/remotecache.h).
 *
 * 2^REMOTE_SLOT_BITS = 256 single-queue Builders of messages, keyed by the destination's id (the
 * address of its RemoteAllocator): slot = (id >> 14) & 255, 14 = next_pow2_bits(sizeof(Allocator)).
 * A budget `capacity` (REMOTE_CACHE = 16 KiB) is charged objsize per remote free (`reserve_space`);
 * when it runs out, the free is cached anyway and `post()` sends everything: for each non-empty slot,
 * one pagemap lookup of the first message and ONE enqueue (one exchange) onto the allocator owning
 * that first message. Messages for other owners that hashed to the same slot are forwarded by the
 * receiver. The sender's own slot is re-bucketed with the next 8 bits of the id (`post_round`).
 *
 * With BatchIt (RemoteDeallocCacheBatching) a free first goes to the BatchIt cache (the reusable
 * component in ../batchit/); a ring closed by eviction, by early close or at `post` becomes one
 * BatchedRemoteMessage and is `forward`ed into its slot. Without it each free is forwarded at once as
 * a SingletonRemoteMessage.
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { Counters } from '../kit/model-counters.ts';
import type { SnmallocStat } from './context.ts';
import { AllocatorAbort } from '../kit/contract.ts';
import type { BatchItCache, BatchSink } from '../shared/batchit/index.ts';
import { nextPow2Bits, type SnmallocConfig } from './config.ts';
import type { FreeList } from './freelist.ts';
import type { FreeListQueue } from './freelist-queue.ts';
import type { AllocatorLayout } from './layout.ts';
import { Pagemap } from './pagemap.ts';
import type { RemoteMessages } from './remotemessage.ts';
import type { SizeClassTable } from './sizeclasstable.ts';
import { keyTweak } from './layout.ts';

export class RemoteCache {
  private readonly slots: number;
  private readonly shift: number;
  private readonly sink: BatchSink;
  /** Allocator whose outbox the sink forwards into (set around calls into the BatchIt cache). */
  private current = 0;

  constructor(
    private readonly cfg: SnmallocConfig,
    private readonly layout: AllocatorLayout,
    private readonly freeList: FreeList,
    private readonly pagemap: Pagemap,
    private readonly table: SizeClassTable,
    private readonly msgs: RemoteMessages,
    private readonly queue: FreeListQueue,
    private readonly batchit: BatchItCache | null,
    /** Static address of RemoteAllocator::key_global. */
    private readonly keyGlobal: number,
    private readonly counters: Counters<SnmallocStat>,
  ) {
    this.slots = 2 ** cfg.remoteSlotBits;
    this.shift = nextPow2Bits(cfg.allocatorSize);
    // close_one_pending: the ring becomes a message in its last object; the destination is looked
    // up in the pagemap and the message forwarded into that slot.
    this.sink = (cpu, key, head, tail, length) => {
      const msg = this.msgs.makeBatched(cpu, head, tail, length, keyTweak(key));
      const ras = this.pagemap.loadRas(cpu, this.pagemap.entry(cpu, msg));
      this.forward(cpu, this.current, Pagemap.remoteOf(ras), msg);
    };
  }

  private slotAddr(a: number, i: number): number {
    return a + this.layout.slots + i * this.layout.slotBuilder.bytes;
  }

  /** get_slot(id, round). */
  slotOf(id: number, round: number): number {
    return Math.floor(id / 2 ** (this.shift + round * this.cfg.remoteSlotBits)) % this.slots;
  }

  /** RemoteDeallocCache::init (at allocator construction). */
  init(cpu: Cpu, a: number): void {
    for (let i = 0; i < this.slots; i++) this.freeList.builderInit(cpu, this.slotAddr(a, i), this.layout.slotBuilder, 0, this.keyGlobal, 0);
    cpu.store(a + this.layout.capacity, this.cfg.remoteCache);
    if (this.batchit !== null) for (let r = 0; r < this.batchit.rings; r++) cpu.store(a + this.layout.batching + r * 8, 0);
  }

  /** reserve_space: capacity > n * objsize? then charge it. */
  reserveSpace(cpu: Cpu, a: number, sizeclass: number, n = 1): boolean {
    const size = n * cpu.load(this.table.fastAddr(sizeclass));
    const cap = cpu.load(a + this.layout.capacity);
    if (cap > size) {
      cpu.store(a + this.layout.capacity, cap - size);
      return true;
    }
    return false;
  }

  /** forward: append the message's link to the slot of its destination. */
  forward(cpu: Cpu, a: number, target: number, msg: number): void {
    this.freeList.builderAdd(
      cpu,
      this.slotAddr(a, this.slotOf(target, 0)),
      this.layout.slotBuilder,
      this.msgs.toLink(msg),
      this.keyGlobal,
      0,
    );
  }

  /** dealloc: a remote free of `p` (slab metadata `meta`) into the outbox, after reserve_space. */
  dealloc(cpu: Cpu, a: number, meta: number, p: number): void {
    if (this.batchit === null) {
      cpu.work(2);
      const ras = this.pagemap.loadRas(cpu, this.pagemap.entry(cpu, p));
      this.forward(cpu, a, Pagemap.remoteOf(ras), this.msgs.emplaceSingleton(cpu, p));
      return;
    }
    // ring_set's multiply-shift hash and the compare loop over the ways.
    cpu.work(6);
    this.current = a;
    this.batchit.add(cpu, a + this.layout.batching, meta, p, this.sink);
  }

  /**
   * post: close every BatchIt ring, then one enqueue per non-empty slot; the own slot is re-bucketed
   * by the next bits of the id until it is empty. Resets the budget. Returns whether it sent anything.
   */
  post(cpu: Cpu, a: number, myId: number): boolean {
    this.counters.add('posts');
    if (this.batchit !== null) {
      this.current = a;
      this.batchit.flush(cpu, a + this.layout.batching, this.sink);
    }
    let sent = false;
    for (let round = 0; ; round++) {
      const mine = this.slotOf(myId, round);
      for (let i = 0; i < this.slots; i++) {
        if (i === mine) continue;
        const b = this.slotAddr(a, i);
        if (this.freeList.builderEmpty(cpu, b, this.layout.slotBuilder)) continue;
        const { first, last } = this.freeList.builderExtract(cpu, b, this.layout.slotBuilder, this.keyGlobal, 0);
        const ras = this.pagemap.loadRas(cpu, this.pagemap.entry(cpu, first));
        if (this.cfg.mit.sanityChecks && Pagemap.isBackendOwned(ras)) {
          throw new AllocatorAbort('Delayed detection of attempt to free internal structure.', first);
        }
        this.queue.enqueue(cpu, Pagemap.remoteOf(ras), first, last);
        this.counters.add('queue.segmentsPosted');
        sent = true;
      }
      const own = this.slotAddr(a, mine);
      if (this.freeList.builderEmpty(cpu, own, this.layout.slotBuilder)) break;
      // Re-bucket the own slot by the next bits of each destination's id.
      let r = this.freeList.builderClose(cpu, own, this.layout.slotBuilder, this.keyGlobal, 0).head;
      while (r !== 0) {
        const next = this.freeList.loadNext(cpu, r, this.keyGlobal, 0);
        const ras = this.pagemap.loadRas(cpu, this.pagemap.entry(cpu, this.msgs.fromLink(r)));
        const slot = this.slotOf(Pagemap.remoteOf(ras), round + 1);
        this.freeList.builderAdd(cpu, this.slotAddr(a, slot), this.layout.slotBuilder, r, this.keyGlobal, 0);
        r = next;
      }
    }
    cpu.store(a + this.layout.capacity, this.cfg.remoteCache);
    return sent;
  }

  /** Every message waiting in the outbox and every open BatchIt ring (heap walks; quiet Cpu). */
  pending(cpu: Cpu, a: number): { messages: number[]; rings: Array<{ key: number; head: number; tail: number; length: number }> } {
    const messages: number[] = [];
    for (let i = 0; i < this.slots; i++) {
      const b = this.slotAddr(a, i);
      if (this.freeList.builderEmpty(cpu, b, this.layout.slotBuilder)) continue;
      const last = cpu.load(b + this.layout.slotBuilder.end(0));
      let p = this.freeList.builderReadHead(cpu, b, this.layout.slotBuilder, 0, this.keyGlobal, 0);
      for (let n = 0; p !== 0 && n < 1 << 24; n++) {
        messages.push(this.msgs.fromLink(p));
        if (p === last) break;
        p = this.freeList.loadNext(cpu, p, this.keyGlobal, 0);
      }
    }
    const rings = this.batchit === null ? [] : this.batchit.openRings(cpu, a + this.layout.batching);
    return { messages, rings };
  }
}
