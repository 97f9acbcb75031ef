/**
 * BatchIt (Filardo & Parkinson, ISMM 2024): a small cache, in the *freeing* thread, of per-slab
 * lists of remotely freed objects. Objects freed to the same slab are chained into one list
 * ("ring") locally, without synchronisation; when the slab's ring is evicted (a miss in a full set)
 * or flushed, the whole batch goes to the owner as one message (snmalloc: one outbox entry; mimalloc:
 * one CAS onto the page's xthread_free).
 *
 * The cache is set-associative over slab keys (slab metadata or page addresses); its shape, hash,
 * eviction policy and ring layout are parameters (shape.ts), defaulting to snmalloc 0.7's
 * RemoteDeallocCacheBatching (src/snmalloc/mem/remotecache.h): 8 sets x 2 ways, multiply-shift
 * hash, evict the longest ring (ties to the lower way), ring index = set + way.
 *
 * State lives in simulated memory at `base` (inside the freeing thread's allocator):
 *   keys:     rings x 8 B      the slab key of each ring (0 = empty)   — snmalloc's open_meta[]
 *   builders: rings x 32 B     head, tail, length (u32), stamp (u32)    — snmalloc's open_builder[]
 *   tick:     8 B              stamp source for LRU/FIFO
 * The in-band links are written by the model's hooks (its own encoding).
 */
import { ORIGIN_META } from '../../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../../machine/cpu.ts';
import type { Counters, Histogram } from '../../kit/model-counters.ts';
import { ringCount, ringIndex, setOf, type BatchItShape } from './shape.ts';

/** The BatchIt cache's counters (the counters of a model with BatchIt include them). */
export type BatchItStat = 'batchit.batchSize' | 'batchit.earlyCloses' | 'batchit.evictions' | 'batchit.hits' | 'batchit.misses';

const BUILDER = 32;
const HEAD = 0;
const TAIL = 8;
const LENGTH = 16;
const STAMP = 20;

export interface BatchItHooks {
  /** Makes `obj` a list node with no successor (snmalloc: placement-constructs the free node). */
  initNode(cpu: Cpu, obj: number): void;
  /**
   * Writes the link `prevTail -> obj` in the model's encoding. `key` is the ring's slab key, for
   * encodings tweaked per slab (snmalloc's check build: key_root tweaked by the metadata address).
   */
  link(cpu: Cpu, prevTail: number, obj: number, key: number): void;
}

/** Receives a closed ring: `length` objects of slab `key`, chained from `head` to `tail`. */
export type BatchSink = (cpu: Cpu, key: number, head: number, tail: number, length: number) => void;

export class BatchItCache {
  readonly rings: number;
  /** Bytes of state at `base`. */
  readonly stateBytes: number;
  private readonly buildersOff: number;
  private readonly tickOff: number;
  private readonly sizes: Histogram;

  constructor(
    readonly shape: BatchItShape,
    private readonly hooks: BatchItHooks,
    private readonly counters: Counters<BatchItStat>,
    /** Close a ring early once its length reaches a fresh random number of this many bits (0: never). */
    private readonly earlyCloseBits = 0,
  ) {
    this.rings = ringCount(shape);
    this.buildersOff = this.rings * 8;
    this.tickOff = this.buildersOff + this.rings * BUILDER;
    this.stateBytes = this.tickOff + 8;
    this.sizes = counters.histogram('batchit.batchSize');
  }

  /**
   * Adds `obj`, freed to slab `key`, to its ring. A miss in a full set first closes the victim
   * ring and hands it to `sink`. No atomics.
   */
  add(cpu: Cpu, base: number, key: number, obj: number, sink: BatchSink): void {
    const s = this.shape;
    const set = setOf(s, key);
    this.hooks.initNode(cpu, obj);
    let empty = -1;
    for (let w = 0; w < s.ways; w++) {
      const r = ringIndex(s, set, w);
      const k = cpu.load(base + r * 8, 8, ORIGIN_META);
      if (k === key) {
        this.counters.add('batchit.hits');
        this.append(cpu, base, r, key, obj, sink);
        return;
      }
      if (k === 0 && empty < 0) empty = r;
    }
    this.counters.add('batchit.misses');
    let r = empty;
    if (r < 0) {
      r = this.victim(cpu, base, set);
      this.counters.add('batchit.evictions');
      this.close(cpu, base, r, sink);
    }
    cpu.store(base + r * 8, key, 8, ORIGIN_META);
    const b = base + this.buildersOff + r * BUILDER;
    cpu.store(b + HEAD, obj, 8, ORIGIN_META);
    cpu.store(b + TAIL, obj, 8, ORIGIN_META);
    cpu.store(b + LENGTH, 1, 4, ORIGIN_META);
    this.stamp(cpu, base, b);
    this.maybeCloseEarly(cpu, base, r, 1, sink);
  }

  /** Closes every open ring (snmalloc: at each post; both: at thread exit). */
  flush(cpu: Cpu, base: number, sink: BatchSink): void {
    for (let r = 0; r < this.rings; r++) {
      if (cpu.load(base + r * 8, 8, ORIGIN_META) !== 0) this.close(cpu, base, r, sink);
    }
  }

  /** The open rings (for heap walks), read with whatever Cpu the caller gives (a quiet one). */
  openRings(cpu: Cpu, base: number): Array<{ key: number; head: number; tail: number; length: number }> {
    const out: Array<{ key: number; head: number; tail: number; length: number }> = [];
    for (let r = 0; r < this.rings; r++) {
      const key = cpu.load(base + r * 8);
      if (key === 0) continue;
      const b = base + this.buildersOff + r * BUILDER;
      out.push({ key, head: cpu.load(b + HEAD), tail: cpu.load(b + TAIL), length: cpu.load(b + LENGTH, 4) });
    }
    return out;
  }

  private append(cpu: Cpu, base: number, r: number, key: number, obj: number, sink: BatchSink): void {
    const b = base + this.buildersOff + r * BUILDER;
    const tail = cpu.load(b + TAIL, 8, ORIGIN_META);
    this.hooks.link(cpu, tail, obj, key);
    cpu.store(b + TAIL, obj, 8, ORIGIN_META);
    const len = cpu.load(b + LENGTH, 4, ORIGIN_META) + 1;
    cpu.store(b + LENGTH, len, 4, ORIGIN_META);
    if (this.shape.policy === 'lru') this.stamp(cpu, base, b);
    this.maybeCloseEarly(cpu, base, r, len, sink);
  }

  private maybeCloseEarly(cpu: Cpu, base: number, r: number, len: number, sink: BatchSink): void {
    if (this.earlyCloseBits === 0) return;
    if (len >= (cpu.random32() & ((1 << this.earlyCloseBits) - 1))) {
      this.counters.add('batchit.earlyCloses');
      this.close(cpu, base, r, sink);
    }
  }

  /** The way of `set` a miss evicts, by the policy; ties go to the lower way. */
  private victim(cpu: Cpu, base: number, set: number): number {
    const s = this.shape;
    let best = ringIndex(s, set, 0);
    let bestVal = -Infinity;
    for (let w = 0; w < s.ways; w++) {
      const r = ringIndex(s, set, w);
      const b = base + this.buildersOff + r * BUILDER;
      // largest: the longest ring; lru/fifo: the smallest stamp (negated, so larger is better).
      const v = s.policy === 'largest' ? cpu.load(b + LENGTH, 4, ORIGIN_META) : -cpu.load(b + STAMP, 4, ORIGIN_META);
      if (v > bestVal) {
        bestVal = v;
        best = r;
      }
    }
    return best;
  }

  private close(cpu: Cpu, base: number, r: number, sink: BatchSink): void {
    const key = cpu.load(base + r * 8, 8, ORIGIN_META);
    const b = base + this.buildersOff + r * BUILDER;
    const head = cpu.load(b + HEAD, 8, ORIGIN_META);
    const tail = cpu.load(b + TAIL, 8, ORIGIN_META);
    const length = cpu.load(b + LENGTH, 4, ORIGIN_META);
    cpu.store(base + r * 8, 0, 8, ORIGIN_META);
    this.sizes.record(length);
    sink(cpu, key, head, tail, length);
  }

  /** LRU: stamped on insert and on every hit; FIFO: on insert only. */
  private stamp(cpu: Cpu, base: number, b: number): void {
    if (this.shape.policy === 'largest') return;
    const t = (cpu.load(base + this.tickOff, 8, ORIGIN_META) + 1) % 4294967296;
    cpu.store(base + this.tickOff, t, 8, ORIGIN_META);
    cpu.store(b + STAMP, t, 4, ORIGIN_META);
  }
}
