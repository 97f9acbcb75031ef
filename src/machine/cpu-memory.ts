/**
 * Plain memory through a thread's core: address translation (page faults), loads and stores
 * charged to the cache hierarchy and timed by the core model (core-timing.ts), and software
 * prefetch. cpu-ranges.ts adds byte ranges (touch, fill, copy), cpu-atomics.ts atomics and locks,
 * the Cpu (cpu.ts) OS calls.
 *
 * Every access does what it says functionally at once (values are stored and read back in program
 * order, and the caches and coherence state change in that order); the core model decides only
 * when the thread can go on.
 */
import * as AS from './page-table.ts';
import type { AddressSpace } from './address-space.ts';
import * as H from './cache-hierarchy.ts';
import type { CacheHierarchy, Clock } from './cache-hierarchy.ts';
import { lineKey } from './cache-level.ts';
import { CoreTiming } from './core-timing.ts';
import * as K from './sizes.ts';
import type { Costs } from './machine-spec.ts';
import * as D from './directory.ts';
import { MachineFault, RunawayOperation } from './fault.ts';
import { StreamPrefetcher } from './stream-prefetcher.ts';
import type { OpName } from './op-text.ts';
import type { Machine } from './machine.ts';
import { ATOMIC_LOAD, ATOMIC_STORE, type RaceDetector } from './race/detector.ts';
import { NOT_ATOMIC } from './memory-order.ts';
import { readValue, writeValue, type AccessSize } from './value-codec.ts';

// The constants of the access path, bound to this module's own names: an imported binding is live,
// so V8 reloads and re-checks it at every use in optimized code instead of folding it in (which
// also keeps `addr / PAGE_SIZE` a division); a module's own constants are folded.
const PAGE_SIZE = K.PAGE_SIZE;
const LINE_SIZE = K.LINE_SIZE;
const LINES_PER_PAGE = D.LINES_PER_PAGE;
const PAGE_RESIDENT = AS.PAGE_RESIDENT;
const PROT_READ = AS.PROT_READ;
const PROT_WRITE = AS.PROT_WRITE;
const ORIGIN_META = H.ORIGIN_META;

/** L2 prefetches remembered as in flight (a ring). */
const PF_RING = 64;
const TLB_BITS = 8;
const TLB_ENTRIES = 1 << TLB_BITS;

/**
 * Translation-cache entry of a page number: its bytes folded together. Indexing by the low bits
 * alone made the hot pages of real layouts collide (the brk heap, the libc data page, the TLS
 * block and mmap regions all start at addresses aligned to large powers of two); folding keeps
 * consecutive pages in distinct entries.
 */
function tlbIndex(vpn: number): number {
  const lo = vpn | 0;
  return (lo ^ (lo >>> 8) ^ (lo >>> 16) ^ (lo >>> 24) ^ ((vpn / 4294967296) | 0)) & (TLB_ENTRIES - 1);
}

export class CpuMemory extends CoreTiming {
  private opText = '';
  private opName: OpName | null = null;
  private opA = 0;
  private opB = 0;
  /** High 32 bits of the last `...64` result. */
  hi = 0;
  /**
   * Memory accesses the operation under way may still make; below zero it is runaway (a cycle in a
   * free list) and throws RunawayOperation. The driver arms it per allocator call; Infinity = no limit.
   */
  accessBudget = Infinity;
  /** The data-race detector (race/detector.ts) when the run has one: every access is reported to it. */
  race: RaceDetector | null;
  // A small direct-mapped translation cache (page -> page slot, see tlbIndex), valid while the
  // address space's epoch is unchanged. It spares the page-table lookup; it is not a TLB model
  // (no cost, no misses).
  private readonly tlbVpn = new Float64Array(TLB_ENTRIES).fill(-1);
  private readonly tlbSlot = new Int32Array(TLB_ENTRIES);
  private readonly tlbWrite = new Uint8Array(TLB_ENTRIES);
  /** The address space's epoch the entries were made under; a change empties the cache. */
  private tlbEpoch = -1;
  protected readonly as: AddressSpace;
  protected readonly hier: CacheHierarchy;
  protected readonly costs: Costs;
  /** The clock a buffered store's RFO runs on (its issue, not the thread's dispatch clock). */
  private readonly rfoClock: Clock = { now: 0 };
  /** The write time the hierarchy recorded for the last storeLine (see settleWrite). */
  protected noted = 0;
  private readonly streamer: StreamPrefetcher | null;
  private readonly l2Hit: number;
  // L2 prefetches in flight (a ring): the line's directory slot and when it arrives in L2.
  private readonly pfLine = new Int32Array(PF_RING).fill(-1);
  private readonly pfReady = new Float64Array(PF_RING);
  private pfNext = 0;
  private pfMax = 0;

  constructor(
    readonly machine: Machine,
    readonly thread: number,
    readonly core: number,
  ) {
    super(machine.spec.core, machine.spec.costs.l1Hit, machine.coreStats);
    this.as = machine.as;
    this.race = machine.race;
    this.hier = machine.hier;
    this.costs = machine.spec.costs;
    this.l2Hit = machine.spec.costs.l2Hit;
    const d = machine.spec.core.streamerDistance;
    this.streamer = d > 0 ? new StreamPrefetcher(d) : null;
  }

  /** Name of the operation under way, for fault reports (e.g. "free(0x7f...)"), formatted on demand. */
  get op(): string {
    if (this.opName !== null) {
      this.opText = this.opName.text(this.opA, this.opB);
      this.opName = null;
    }
    return this.opText;
  }

  set op(text: string) {
    this.opText = text;
    this.opName = null;
    if (this.race !== null) this.race.setOp(this.thread, text.replace(/\(.*$/, ''));
  }

  /**
   * Names the operation under way without building its text (that happens only if a fault report
   * needs it): `op` with its arguments, e.g. an allocator operation (allocators/kit/operations.ts).
   */
  setOp(op: OpName, a = 0, b = 0): void {
    this.opName = op;
    this.opA = a;
    this.opB = b;
    if (this.race !== null) this.race.setOp(this.thread, op.name);
  }

  // ---- translation ----

  protected page(addr: number, write: boolean): number {
    const vpn = Math.floor(addr / PAGE_SIZE);
    const i = tlbIndex(vpn);
    if (this.tlbVpn[i] === vpn && this.tlbEpoch === this.as.epoch && (this.tlbWrite[i] === 1 || !write)) return this.tlbSlot[i] as number;
    return this.pageSlow(addr, vpn, write);
  }

  private pageSlow(addr: number, vpn: number, write: boolean): number {
    const as = this.as;
    const cost = as.fault(vpn, write);
    if (cost < 0) throw new MachineFault(cost === -1 ? 'unmapped' : 'protection', addr, this.thread, this.op);
    if (cost > 0) {
      // A fault is taken in program order: what came before completes first.
      this.serialize();
      this.now += cost;
    }
    const s = as.faultSlot;
    const i = tlbIndex(vpn);
    if (this.tlbEpoch !== as.epoch) {
      this.tlbVpn.fill(-1);
      this.tlbEpoch = as.epoch;
    }
    this.tlbVpn[i] = vpn;
    this.tlbSlot[i] = s;
    this.tlbWrite[i] = as.pstate[s] === PAGE_RESIDENT && ((as.pprot[s] as number) & PROT_WRITE) !== 0 ? 1 : 0;
    return s;
  }

  /** Stops an operation that has spent its access budget. */
  protected runaway(): never {
    this.accessBudget = Infinity;
    throw new RunawayOperation(this.op, this.thread);
  }

  /** Directory slot of the line holding `addr`, whose page is in slot `s`. */
  protected static lineSlot(addr: number, s: number): number {
    return s * LINES_PER_PAGE + ((addr & (PAGE_SIZE - 1)) >> 6);
  }

  /** Directory slot of the second line of an access of `size` bytes at `addr` that straddles two. */
  private nextLineSlot(addr: number, s: number, size: number, write: boolean): number {
    const li = (addr & (PAGE_SIZE - 1)) >> 6;
    return li < LINES_PER_PAGE - 1 ? s * LINES_PER_PAGE + li + 1 : this.page(addr + size - 1, write) * LINES_PER_PAGE;
  }

  // ---- timed line accesses ----

  /** The load of one line (key, directory slot) issued at `t`; returns when its data is ready. */
  protected loadLine(t: number, key: number, ds: number, origin: number): number {
    const lat = this.hier.access(this.core, key, ds, false, origin, this);
    if (lat <= this.l1Hit) return this.hitDone(t, ds);
    const start = this.fillStart(t);
    let done = start + lat;
    if (lat === this.l2Hit && this.pfMax > start) done = this.prefetchArrival(ds, done);
    this.takeFill(ds, start, done, false);
    if (this.streamer !== null) this.stream(t, key, ds, origin);
    return done;
  }

  /** A demand miss that hit L2 on a line the streamer is still bringing in completes when it arrives. */
  private prefetchArrival(ds: number, done: number): number {
    for (let i = 0; i < PF_RING; i++) {
      if (this.pfLine[i] === ds) {
        const r = (this.pfReady[i] as number) + this.l2Hit;
        return r > done ? r : done;
      }
    }
    return done;
  }

  /** The L1 miss on line (key, slot `ds`) at `t`, seen by the L2 streamer: fetch what it asks for into L2. */
  private stream(t: number, key: number, ds: number, origin: number): void {
    const st = this.streamer as StreamPrefetcher;
    const li = ds & (LINES_PER_PAGE - 1);
    const ps = ds - li;
    st.miss(ps, li);
    for (let k = 0; k < st.count; k++) {
      const n = st.lines[k] as number;
      const lat = this.hier.prefetchL2(this.core, key + (n - li), ps + n, origin, t);
      if (lat > 0) {
        const i = this.pfNext;
        this.pfLine[i] = ps + n;
        this.pfReady[i] = t + lat;
        this.pfNext = (i + 1) & (PF_RING - 1);
        if (t + lat > this.pfMax) this.pfMax = t + lat;
      }
    }
  }

  /**
   * A store's line, its RFO issued at `t`: an L1 hit on a writable line is ready at `t`; otherwise
   * the RFO takes a fill buffer. Returns when the line is owned. The write the hierarchy records
   * (last writer and time, at `noted`) is moved to the store's commit by settleWrite.
   */
  protected storeLine(t: number, key: number, ds: number, origin: number): number {
    const clock = this.rfoClock;
    clock.now = t;
    const lat = this.hier.access(this.core, key, ds, true, origin, clock);
    // A store that hits a writable line (or takes an exclusive one silently) records no write
    // another core could have seen: nothing to settle.
    this.noted = lat <= this.l1Hit ? -1 : t + lat;
    if (lat <= this.l1Hit) return t;
    const start = this.fillStart(t);
    const done = start + lat;
    this.takeFill(ds, start, done, true);
    return done;
  }

  /** Coherence takes effect when a store commits: a write the hierarchy recorded at `noted` moves to `commit`. */
  protected settleWrite(ds: number, noted: number, commit: number): void {
    if (noted < 0) return;
    const dir = this.hier.dir;
    if (commit !== noted && dir.lastWriter(ds) === this.core && dir.lastWriteTime(ds) === noted) dir.noteWrite(ds, this.core, commit);
  }

  /** Loads `size` bytes at `addr` (page slot `s`) from the hierarchy: returns when the value is ready. */
  private timedLoad(addr: number, s: number, size: number, origin: number): number {
    if (--this.accessBudget < 0) this.runaway();
    const t = this.beginLoad(addr);
    let done = this.loadLine(t, lineKey(addr), CpuMemory.lineSlot(addr, s), origin);
    if ((addr & (LINE_SIZE - 1)) + size > LINE_SIZE) {
      const d2 = this.loadLine(t, lineKey(addr + size - 1), this.nextLineSlot(addr, s, size, false), origin);
      if (d2 > done) done = d2;
    }
    return done;
  }

  /** Places a store of `value` (`size` bytes at `addr`, page slot `s`) in the store buffer. */
  private timedStore(addr: number, s: number, size: number, value: number, origin: number): void {
    if (--this.accessBudget < 0) this.runaway();
    const t = this.beginStore(addr);
    const ds = CpuMemory.lineSlot(addr, s);
    const rfo = this.storeLine(t, lineKey(addr), ds, origin);
    const noted = this.noted;
    if ((addr & (LINE_SIZE - 1)) + size > LINE_SIZE) {
      const ds2 = this.nextLineSlot(addr, s, size, true);
      const rfo2 = this.storeLine(t, lineKey(addr + size - 1), ds2, origin);
      const c = this.commit(rfo > rfo2 ? rfo : rfo2, this.valueReady(value));
      this.settleWrite(ds, noted, c);
      this.settleWrite(ds2, this.noted, c);
      return;
    }
    this.settleWrite(ds, noted, this.commit(rfo, this.valueReady(value)));
  }

  // ---- plain memory ----

  /**
   * Reads `size` bytes at `addr` (default a word, as allocator metadata). `order`, when given, says
   * the real source's load is atomic (atomic_load_relaxed, or acquire: a plain move on x86) for the
   * race detector; unlike atomicLoad it is not the read a later CAS is checked against.
   */
  load(addr: number, size: AccessSize = 8, origin: number = ORIGIN_META, order: number = NOT_ATOMIC): number {
    const s = this.page(addr, false);
    if (this.race !== null) this.raceAccess(addr, size, origin, false, order);
    const done = this.timedLoad(addr, s, size, origin);
    const v = (addr & (PAGE_SIZE - 1)) + size > PAGE_SIZE ? this.machine.peek(addr, size) : readValue(this.as, s, addr, size);
    this.retireLoad(done, v);
    return v;
  }

  /**
   * Writes `value` (an integer) as `size` bytes at `addr`. `order`, when given, says the real
   * source's store is atomic (relaxed or release: a plain move on x86), for the race detector.
   */
  store(addr: number, value: number, size: AccessSize = 8, origin: number = ORIGIN_META, order: number = NOT_ATOMIC): void {
    if (!Number.isSafeInteger(value)) throw new TypeError(`store of non-integer ${value} at 0x${addr.toString(16)}`);
    const s = this.page(addr, true);
    if (this.race !== null) this.raceAccess(addr, size, origin, true, order);
    this.timedStore(addr, s, size, value, origin);
    if ((addr & (PAGE_SIZE - 1)) + size > PAGE_SIZE) {
      this.machine.poke(addr, value, size);
      return;
    }
    writeValue(this.as, s, addr, value, size);
  }

  /** A plain or (with `order`) atomic access, told to the race detector. */
  private raceAccess(addr: number, size: number, origin: number, write: boolean, order: number): void {
    const r = this.race as RaceDetector;
    if (order === NOT_ATOMIC) r.access(this, addr, size, origin, write);
    else r.atomic(this, addr, size, origin, write ? ATOMIC_STORE : ATOMIC_LOAD, order);
  }

  /** Reads both 32-bit halves of the 64-bit word at `addr`: returns the low half, sets `hi`. `order` as for load. */
  load64(addr: number, origin: number = ORIGIN_META, order: number = NOT_ATOMIC): number {
    const s = this.page(addr, false);
    if (this.race !== null) this.raceAccess(addr, 8, origin, false, order);
    const done = this.timedLoad(addr, s, 8, origin);
    const d = this.as.pdata32[s];
    const i = (addr & (PAGE_SIZE - 1)) >> 2;
    this.hi = d == null ? 0 : (d[i + 1] as number);
    const lo = d == null ? 0 : (d[i] as number);
    this.retireLoad(done, lo);
    return lo;
  }

  /** Writes a 64-bit word given as two unsigned 32-bit halves. `order` as for store. */
  store64(addr: number, lo: number, hi: number, origin: number = ORIGIN_META, order: number = NOT_ATOMIC): void {
    const s = this.page(addr, true);
    if (this.race !== null) this.raceAccess(addr, 8, origin, true, order);
    this.timedStore(addr, s, 8, 0, origin);
    const d = this.as.words(s);
    const i = (addr & (PAGE_SIZE - 1)) >> 2;
    d[i] = lo;
    d[i + 1] = hi;
  }

  /**
   * A software prefetch (`__builtin_prefetch`): the line is fetched into this core's caches now (a
   * miss or transfer is counted and coherence state changes, for writes the line is taken
   * exclusively) in a fill buffer; the thread does not wait for it, but a later load of the line
   * waits for the fill to arrive. Like the hardware instruction it never faults: a prefetch of a
   * page that is not resident, or not accessible, is dropped.
   */
  prefetch(addr: number, write = false, origin: number = ORIGIN_META): void {
    const s = this.as.pages.get(Math.floor(addr / PAGE_SIZE));
    if (s < 0 || (this.as.pstate[s] as number) < PAGE_RESIDENT) return;
    if (((this.as.pprot[s] as number) & (write ? PROT_WRITE : PROT_READ)) === 0) return;
    const t = this.beginLoad(addr);
    const ds = CpuMemory.lineSlot(addr, s);
    const dir = this.hier.dir;
    // A write prefetch of a line this core already holds shared only upgrades it: its data is there at once.
    const held = write && dir.has(dir.sharers, ds, this.core);
    const lat = this.hier.access(this.core, lineKey(addr), ds, write, origin, this);
    if (lat > this.l1Hit) {
      const start = this.fillStart(t);
      this.takeFill(ds, start, start + lat, false, held ? start + this.l2Hit : start + lat);
      // A software prefetch's miss is an L2 request like a load's: the streamer sees it too.
      if (this.streamer !== null) this.stream(t, lineKey(addr), ds, origin);
    }
  }
}
