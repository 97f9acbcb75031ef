/**
 * One set-associative cache with LRU replacement, on typed arrays.
 *
 * The set of a line comes from its line number (address / 64), as in a virtually indexed cache.
 * The tag a way holds is the line's directory slot (see directory.ts): a 32-bit integer that
 * names the line for as long as its page is mapped (unmapping, dropping or moving a page flushes
 * every cached copy of its lines first, see CacheHierarchy.flushPage), so tags compare as small
 * integers rather than as 41-bit line numbers. Tag and LRU stamp of a way sit side by side in one
 * Int32Array, so a set scan reads one or two host cache lines. Per way the cache also keeps a
 * `writable` flag (the owning core holds the line Modified or Exclusive, so a write hits without a
 * coherence action). An evicted line's key, to find its set in other levels, comes from its
 * directory slot (Directory.keyOf).
 */
import { MAX_SETS, setsOf, type CacheGeometry } from './machine-spec.ts';

/** This module's own name for NO_LINE: V8 folds it, an exported binding it reloads at every use (see origin-counters.ts). */
const EMPTY = -1;
/** The tag of an empty way. */
export const NO_LINE = EMPTY;

/**
 * The bits of a line number a cache needs to pick a set: the line number (address / 64) modulo
 * 2^26, a small integer (a full line number has up to 41 bits and would be a boxed double in
 * calls). A cache has at most MAX_SETS = 2^26 sets (spec-json.ts checks machine descriptions), so
 * `key & (sets - 1)` is the line's set. Line numbers that share a key are told apart by their
 * tags (directory slots).
 */
export function lineKey(addr: number): number {
  return addr >>> 6;
}

/**
 * Largest LRU stamp before the stamps restart (they are signed 32-bit). Victim scans start from it
 * (not from MAX_TICK + 1, which would make V8 compare every stamp as a double) with the set's
 * first way as the candidate: stamps of filled ways are distinct, except all 1 after a restart, so
 * a set's least stamp is MAX_TICK only in a one-way set, whose victim is that first way anyway.
 */
const MAX_TICK = 0x7fffffff;

export class CacheLevel {
  readonly sets: number;
  readonly ways: number;
  /** Per way w: ent[2w] = tag (directory slot, or NO_LINE), ent[2w + 1] = LRU stamp. */
  readonly ent: Int32Array;
  readonly writable: Uint8Array;
  private readonly setMask: number;
  private tick = 0;

  constructor(geometry: CacheGeometry) {
    this.sets = setsOf(geometry);
    if (this.sets > MAX_SETS) throw new Error(`a cache of ${this.sets} sets is larger than the ${MAX_SETS} the simulator supports`);
    this.ways = geometry.ways;
    const n = this.sets * this.ways;
    this.ent = new Int32Array(2 * n);
    for (let w = 0; w < n; w++) this.ent[2 * w] = EMPTY;
    this.writable = new Uint8Array(n);
    this.setMask = this.sets - 1;
    this.mru = new Int32Array(this.sets);
    for (let s = 0; s < this.sets; s++) this.mru[s] = s * this.ways;
    this.waysShift = (this.ways & (this.ways - 1)) === 0 ? 31 - Math.clz32(this.ways) : -1;
  }

  /**
   * Per set, the way used or filled last: the newest stamp of its set, so a hit on it needs no LRU
   * update (see hitMru). find tries it before scanning the set: a core streaming through a line
   * keeps hitting it while its other accesses go to other sets.
   */
  private readonly mru: Int32Array;
  /** log2(ways) when ways is a power of two, else -1 (see setOfWay). */
  private readonly waysShift: number;
  /** Set by find: the hit was on its set's most recently used way. */
  hitMru = false;

  /** The set of way `i`. */
  private setOfWay(i: number): number {
    return this.waysShift >= 0 ? i >> this.waysShift : (i / this.ways) | 0;
  }

  /** Directory slot held by way `i`, or NO_LINE. */
  tagOf(i: number): number {
    return this.ent[2 * i] as number;
  }

  /** Index of the way holding the line with key `key` and directory slot `ds`, or -1. Does not update LRU. */
  find(key: number, ds: number): number {
    const ent = this.ent;
    const set = key & this.setMask;
    const m = this.mru[set] as number;
    if (ent[2 * m] === ds) {
      this.hitMru = true;
      return m;
    }
    this.hitMru = false;
    for (let k = this.first(set), end = k + 2 * this.ways; k < end; k = (k + 2) | 0) if (ent[k] === ds) return k >> 1;
    return -1;
  }

  /**
   * Index in `ent` of the first way of set `set`. The scans step through `ent` by 2 with
   * wrapping (`| 0`) integer arithmetic: V8 then needs no overflow checks in their loops.
   */
  private first(set: number): number {
    return Math.imul(set, this.ways) << 1;
  }

  /** Marks way `i` most recently used. */
  use(i: number): void {
    this.ent[2 * i + 1] = this.nextTick();
    this.mru[this.setOfWay(i)] = i;
  }

  /**
   * An empty way has stamp 0 and a filled one a stamp of at least 1, so the least stamp of a set is
   * its first empty way, else its least recently used one. On wrap-around every filled way's stamp
   * restarts at 1 (order is lost once per 2^31 uses).
   */
  private nextTick(): number {
    if (this.tick === MAX_TICK) {
      const ent = this.ent;
      for (let k = 0; k < ent.length; k += 2) ent[k + 1] = ent[k] === EMPTY ? 0 : 1;
      this.tick = 1;
    }
    return ++this.tick;
  }

  /** The way to fill for a line with key `key`: an empty way of its set, else the least recently used. */
  victim(key: number): number {
    const ent = this.ent;
    const base = this.first(key & this.setMask);
    let best = base;
    let bestStamp = MAX_TICK;
    for (let k = base, end = base + 2 * this.ways; k < end; k = (k + 2) | 0) {
      const st = ent[k | 1] as number;
      if (st < bestStamp) {
        bestStamp = st;
        best = k;
      }
    }
    return best >> 1;
  }

  /**
   * Drops the line with directory slot `ds` if this set (that of key `key`) holds it, then returns
   * the way a fill of a line with key `key` should use: victim() after invalidate(), in one pass.
   * `ds` must be a line whose key maps to the same set (the caller checks the geometry).
   */
  victimDropping(key: number, ds: number): number {
    const ent = this.ent;
    const base = this.first(key & this.setMask);
    let best = base;
    let bestStamp = MAX_TICK;
    for (let k = base, end = base + 2 * this.ways; k < end; k = (k + 2) | 0) {
      let st = ent[k | 1] as number;
      if (ent[k] === ds) {
        this.drop(k >> 1);
        st = 0;
      }
      if (st < bestStamp) {
        bestStamp = st;
        best = k;
      }
    }
    return best >> 1;
  }

  /**
   * Puts the line with directory slot `ds` in way `i` (of the line's set); whatever it held is
   * overwritten (read tagOf(i) first to learn the victim).
   */
  fill(i: number, ds: number, writable: boolean): void {
    this.ent[2 * i] = ds;
    this.ent[2 * i + 1] = this.nextTick();
    this.writable[i] = writable ? 1 : 0;
    this.mru[this.setOfWay(i)] = i;
  }

  /** Drops the line if present; returns whether it was present. */
  invalidate(key: number, ds: number): boolean {
    const i = this.find(key, ds);
    if (i < 0) return false;
    this.drop(i);
    return true;
  }

  /** Empties way `i`. */
  drop(i: number): void {
    this.ent[2 * i] = EMPTY;
    this.ent[2 * i + 1] = 0;
    this.writable[i] = 0;
  }

  /** Clears the writable flag of the line if present (it became shared). */
  downgrade(key: number, ds: number): void {
    const i = this.find(key, ds);
    if (i >= 0) this.writable[i] = 0;
  }
}
