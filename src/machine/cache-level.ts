/**
 * One set-associative cache with LRU replacement, on typed arrays.
 *
 * A way holds a line number (address / 64) as its tag, an LRU stamp, a `writable` flag (the owning
 * core holds the line Modified or Exclusive, so a write hits without a coherence action) and the
 * line's directory slot, so a hit can reach the line's coherence state without a hash lookup.
 */
import { setsOf, type CacheGeometry } from './costs.ts';

export const NO_LINE = -1;

export class CacheLevel {
  readonly sets: number;
  readonly ways: number;
  readonly tags: Float64Array;
  readonly stamps: Uint32Array;
  readonly writable: Uint8Array;
  readonly dirSlot: Int32Array;
  private readonly setMask: number;
  private tick = 0;

  constructor(geometry: CacheGeometry) {
    this.sets = setsOf(geometry);
    this.ways = geometry.ways;
    const n = this.sets * this.ways;
    this.tags = new Float64Array(n).fill(NO_LINE);
    this.stamps = new Uint32Array(n);
    this.writable = new Uint8Array(n);
    this.dirSlot = new Int32Array(n);
    this.setMask = this.sets - 1;
  }

  /**
   * The way used most recently (by find, use or fill): always the newest stamp of the cache, hence
   * the most recently used way of its set. A hit on it needs no LRU update (see hitMru).
   */
  private lastWay = 0;
  /** Set by find: the hit was on lastWay, which is already most recently used. */
  hitMru = false;

  /** Index of the way holding `line`, or -1. Does not update LRU. */
  find(line: number): number {
    const tags = this.tags;
    if (tags[this.lastWay] === line) {
      this.hitMru = true;
      return this.lastWay;
    }
    this.hitMru = false;
    const ways = this.ways;
    const base = (line & this.setMask) * ways;
    for (let i = base, end = base + ways; i < end; i++) if (tags[i] === line) return i;
    return -1;
  }

  /** Marks way `i` most recently used. */
  use(i: number): void {
    this.stamps[i] = this.nextTick();
    this.lastWay = i;
  }

  /** LRU stamps are 32-bit; on wrap-around every stamp restarts from zero (order is lost once per 2^32 uses). */
  private nextTick(): number {
    if (this.tick === 0xffffffff) {
      this.stamps.fill(0);
      this.tick = 0;
    }
    return ++this.tick;
  }

  /**
   * Like find, but when `line` is absent also leaves in `victimWay` the way a fill should use
   * (an empty way, else the least recently used): one pass over the set instead of two.
   */
  lookup(line: number): number {
    const tags = this.tags;
    const stamps = this.stamps;
    const ways = this.ways;
    const base = (line & this.setMask) * ways;
    let best = base;
    let bestStamp = Infinity;
    for (let i = base, end = base + ways; i < end; i++) {
      const t = tags[i] as number;
      if (t === line) return i;
      if (bestStamp !== -1) {
        if (t === NO_LINE) {
          best = i;
          bestStamp = -1;
        } else if ((stamps[i] as number) < bestStamp) {
          bestStamp = stamps[i] as number;
          best = i;
        }
      }
    }
    this.victimWay = best;
    return -1;
  }

  /** Set by lookup() when the line was absent. */
  victimWay = 0;

  /** The way to fill for `line`: an empty way of its set, else the least recently used. */
  victim(line: number): number {
    const ways = this.ways;
    const base = (line & this.setMask) * ways;
    const tags = this.tags;
    const stamps = this.stamps;
    let best = base;
    let bestStamp = Infinity;
    for (let i = base, end = base + ways; i < end; i++) {
      if (tags[i] === NO_LINE) return i;
      const s = stamps[i] as number;
      if (s < bestStamp) {
        bestStamp = s;
        best = i;
      }
    }
    return best;
  }

  /** Puts `line` in way `i` (whatever it held is overwritten; read tags[i] first to learn the victim). */
  fill(i: number, line: number, dirSlot: number, writable: boolean): void {
    this.tags[i] = line;
    this.dirSlot[i] = dirSlot;
    this.writable[i] = writable ? 1 : 0;
    this.stamps[i] = this.nextTick();
    this.lastWay = i;
  }

  /** Drops `line` if present; returns whether it was present. */
  invalidate(line: number): boolean {
    const i = this.find(line);
    if (i < 0) return false;
    this.tags[i] = NO_LINE;
    this.writable[i] = 0;
    return true;
  }

  /** Clears the writable flag of `line` if present (it became shared). */
  downgrade(line: number): void {
    const i = this.find(line);
    if (i >= 0) this.writable[i] = 0;
  }
}
