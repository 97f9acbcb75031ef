/**
 * Caches and coherence: per-core L1d and L2 (L1 kept inside L2), a shared LLC, and the directory.
 *
 * `access` charges one line access by one core and returns its latency in cycles. The path:
 * - L1 hit (and, for a write, the line is held Modified/Exclusive): l1Hit. Nothing else is touched,
 *   which keeps the common case cheap.
 * - L2 hit: l2Hit, refill L1; a write to a line held Shared is an upgrade that invalidates the
 *   other copies.
 * - Private miss: if another core owns the line it supplies it (c2cTransfer; for a write the owner's
 *   copy is invalidated, for a read it is downgraded to Shared); otherwise the LLC (llcHit) or DRAM.
 *   The miss is classified for this core as coherence (its copy was invalidated by another core's
 *   write since it last held the line), cold (it never held the line) or capacity/conflict.
 * The LLC is shared and non-inclusive: its evictions do not invalidate private copies.
 *
 * Every access carries an origin (application payload, allocator metadata, allocator in-band
 * links) and all counters are kept per origin.
 */
import * as CL from './cache-level.ts';
import { CacheLevel, lineKey } from './cache-level.ts';
import * as K from './sizes.ts';
import type { MachineSpec } from './machine-spec.ts';
import * as C from './origin-counters.ts';
import * as D from './directory.ts';
import { Directory } from './directory.ts';

// Constants bound to this module's own names: V8 folds those into optimized code, but reloads an
// imported (live) binding at every use (see cpu.ts).
const NO_LINE = CL.NO_LINE;
const PAGE_SIZE = K.PAGE_SIZE;
const LINES_PER_PAGE = D.LINES_PER_PAGE;
const NO_CORE = D.NO_CORE;
const {
  C_ACCESS,
  C_L1_MISS,
  C_L2_MISS,
  C_LLC_MISS,
  C_COHERENCE,
  C_COLD,
  C_CAPACITY,
  C_UPGRADE,
  C_C2C,
  C_CYCLES,
  C_SLOW,
  C_PREFETCH,
  COUNTERS_PER_ORIGIN,
} = C;

/** What holds the accessing thread's clock (a Cpu). */
export interface Clock {
  now: number;
}

export { ORIGIN_APP, ORIGIN_META, ORIGIN_LINK, ORIGIN_NAMES, type Origin } from './origin-counters.ts';
export {
  C_ACCESS,
  C_L1_MISS,
  C_L2_MISS,
  C_LLC_MISS,
  C_COHERENCE,
  C_COLD,
  C_CAPACITY,
  C_UPGRADE,
  C_C2C,
  C_CYCLES,
  C_SLOW,
  C_PREFETCH,
  COUNTERS_PER_ORIGIN,
} from './origin-counters.ts';

export class CacheHierarchy {
  readonly l1: CacheLevel[];
  readonly l2: CacheLevel[];
  readonly llc: CacheLevel;
  readonly dir: Directory;
  /** Per origin, COUNTERS_PER_ORIGIN counters (see C_*). */
  readonly counts = new Float64Array(3 * COUNTERS_PER_ORIGIN);
  readonly l1Hit: number;
  readonly l2Hit: number;
  private readonly llcHit: number;
  private readonly dram: number;
  private readonly c2c: number;
  private readonly upgradeCost: number;
  /** Lines in one L2 set are in one L1 set (L1 has no more sets than L2). */
  private readonly l1SetInL2Set: boolean;

  constructor(spec: MachineSpec) {
    this.l1 = Array.from({ length: spec.cores }, () => new CacheLevel(spec.l1));
    this.l2 = Array.from({ length: spec.cores }, () => new CacheLevel(spec.l2));
    this.llc = new CacheLevel(spec.llc);
    this.dir = new Directory(spec.cores);
    this.l1SetInL2Set = (this.l1[0] as CacheLevel).sets <= (this.l2[0] as CacheLevel).sets;
    const c = spec.costs;
    this.l1Hit = c.l1Hit;
    this.l2Hit = c.l2Hit;
    this.llcHit = c.llcHit;
    this.dram = c.dram;
    this.c2c = c.c2cTransfer;
    this.upgradeCost = c.upgrade;
  }

  /**
   * Charges one access of `core` to the line with key `key` (see lineKey) whose directory entry is
   * `ds` (see directory.ts), at the time `clock.now` (the accessing thread's clock: passed as its
   * holder, since a cycle count outgrows a small integer and passing it would allocate; only a
   * miss reads it); returns its latency in cycles.
   */
  access(core: number, key: number, ds: number, write: boolean, origin: number, clock: Clock): number {
    const l1 = this.l1[core] as CacheLevel;
    const i = l1.find(key, ds);
    const base = origin * COUNTERS_PER_ORIGIN;
    const counts = this.counts;
    counts[base + C_ACCESS]!++;
    if (i >= 0 && (!write || l1.writable[i] === 1)) {
      if (!l1.hitMru) l1.use(i);
      return this.l1Hit;
    }
    const cost = this.slow(core, key, ds, write, base, l1, i, clock);
    counts[base + C_CYCLES]! += cost;
    counts[base + C_SLOW]!++;
    return cost;
  }

  /**
   * Forgets every cached copy of the 64 lines of a page whose physical page is gone (munmap,
   * madvise(DONTNEED)) and resets their directory entries: if the address is mapped again, it is a
   * new page and its lines miss cold.
   */
  flushPage(pageSlot: number, vpn: number): void {
    const dir = this.dir;
    const firstKey = lineKey(vpn * PAGE_SIZE);
    const w = dir.words;
    for (let k = 0; k < LINES_PER_PAGE; k++) {
      const ds = pageSlot * LINES_PER_PAGE + k;
      const key = firstKey + k;
      for (let wi = 0; wi < w; wi++) {
        let m = dir.word(dir.sharers, ds, wi);
        while (m !== 0) {
          const b = 31 - Math.clz32(m & -m);
          m &= m - 1;
          this.dropPrivate(wi * 32 + b, key, ds);
        }
      }
      const lw = dir.llcWay(ds);
      if (lw >= 0 && this.llc.tagOf(lw) === ds) this.llc.drop(lw);
    }
    dir.resetPage(pageSlot, firstKey);
  }

  private slow(core: number, key: number, s: number, write: boolean, base: number, l1: CacheLevel, i: number, clock: Clock): number {
    const now = clock.now;
    const l2 = this.l2[core] as CacheLevel;
    const dir = this.dir;
    const counts = this.counts;
    // This core's L2 holds the line exactly when the directory has the core among its sharers: a
    // line known absent needs only the victim's scan, without comparing tags.
    const j = dir.has(dir.sharers, s, core) ? l2.find(key, s) : -1;
    if (j >= 0) {
      let cost: number;
      // In this core's private hierarchy.
      if (i < 0) {
        counts[base + C_L1_MISS]!++;
        cost = this.l2Hit;
      } else {
        cost = this.l1Hit;
      }
      if (write && dir.owner(s) !== core) {
        const inv = this.invalidateOthers(s, key, core);
        if (inv > 0) counts[base + C_UPGRADE]!++;
        cost += inv;
        dir.setOwner(s, core);
        dir.clearAll(dir.sharers, s);
        dir.setBit(dir.sharers, s, core);
        dir.noteWrite(s, core, now + cost);
      }
      const writable = dir.owner(s) === core;
      l2.use(j);
      l2.writable[j] = writable ? 1 : 0;
      if (i >= 0) {
        l1.use(i);
        l1.writable[i] = writable ? 1 : 0;
      } else {
        l1.fill(l1.victim(key), s, writable);
      }
      return cost;
    }
    const l2Victim = l2.victim(key);
    counts[base + C_L1_MISS]!++;
    counts[base + C_L2_MISS]!++;
    const cost = this.fetchPrivate(core, key, s, write, base, now);
    this.l2Insert(core, l1, i, l2, l2Victim, key, s, dir.owner(s) === core, true);
    return cost;
  }

  /**
   * A hardware prefetch of the line (key, slot `s`) into `core`'s L2, not its L1 (the L2 stream
   * prefetcher's fill), at time `now`: returns its latency, or 0 if the line is already in this
   * core's private caches. Counted as a prefetch, and as the miss it is (coherence, cold or
   * capacity; a transfer, an LLC hit or miss), but not as a demand access or L1/L2 miss.
   */
  prefetchL2(core: number, key: number, s: number, origin: number, now: number): number {
    const dir = this.dir;
    if (dir.has(dir.sharers, s, core)) return 0;
    const base = origin * COUNTERS_PER_ORIGIN;
    this.counts[base + C_PREFETCH]!++;
    const l2 = this.l2[core] as CacheLevel;
    const v = l2.victim(key);
    const cost = this.fetchPrivate(core, key, s, false, base, now);
    this.l2Insert(core, this.l1[core] as CacheLevel, -1, l2, v, key, s, dir.owner(s) === core, false);
    return cost;
  }

  /**
   * A private miss of `core` on the line (key, slot `s`) at time `now`: classifies it, takes the
   * line from its owner (a transfer) or from the LLC or DRAM, invalidates other copies for a write,
   * and records the new sharers and owner. Returns its latency.
   */
  private fetchPrivate(core: number, key: number, s: number, write: boolean, base: number, now: number): number {
    const dir = this.dir;
    const counts = this.counts;
    let cost: number;
    if (dir.has(dir.invalidated, s, core)) {
      counts[base + C_COHERENCE]!++;
      dir.clearBit(dir.invalidated, s, core);
    } else if (!dir.has(dir.ever, s, core)) {
      counts[base + C_COLD]!++;
      dir.setBit(dir.ever, s, core);
    } else {
      counts[base + C_CAPACITY]!++;
    }
    const o = dir.owner(s);
    if (o !== NO_CORE && o !== core) {
      cost = this.c2c;
      counts[base + C_C2C]!++;
      if (write) {
        this.dropPrivate(o, key, s);
        dir.setBit(dir.invalidated, s, o);
        dir.clearAll(dir.sharers, s);
      } else {
        (this.l1[o] as CacheLevel).downgrade(key, s);
        (this.l2[o] as CacheLevel).downgrade(key, s);
        this.llcPut(key, s); // the owner's dirty copy is written back
      }
      dir.setOwner(s, NO_CORE);
    } else {
      if (this.llcPut(key, s)) {
        cost = this.llcHit;
      } else {
        counts[base + C_LLC_MISS]!++;
        cost = this.dram;
      }
      if (write && dir.anyOther(dir.sharers, s, core)) {
        cost += this.invalidateOthers(s, key, core);
        counts[base + C_UPGRADE]!++;
      }
    }
    if (write || !dir.anyOther(dir.sharers, s, core)) {
      dir.setOwner(s, core);
      dir.clearAll(dir.sharers, s);
    }
    dir.setBit(dir.sharers, s, core);
    if (write) {
      dir.noteWrite(s, core, now + cost);
    }
    return cost;
  }

  /**
   * Brings the line into the LLC: a hit marks it most recently used, a miss fills the set's victim.
   * Returns whether it was a hit. The directory's llcWay names the way that last took the line (a
   * hint, checked against that way's tag), so only a miss scans the set (for its victim).
   */
  private llcPut(key: number, s: number): boolean {
    const llc = this.llc;
    const dir = this.dir;
    const w = dir.llcWay(s);
    if (w >= 0 && llc.tagOf(w) === s) {
      llc.use(w);
      return true;
    }
    const v = llc.victim(key);
    llc.fill(v, s, false);
    dir.setLlcWay(s, v);
    return false;
  }

  /** Invalidates every other core's copy of the line (they take a coherence miss next time). */
  private invalidateOthers(s: number, key: number, core: number): number {
    const dir = this.dir;
    const w = dir.words;
    let any = false;
    for (let wi = 0; wi < w; wi++) {
      let m = dir.word(dir.sharers, s, wi);
      while (m !== 0) {
        const b = 31 - Math.clz32(m & -m);
        m &= m - 1;
        const c = wi * 32 + b;
        if (c === core) continue;
        this.dropPrivate(c, key, s);
        dir.setBit(dir.invalidated, s, c);
        any = true;
      }
    }
    return any ? this.upgradeCost : 0;
  }

  private dropPrivate(c: number, key: number, ds: number): void {
    (this.l1[c] as CacheLevel).invalidate(key, ds);
    (this.l2[c] as CacheLevel).invalidate(key, ds);
  }

  /**
   * Fills the line into way `v` of L2 (its victim, which leaves this core's private hierarchy) and,
   * with `fillL1`, into L1 (way `i`, or its victim when `i` is -1).
   */
  private l2Insert(
    core: number,
    l1: CacheLevel,
    i: number,
    l2: CacheLevel,
    v: number,
    key: number,
    s: number,
    writable: boolean,
    fillL1: boolean,
  ): void {
    const os = l2.tagOf(v);
    let l1Way = i;
    if (os !== NO_LINE) {
      // Evicting from L2 leaves this core's private hierarchy (L1 is kept inside L2).
      const dir = this.dir;
      // The victim shares the new line's L2 set, hence its L1 set when L1 has no more sets than
      // L2: one pass over that set drops it and picks the L1 way to fill.
      if (fillL1 && i < 0 && this.l1SetInL2Set) l1Way = l1.victimDropping(key, os);
      else l1.invalidate(dir.keyOf(os), os);
      dir.clearBit(dir.sharers, os, core);
      if (dir.owner(os) === core) {
        dir.setOwner(os, NO_CORE);
        // Write-back of an owned line into the LLC.
        this.llcPut(dir.keyOf(os), os);
      }
    }
    l2.fill(v, s, writable);
    if (fillL1) l1.fill(l1Way >= 0 ? l1Way : l1.victim(key), s, writable);
  }
}
