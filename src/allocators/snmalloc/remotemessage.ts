/**
 * What a remote free looks like on a queue (src/snmalloc/mem/remoteallocator.h).
 *
 * Without BatchIt: `SingletonRemoteMessage`, the freed object itself, its word 0 the queue link.
 * With BatchIt: `BatchedRemoteMessage`, the *last* object of a ring of objects freed to one slab.
 * `free_ring` (word 0) closes the ring: it holds the packed value
 * (signed byte displacement first - last) << MAX_CAPACITY_BITS | length, encoded with key_root and
 * the slab's tweak, so the tail "points to" the head; `message_link`, the queue link, follows at
 * offset 8 (16 in check builds). The other objects of the ring keep ordinary free-list links and are
 * touched by neither the post path nor the receiver: the receiver splices first..last onto the slab's
 * free queue in O(1).
 */
import { ORIGIN_LINK } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { MAX_CAPACITY_BITS } from './config.ts';
import { FreeList } from './freelist.ts';

const CAP = 2 ** MAX_CAPACITY_BITS;

export class RemoteMessages {
  /** Offset of the queue link in a message. */
  readonly linkOffset: number;

  constructor(
    private readonly freeList: FreeList,
    readonly batched: boolean,
    private readonly backward: boolean,
    /** Static address of freelist::Object::key_root. */
    private readonly keyRoot: number,
  ) {
    this.linkOffset = batched ? (backward ? 16 : 8) : 0;
  }

  toLink(msg: number): number {
    return msg + this.linkOffset;
  }

  fromLink(link: number): number {
    return link - this.linkOffset;
  }

  /** SingletonRemoteMessage::emplace_in_alloc: the object becomes a free node (link = null). */
  emplaceSingleton(cpu: Cpu, obj: number): number {
    this.freeList.initNode(cpu, obj);
    return obj;
  }

  /**
   * BatchedRemoteMessage::mk_from_freelist_builder: build the header in `last` (placement new keeps
   * last's prev signature) and close the ring with the packed displacement and length.
   */
  makeBatched(cpu: Cpu, first: number, last: number, length: number, tweak: number): number {
    const words = this.backward ? 4 : 2;
    const prevLo = this.backward ? cpu.load64(last + FreeList.PREV, ORIGIN_LINK) : 0;
    const prevHi = cpu.hi;
    for (let w = 0; w < words; w++) cpu.store(last + w * 8, 0, 8, ORIGIN_LINK);
    if (this.backward) cpu.store64(last + FreeList.PREV, prevLo, prevHi, ORIGIN_LINK);
    const packed = (first - last) * CAP + length;
    if (this.backward) this.freeList.setPrevValue(cpu, first, this.freeList.signedPrev(cpu, last, first, this.keyRoot, tweak));
    this.freeList.storeNext(cpu, last, packed, this.keyRoot, tweak);
    return last;
  }

  private unpack(cpu: Cpu, msg: number, tweak: number): { first: number; length: number } {
    const encoded = this.freeList.loadNext(cpu, msg, this.keyRoot, tweak);
    const length = ((encoded % CAP) + CAP) % CAP;
    return { first: msg + (encoded - length) / CAP, length };
  }

  /** open_free_ring: the head of the ring and its length (1 for a singleton). */
  openRing(cpu: Cpu, msg: number, tweak: number): { first: number; length: number } {
    if (!this.batched) return { first: msg, length: 1 };
    const r = this.unpack(cpu, msg, tweak);
    if (this.backward) this.freeList.checkPrev(cpu, r.first, this.freeList.signedPrev(cpu, msg, r.first, this.keyRoot, tweak));
    return r;
  }

  /** ring_size: the length only (a forwarded message is not opened). */
  ringSize(cpu: Cpu, msg: number, tweak: number): number {
    return this.openRing(cpu, msg, tweak).length;
  }

  /** The objects of a message (heap walks; quiet Cpu). */
  objects(cpu: Cpu, msg: number, tweak: number): number[] {
    if (!this.batched) return [msg];
    const { first, length } = this.unpack(cpu, msg, tweak);
    const out: number[] = [];
    let p = first;
    for (let i = 0; i < length - 1 && p !== msg && p !== 0; i++) {
      out.push(p);
      p = this.freeList.loadNext(cpu, p, this.keyRoot, tweak);
    }
    out.push(msg);
    return out;
  }
}
