/**
 * snmalloc's in-band free lists (src/snmalloc/mem/freelist.h): the link encoding, the Builder that
 * appends through a pointer to the last `next` field, and the Iter that hands out objects.
 *
 * A free object's word 0 is `next`. Check builds store it as next XOR key_next XOR tweak (forward
 * edge, `code_next`) and keep in the successor's word 1 a signature of the link,
 * (address of the referencing field + key1) * (next + (key2 XOR tweak)) mod 2^64 (backward edge,
 * `signed_prev`), checked on every `take`. Slab lists use `key_root` tweaked by the slab
 * metadata's address / 8; message queues use `key_global` without a tweak. Keys are process-wide
 * globals in static data, randomised at first use (backend/globalconfig.h ensure_init_slow).
 *
 * Encoded words are full 64-bit values, so check builds read and write them as two 32-bit halves.
 */
import { ORIGIN_LINK, ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { NOT_ATOMIC } from '../../machine/memory-order.ts';
import { AllocatorAbort } from '../kit/contract.ts';
import type { SnmallocConfig } from './config.ts';
import type { BuilderLayout, IterLayout } from './layout.ts';

const TWO32 = 4294967296;
const MASK64 = (1n << 64n) - 1n;

/** Key triple in static data: key1 at +0, key2 at +8, key_next at +16 (mem/entropy.h FreeListKey). */
export const KEY_BYTES = 24;

function lo32(v: number): number {
  return (v - Math.floor(v / TWO32) * TWO32) >>> 0;
}

function hi32(v: number): number {
  return Math.floor(v / TWO32) >>> 0;
}

function join(lo: number, hi: number): number {
  return (hi | 0) * TWO32 + (lo >>> 0);
}

function big(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export class FreeList {
  private readonly checked: boolean;
  private readonly backward: boolean;
  private readonly prefetchOn: boolean;
  /** The signature word of a free object (word 1). */
  static readonly PREV = 8;

  constructor(cfg: SnmallocConfig) {
    this.checked = cfg.mit.forwardEdge;
    this.backward = cfg.mit.backwardEdge;
    this.prefetchOn = cfg.prefetch === 'on';
  }

  /**
   * Aal::prefetch (aal/aal_x86.h, __builtin_prefetch(p, 1, 3)): with `prefetch=on` the line is
   * fetched now without the thread waiting (Cpu.prefetch); `off` drops it, so the later access pays
   * the whole miss (an ablation).
   */
  prefetch(cpu: Cpu, addr: number, write = true): void {
    if (this.prefetchOn && addr !== 0) cpu.prefetch(addr, write, ORIGIN_LINK);
  }

  /** `*field = encode(value)` (Object::store_null / the store half of store_next). */
  storeNext(cpu: Cpu, field: number, value: number, key: number, tweak: number, origin = ORIGIN_LINK, order: number = NOT_ATOMIC): void {
    if (!this.checked) {
      cpu.store(field, value, 8, origin, order);
      return;
    }
    const kl = cpu.load64(key + 16);
    const kh = cpu.hi;
    cpu.store64(field, (lo32(value) ^ kl ^ lo32(tweak)) >>> 0, (hi32(value) ^ kh ^ hi32(tweak)) >>> 0, origin, order);
  }

  /** decode(*field) (Object::T::read_next / atomic_read_next without the check). */
  loadNext(cpu: Cpu, field: number, key: number, tweak: number, origin = ORIGIN_LINK, order: number = NOT_ATOMIC): number {
    if (!this.checked) return cpu.load(field, 8, origin, order);
    const kl = cpu.load64(key + 16);
    const kh = cpu.hi;
    const l = cpu.load64(field, origin, order);
    const h = cpu.hi;
    // The decoded pointer is ready when the encoded word is (the core cannot see through the XOR).
    return cpu.derive(l, join((l ^ kl ^ lo32(tweak)) >>> 0, (h ^ kh ^ hi32(tweak)) >>> 0));
  }

  /** signed_prev(curr, next, key, tweak) as a 64-bit value. */
  signedPrev(cpu: Cpu, curr: number, next: number, key: number, tweak: number): bigint {
    const k1 = big(cpu.load64(key), cpu.hi);
    const k2 = big(cpu.load64(key + 8), cpu.hi);
    cpu.work(3);
    return ((BigInt(curr) + k1) * (BigInt(next) + (k2 ^ BigInt(tweak)))) & MASK64;
  }

  /** Writes a signature into `obj`'s prev word. */
  setPrevValue(cpu: Cpu, obj: number, sig: bigint, origin = ORIGIN_LINK): void {
    cpu.store64(obj + FreeList.PREV, Number(sig & 0xffffffffn), Number(sig >> 32n), origin);
  }

  /** check_prev: aborts as snmalloc does when the signature does not match. */
  checkPrev(cpu: Cpu, obj: number, expected: bigint, origin = ORIGIN_LINK): void {
    const got = big(cpu.load64(obj + FreeList.PREV, origin), cpu.hi);
    if (got !== expected) throw new AllocatorAbort('Heap corruption - free list corrupted!', obj);
  }

  /**
   * Object::store_next: the successor's signature (check builds), then the encoded link. `curr` is
   * the address of the `next` field being written, `next` the object linked in.
   */
  storeLinked(cpu: Cpu, curr: number, next: number, key: number, tweak: number, origin = ORIGIN_LINK, order: number = NOT_ATOMIC): void {
    if (this.backward) this.setPrevValue(cpu, next, this.signedPrev(cpu, curr, next, key, tweak));
    this.storeNext(cpu, curr, next, key, tweak, origin, order);
  }

  /** Object::make / placement new of a free node: `next` = null (and `prev` = 0 in check builds). */
  initNode(cpu: Cpu, obj: number): void {
    cpu.store(obj, 0, 8, ORIGIN_LINK);
    if (this.backward) cpu.store(obj + FreeList.PREV, 0, 8, ORIGIN_LINK);
  }

  /** Origin of a builder field: the head lives in metadata; `end` may point into an object. */
  private static originOf(field: number, b: number, l: BuilderLayout): number {
    return field >= b && field < b + l.bytes ? ORIGIN_META : ORIGIN_LINK;
  }

  // ---- Builder (freelist.h): head[i], end[i] (pointer to the last next field), length[i] ----

  builderInit(cpu: Cpu, b: number, l: BuilderLayout, slab: number, key: number, tweak: number): void {
    for (let i = 0; i < l.queues; i++) {
      cpu.store(b + l.end(i), b + l.head(i));
      if (l.length(i) >= 0) cpu.store(b + l.length(i), 0, 2);
      this.storeNext(cpu, b + l.head(i), slab, key, tweak, ORIGIN_META);
    }
  }

  builderEmpty(cpu: Cpu, b: number, l: BuilderLayout): boolean {
    for (let i = 0; i < l.queues; i++) if (cpu.load(b + l.end(i)) !== b + l.head(i)) return false;
    return true;
  }

  /** Builder::add: link `n` after the last element of queue `index` (one store through `end`). */
  builderAdd(cpu: Cpu, b: number, l: BuilderLayout, n: number, key: number, tweak: number, index = 0): void {
    const e = cpu.load(b + l.end(index));
    this.storeLinked(cpu, e, n, key, tweak, FreeList.originOf(e, b, l));
    cpu.store(b + l.end(index), n);
    if (l.length(index) >= 0) cpu.store(b + l.length(index), cpu.load(b + l.length(index), 2) + 1, 2);
  }

  builderReadHead(cpu: Cpu, b: number, l: BuilderLayout, i: number, key: number, tweak: number): number {
    return this.loadNext(cpu, b + l.head(i), key, tweak, ORIGIN_META);
  }

  /**
   * Builder::close: terminate the longer queue (queue 0 without random_preserve), return its head,
   * the fake prev signature an Iter starts from, and how many objects stay in the other queue.
   */
  builderClose(cpu: Cpu, b: number, l: BuilderLayout, key: number, tweak: number): { head: number; prev: bigint; remaining: number } {
    let i = 0;
    if (l.queues === 2) i = cpu.load(b + l.length(0), 2) > cpu.load(b + l.length(1), 2) ? 0 : 1;
    const e = cpu.load(b + l.end(i));
    this.storeNext(cpu, e, 0, key, tweak, FreeList.originOf(e, b, l));
    const head = this.builderReadHead(cpu, b, l, i, key, tweak);
    const prev = this.backward ? this.signedPrev(cpu, b + l.head(i), head, key, tweak) : 0n;
    cpu.store(b + l.end(i), b + l.head(i));
    let remaining = 0;
    if (l.queues === 2) {
      cpu.store(b + l.length(i), 0, 2);
      remaining = cpu.load(b + l.length(1 - i), 2);
    }
    return { head, prev, remaining };
  }

  /** Builder::extract_segment (single queue): the first and last element; the builder is reset. */
  builderExtract(cpu: Cpu, b: number, l: BuilderLayout, key: number, tweak: number): { first: number; last: number } {
    const first = this.builderReadHead(cpu, b, l, 0, key, tweak);
    const last = cpu.load(b + l.end(0));
    this.builderInit(cpu, b, l, first, key, tweak);
    return { first, last };
  }

  /** Builder::append_segment: splice first..last (size objects) onto queue `index` in O(1). */
  builderAppend(
    cpu: Cpu,
    b: number,
    l: BuilderLayout,
    first: number,
    last: number,
    size: number,
    key: number,
    tweak: number,
    index = 0,
  ): void {
    if (l.length(index) >= 0) cpu.store(b + l.length(index), cpu.load(b + l.length(index), 2) + size, 2);
    const e = cpu.load(b + l.end(index));
    this.storeLinked(cpu, e, first, key, tweak, FreeList.originOf(e, b, l));
    cpu.store(b + l.end(index), last);
  }

  // ---- Iter (freelist.h): the per-class fast free list of the allocator ----

  iterEmpty(cpu: Cpu, it: number, l: IterLayout): boolean {
    return cpu.load(it + l.curr) === 0;
  }

  /** fl = Iter(head, prev, tweak). */
  iterSet(cpu: Cpu, it: number, l: IterLayout, head: number, prev: bigint, tweak: number): void {
    if (l.prev >= 0) cpu.store64(it + l.prev, Number(prev & 0xffffffffn), Number(prev >> 32n));
    cpu.store(it + l.curr, head);
    if (l.tweak >= 0) cpu.store(it + l.tweak, tweak);
  }

  /**
   * Iter::take: hand out `curr`, read its successor (decoded), prefetch it, check curr's signature
   * against the expected one and clear the object's links (clear_meta).
   */
  iterTake(cpu: Cpu, it: number, l: IterLayout, key: number, clearMeta: boolean): number {
    const c = cpu.load(it + l.curr);
    const tweak = l.tweak >= 0 ? cpu.load(it + l.tweak) : 0;
    const next = this.loadNext(cpu, c, key, tweak);
    this.prefetch(cpu, next);
    cpu.store(it + l.curr, next);
    if (this.backward && l.prev >= 0) {
      const p = big(cpu.load64(it + l.prev), cpu.hi);
      const sig = this.signedPrev(cpu, c, next, key, tweak);
      cpu.store64(it + l.prev, Number(sig & 0xffffffffn), Number(sig >> 32n));
      this.checkPrev(cpu, c, p);
    }
    if (clearMeta) {
      cpu.store(c, 0, 8, ORIGIN_LINK);
      if (this.backward) cpu.store(c + FreeList.PREV, 0, 8, ORIGIN_LINK);
    }
    return c;
  }
}
