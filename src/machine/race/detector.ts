/**
 * A happens-before data-race detector over the simulated machine's memory accesses, after
 * ThreadSanitizer's FastTrack (Flanagan and Freund, PLDI 2009): a vector clock per thread, per
 * 8-byte granule the last write's epoch and the reads since (shadow.ts), and release/acquire edges
 * from locks, atomics by their memory order (memory-order.ts; relaxed makes none), fences, and the
 * synchronisation the caller reports (thread spawn and join, the kernel's queues and barriers, a
 * block handed from one thread to another).
 *
 * Two accesses race when they touch a common byte, at least one writes, at least one is not
 * atomic, they come from different threads, and neither happens before the other. The run itself
 * executes each allocator call to completion in start order, so two threads never interleave
 * inside a model; the detector finds the pairs that a real machine could interleave.
 *
 * It checks the origins it covers (the allocator's metadata and in-band links by default), but
 * takes synchronisation from every atomic, application memory included.
 */
import { ORIGIN_APP, ORIGIN_LINK, ORIGIN_META } from '../origin-counters.ts';
import { acquires, failureOrder, releases } from '../memory-order.ts';
import { PAGE_SIZE } from '../sizes.ts';
import { Shadow, type ShadowPage } from './shadow.ts';
import { before, copy, epoch, epochClock, epochTid, join, TIDS, type VectorClock } from './vector-clock.ts';
import type { RaceReport, RaceThread } from './report.ts';

export interface RaceOptions {
  /** Check the application's memory too (a workload author's tool); default only the allocator's. */
  app?: boolean;
  /** Distinct races kept (by the pair of code paths and kinds); more are counted only. */
  maxReports?: number;
}

export const ATOMIC_LOAD = 0;
export const ATOMIC_STORE = 1;
export const ATOMIC_RMW = 2;

interface ThreadState {
  vc: VectorClock;
  kind: string;
  path: number;
  /** Site id of (kind, path), -1 when either changed since. */
  site: number;
  /** The clock at the last release fence: what later relaxed stores publish. */
  fenceRel: VectorClock | null;
  /** What relaxed loads saw of releases since: an acquire fence takes it. */
  pendingAcq: VectorClock | null;
}

const PAGE = PAGE_SIZE;
const IGNORE_READS = 1;
const IGNORE_WRITES = 2;

export class RaceDetector {
  readonly reports: RaceReport[] = [];
  /** Races found, including those not kept as reports. */
  races = 0;
  private readonly covered = new Uint8Array(3);
  private readonly maxReports: number;
  private readonly seen = new Set<string>();
  private readonly threads: Array<ThreadState | undefined> = [];
  private readonly shadow = new Shadow();
  /** Release clocks of atomic locations (and lock words), by address. */
  private readonly locations = new Map<number, VectorClock>();
  private readonly siteIds = new Map<string, number>();
  /** Granules whose races the model declared benign (the real allocator races there by design). */
  private readonly benignGranules = new Set<number>();
  /** Per thread: IGNORE_READS and IGNORE_WRITES while inside an ignore scope. */
  private readonly ignoring = new Uint8Array(TIDS);
  private readonly sites: Array<{ kind: string; path: number }> = [];

  constructor(
    private readonly pathNames: readonly string[],
    opts: RaceOptions = {},
  ) {
    this.covered[ORIGIN_META] = 1;
    this.covered[ORIGIN_LINK] = 1;
    this.covered[ORIGIN_APP] = opts.app === true ? 1 : 0;
    this.maxReports = opts.maxReports ?? 100;
  }

  private state(tid: number): ThreadState {
    let s = this.threads[tid];
    if (s === undefined) {
      if (!(tid >= 0 && tid < TIDS))
        throw new RangeError(`the race detector tells apart threads 0 to ${TIDS - 1}; thread ${tid} is out of range`);
      const vc: VectorClock = [];
      vc[tid] = 1;
      s = { vc, kind: '', path: -1, site: -1, fenceRel: null, pendingAcq: null };
      this.threads[tid] = s;
    }
    return s;
  }

  // ---- where the thread is (for reports) ----

  setOp(tid: number, kind: string): void {
    const s = this.state(tid);
    if (s.kind !== kind) {
      s.kind = kind;
      s.site = -1;
    }
  }

  setPath(tid: number, path: number): void {
    const s = this.state(tid);
    if (s.path !== path) {
      s.path = path;
      s.site = -1;
    }
  }

  private site(s: ThreadState): number {
    if (s.site >= 0) return s.site;
    const key = `${s.kind}\u0000${s.path}`;
    let id = this.siteIds.get(key);
    if (id === undefined) {
      id = this.sites.push({ kind: s.kind, path: s.path }) - 1;
      this.siteIds.set(key, id);
    }
    s.site = id;
    return id;
  }

  // ---- plain and atomic accesses ----

  // ---- annotations (as ThreadSanitizer's): races the real allocator has on purpose ----

  /**
   * Races on [addr, addr+size) are benign by design of the real allocator (ANNOTATE_BENIGN_RACE_SIZED):
   * e.g. glibc's free updating mp_.mmap_threshold without a lock. The model cites the source.
   */
  benign(addr: number, size: number): void {
    for (let g = Math.floor(addr / 8); g * 8 < addr + size; g++) this.benignGranules.add(g);
  }

  /**
   * Plain reads of this thread are not checked until `ignoreReads(tid, false)`
   * (AnnotateIgnoreReadsBegin/End): an unlocked read the real allocator makes on purpose and
   * tolerates a stale value of (glibc's free reading a chunk's size before taking any lock).
   */
  ignoreReads(tid: number, on: boolean): void {
    this.ignoring[tid] = on ? (this.ignoring[tid] as number) | IGNORE_READS : (this.ignoring[tid] as number) & ~IGNORE_READS;
  }

  /**
   * Plain writes of this thread are neither checked nor recorded until `ignoreWrites(tid, false)`
   * (AnnotateIgnoreWritesBegin/End): glibc setting or clearing the PREV_INUSE bit in the size word of
   * a neighbouring chunk that another thread may be using (and reading its size) meanwhile.
   */
  ignoreWrites(tid: number, on: boolean): void {
    this.ignoring[tid] = on ? (this.ignoring[tid] as number) | IGNORE_WRITES : (this.ignoring[tid] as number) & ~IGNORE_WRITES;
  }

  /** A plain load or store of `size` bytes. */
  access(t: RaceThread, addr: number, size: number, origin: number, write: boolean): void {
    if (this.covered[origin] === 0 || ((this.ignoring[t.thread] as number) & (write ? IGNORE_WRITES : IGNORE_READS)) !== 0) return;
    this.bytes(t, addr, size, origin, write, false);
  }

  /** A byte range (touch, fill, copy): every granule it covers. */
  range(t: RaceThread, addr: number, len: number, origin: number, write: boolean): void {
    if (this.covered[origin] === 0 || len <= 0 || ((this.ignoring[t.thread] as number) & (write ? IGNORE_WRITES : IGNORE_READS)) !== 0)
      return;
    this.bytes(t, addr, len, origin, write, false);
  }

  /**
   * An atomic: checked against plain accesses (two atomics never race), then its edges: an acquire
   * load takes the location's release clock; a release store replaces it; a release RMW adds to it
   * (continuing the release sequence), a relaxed RMW leaves it. Relaxed loads remember what they saw
   * for a later acquire fence; relaxed stores publish the last release fence's clock.
   */
  atomic(t: RaceThread, addr: number, size: number, origin: number, kind: number, order: number): void {
    const tid = t.thread;
    const s = this.state(tid);
    if (this.covered[origin] === 1) this.bytes(t, addr, size, origin, kind !== ATOMIC_LOAD, true);
    const loc = this.locations.get(addr);
    if (kind !== ATOMIC_STORE && loc !== undefined) {
      if (acquires(order)) join(s.vc, loc);
      else join((s.pendingAcq ??= []), loc);
    }
    if (kind === ATOMIC_LOAD) return;
    if (releases(order)) {
      if (kind === ATOMIC_RMW && loc !== undefined) join(loc, s.vc);
      else this.locations.set(addr, copy(s.vc));
      s.vc[tid] = (s.vc[tid] as number) + 1;
    } else if (s.fenceRel !== null) {
      if (kind === ATOMIC_RMW && loc !== undefined) join(loc, s.fenceRel);
      else this.locations.set(addr, copy(s.fenceRel));
    } else if (kind === ATOMIC_STORE) {
      this.locations.delete(addr);
    }
  }

  /** A CAS: an RMW when it succeeds, a load with the failure order when it does not. */
  cas(t: RaceThread, addr: number, size: number, origin: number, order: number, ok: boolean): void {
    if (ok) this.atomic(t, addr, size, origin, ATOMIC_RMW, order);
    else this.atomic(t, addr, size, origin, ATOMIC_LOAD, failureOrder(order));
  }

  /** atomic_thread_fence(order). */
  fence(tid: number, order: number): void {
    const s = this.state(tid);
    if (acquires(order) && s.pendingAcq !== null) {
      join(s.vc, s.pendingAcq);
      s.pendingAcq = null;
    }
    if (releases(order)) {
      s.fenceRel = copy(s.vc);
      s.vc[tid] = (s.vc[tid] as number) + 1;
    }
  }

  // ---- synchronisation the caller knows of ----

  /**
   * A release into a sync object the caller keeps (a message, a barrier, a handed-over block): the
   * clock to give to `acquire`; joined into `into` (and returned) when given.
   */
  release(tid: number, into?: VectorClock): VectorClock {
    const s = this.state(tid);
    let c: VectorClock;
    if (into === undefined) c = copy(s.vc);
    else {
      join(into, s.vc);
      c = into;
    }
    s.vc[tid] = (s.vc[tid] as number) + 1;
    return c;
  }

  /** An acquire of what a `release` gave. */
  acquire(tid: number, c: VectorClock): void {
    join(this.state(tid).vc, c);
  }

  /** `parent` starts `child`: everything the parent did so far happens before the child. */
  fork(parent: number, child: number): void {
    this.acquire(child, this.release(parent));
  }

  /** `parent` joins `child`: everything the child did happens before what the parent does next. */
  joined(parent: number, child: number): void {
    this.acquire(parent, this.release(child));
  }

  /** The simulated page is gone (its contents too): forget its accesses. */
  forgetPage(vpn: number): void {
    this.shadow.forget(vpn);
  }

  // ---- the check ----

  private bytes(t: RaceThread, addr: number, len: number, origin: number, write: boolean, atomic: boolean): void {
    const s = this.state(t.thread);
    const site = this.site(s);
    const end = addr + len;
    let a = addr;
    while (a < end) {
      const g0 = Math.floor(a / 8) * 8;
      const hi = Math.min(end, g0 + 8);
      const mask = ((1 << (hi - g0)) - 1) & ~((1 << (a - g0)) - 1);
      const p = this.shadow.page(Math.floor(g0 / PAGE));
      this.granule(t, s, site, p, (g0 & (PAGE - 1)) >> 3, g0, mask, origin, write, atomic);
      a = hi;
    }
  }

  private granule(
    t: RaceThread,
    s: ThreadState,
    site: number,
    p: ShadowPage,
    g: number,
    base: number,
    m: number,
    origin: number,
    write: boolean,
    atomic: boolean,
  ): void {
    const tid = t.thread;
    const vc = s.vc;
    const we = p.wE[g] as number;
    if (we !== 0 && epochTid(we) !== tid && ((p.wM[g] as number) & m) !== 0 && !(atomic && p.wA[g] === 1) && !before(we, vc)) {
      this.found(t, base, m & (p.wM[g] as number), origin, write, atomic, we, true, p.wA[g] === 1, p.wS[g] as number);
    }
    const re = p.rE[g] as number;
    const now = epoch(vc[tid] as number, tid);
    if (write) {
      if (re > 0) {
        if (epochTid(re) !== tid && ((p.rM[g] as number) & m) !== 0 && !(atomic && p.rA[g] === 1) && !before(re, vc)) {
          this.found(t, base, m & (p.rM[g] as number), origin, write, atomic, re, false, p.rA[g] === 1, p.rS[g] as number);
        }
      } else if (re < 0) {
        const i = -re - 1;
        const r = this.shadow.shared[i] as NonNullable<(typeof this.shadow.shared)[number]>;
        for (let u = 0; u < r.clock.length; u++) {
          const c = r.clock[u] ?? 0;
          if (u === tid || c === 0 || c <= (vc[u] ?? 0) || ((r.mask[u] as number) & m) === 0 || (atomic && r.atomic[u] === 1)) continue;
          this.found(t, base, m & (r.mask[u] as number), origin, write, atomic, epoch(c, u), false, r.atomic[u] === 1, r.site[u] as number);
        }
        this.shadow.release(i);
      }
      p.rE[g] = 0;
      if (we === now) {
        p.wM[g]! |= m;
        if (!atomic) p.wA[g] = 0;
      } else {
        p.wE[g] = now;
        p.wM[g] = m;
        p.wA[g] = atomic ? 1 : 0;
      }
      p.wS[g] = site;
      return;
    }
    if (re === now) {
      p.rM[g]! |= m;
      if (!atomic) p.rA[g] = 0;
      p.rS[g] = site;
    } else if (re === 0 || (re > 0 && before(re, vc))) {
      p.rE[g] = now;
      p.rM[g] = m;
      p.rA[g] = atomic ? 1 : 0;
      p.rS[g] = site;
    } else if (re > 0) {
      const i = this.shadow.newShared();
      const r = this.shadow.shared[i] as NonNullable<(typeof this.shadow.shared)[number]>;
      const u = epochTid(re);
      r.clock[u] = epochClock(re);
      r.mask[u] = p.rM[g] as number;
      r.atomic[u] = p.rA[g] as number;
      r.site[u] = p.rS[g] as number;
      this.setShared(r, tid, vc[tid] as number, m, atomic, site);
      p.rE[g] = -(i + 1);
    } else {
      this.setShared(
        this.shadow.shared[-re - 1] as NonNullable<(typeof this.shadow.shared)[number]>,
        tid,
        vc[tid] as number,
        m,
        atomic,
        site,
      );
    }
  }

  private setShared(
    r: { clock: number[]; mask: number[]; atomic: number[]; site: number[] },
    tid: number,
    clock: number,
    m: number,
    atomic: boolean,
    site: number,
  ): void {
    for (let u = r.clock.length; u < tid; u++) r.clock[u] = 0;
    if (r.clock[tid] === clock) {
      r.mask[tid] = (r.mask[tid] as number) | m;
      if (!atomic) r.atomic[tid] = 0;
    } else {
      r.clock[tid] = clock;
      r.mask[tid] = m;
      r.atomic[tid] = atomic ? 1 : 0;
    }
    r.site[tid] = site;
  }

  private found(
    t: RaceThread,
    base: number,
    common: number,
    origin: number,
    write: boolean,
    atomic: boolean,
    prev: number,
    prevWrite: boolean,
    prevAtomic: boolean,
    prevSite: number,
  ): void {
    if (this.benignGranules.has(base / 8)) return;
    this.races++;
    const cur = this.state(t.thread);
    const curSite = this.site(cur);
    const key = `${prevSite}/${prevWrite}/${curSite}/${write}`;
    if (this.seen.has(key) || this.reports.length >= this.maxReports) return;
    this.seen.add(key);
    let first = 0;
    while (((common >> first) & 1) === 0 && first < 7) first++;
    const ps = this.sites[prevSite] ?? { kind: '', path: -1 };
    this.reports.push({
      address: base + first,
      origin,
      current: { thread: t.thread, write, atomic, op: t.op, path: this.pathNames[cur.path] ?? '' },
      previous: { thread: epochTid(prev), write: prevWrite, atomic: prevAtomic, op: ps.kind, path: this.pathNames[ps.path] ?? '' },
    });
  }
}
