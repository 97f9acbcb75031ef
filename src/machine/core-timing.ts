/**
 * How one thread's clock advances: an out-of-order core seen as an interval model (Genbrugge,
 * Eyerman and Eeckhout, HPCA 2010; the core model of the Sniper simulator), with a TSO store buffer
 * (Sewell et al., CACM 2010). docs/machine.md ("The core") states the rules and their error.
 *
 * `now` is the dispatch clock: when the thread's next instruction enters the window. Every
 * instruction takes issue bandwidth (a load 1/loadsPerCycle cycle, a store 1/storesPerCycle, a
 * `work` unit 1/issueWidth). A load's latency is not added to `now`; it sets the load's completion
 * time, which is waited for only when
 * - a later access's address comes from the load's value (pointer chasing: the address lies within
 *   [value - 64, value + 4096), or a model said so with `derive`), or a model `use`s the value;
 * - the reorder buffer fills: dispatch runs at most `rob` instructions past the oldest unfinished
 *   load (instructions retire in order, so each load retires at the latest completion so far);
 * - a serialising event comes: a locked read-modify-write, a fence, a system call, a page fault.
 * Misses take an L1 fill buffer; with all `fillBuffers` busy a new miss starts when one frees, so
 * independent misses overlap up to that many. A load of a line already in flight completes with
 * that fill (or at once, forwarded, if the line has a store pending).
 *
 * Stores retire into a FIFO of `storeBuffer` entries and commit to L1 in order, at most
 * storesPerCycle per cycle, each no earlier than its line's RFO completes (RFOs take fill buffers
 * and overlap, as on real cores: a stream of store misses runs at many stores per miss latency), than
 * its data and than the loads before it. Dispatch stalls only when the buffer is full.
 */
import type { CoreSpec } from './machine-spec.ts';
import * as S from './core-stats.ts';
import { FillIntervals } from './fill-intervals.ts';
import { StoreBuffer } from './store-buffer.ts';

// Module constants (folded by V8; an imported binding is reloaded at every use).
const PV = 16;
/** Size of the direct-mapped index from a line's directory slot to its fill-buffer record. */
const FB_INDEX = 4096;
const PV_MASK = PV - 1;
const PV_ALL = (1 << PV) - 1;
const ROB_RING = 128;
/** Values at or above this are pointers (every address of the layout is above 2^46). */
const POINTER_MIN = 4294967296;
/** An address depends on a pending pointer when it lies in [pointer - DEP_BELOW, pointer + DEP_ABOVE). */
const DEP_BELOW = 64;
const DEP_ABOVE = 4096;
const { K_ROB_STALL, K_STORE_BUFFER_STALL, K_DRAIN_STALL, K_FILL_BUFFER_WAIT, K_INSTRUCTIONS } = S;

export class CoreTiming {
  /** This thread's clock, in cycles: when its next instruction dispatches. */
  now = 0;
  /** Completion time of the last load (its value's ready time), and its value. */
  protected lastLoadDone = 0;
  private lastLoadValue = 0;
  /** Instructions dispatched so far. */
  private instr = 0;
  /** The latest completion of any load dispatched so far: everything before retires by then. */
  private retireAt = 0;
  // Loads that raised retireAt, oldest first (a ring): their instruction number and completion.
  private readonly robInstr = new Float64Array(ROB_RING);
  private readonly robDone = new Float64Array(ROB_RING);
  private robHead = 0;
  private robLen = 0;
  // Fill buffers: the interval each is busy [fbStart, fbFree), which line (directory slot) it fills,
  // and whether for a store's RFO. A miss whose address waits for a long dependence chain holds its
  // buffer only from when it issues, so intervals are kept, not just an end.
  private readonly fbStart: Float64Array;
  private readonly fbFree: Float64Array;
  /** When the line's data is there for a load (earlier than fbFree for an ownership upgrade of a line already held shared). */
  private readonly fbData: Float64Array;
  private readonly fbLine: Int32Array;
  private readonly fbStore: Uint8Array;
  /** The record that last took each line (by slot modulo FB_INDEX): a hint, checked against the record's line. */
  private readonly fbIndex = new Int32Array(FB_INDEX).fill(-1);
  /** The records' intervals [fbStart, fbFree), sorted, for fillStart. */
  private readonly inFlight: FillIntervals;
  private fbMax = 0;
  private fbSlot = 0;
  // Pending pointer values (a ring): the value and when it is ready.
  private readonly pvVal = new Float64Array(PV);
  private readonly pvDone = new Float64Array(PV);
  private pvNext = 0;
  private pvMax = 0;
  /**
   * The entries that may still be pending, a bit each: set when recorded, cleared when depReady
   * finds one done by the clock it looked at (pvSeen, the latest such clock). The clock does not
   * run backwards in a run, but a test or a model may set it: a clock below pvSeen sets every bit
   * again, so the scan sees what a scan of all PV entries would.
   */
  private pvLive = 0;
  private pvSeen = 0;
  /**
   * Bounds of the values that may still be pending at any time from pvFrom on: every value recorded
   * since pvFrom, when all earlier ones were done. An access at or after pvFrom to an address
   * outside [pvLo - DEP_BELOW, pvHi + DEP_ABOVE) depends on none (the scan would find none).
   */
  private pvLo = 0;
  private pvHi = 0;
  private pvFrom = Infinity;
  protected readonly sb: StoreBuffer;
  private readonly loadSlot: number;
  private readonly storeSlot: number;
  private readonly aluSlot: number;
  private readonly rob: number;
  private readonly fillBuffers: number;
  protected readonly l1Hit: number;
  private readonly stats: Float64Array;

  constructor(core: CoreSpec, l1Hit: number, stats: Float64Array) {
    this.loadSlot = 1 / core.loadsPerCycle;
    this.storeSlot = 1 / core.storesPerCycle;
    this.aluSlot = 1 / core.issueWidth;
    this.rob = core.rob;
    this.l1Hit = l1Hit;
    this.fillBuffers = core.fillBuffers;
    // Room for every buffer's miss and every store's RFO waiting for one.
    const records = core.fillBuffers + core.storeBuffer;
    this.fbStart = new Float64Array(records);
    this.fbFree = new Float64Array(records);
    this.fbData = new Float64Array(records);
    this.fbLine = new Int32Array(records).fill(-1);
    this.fbStore = new Uint8Array(records);
    this.inFlight = new FillIntervals(records);
    this.sb = new StoreBuffer(core.storeBuffer, core.storesPerCycle);
    this.stats = stats;
  }

  // ---- dispatch ----

  /**
   * Dispatches one load (or prefetch) of `addr` and returns when it issues: when its address is
   * known (see depReady).
   */
  protected beginLoad(addr: number): number {
    if (this.robLen > 0) this.robCheck(1);
    const t = this.depReady(addr);
    this.now += this.loadSlot;
    this.instr++;
    return t;
  }

  /** Dispatches one store to `addr`: waits for a store-buffer entry; returns when it issues. */
  protected beginStore(addr: number): number {
    const free = this.sb.freeAt(this.now);
    if (free > this.now) {
      this.stats[K_STORE_BUFFER_STALL]! += free - this.now;
      this.now = free;
    }
    if (this.robLen > 0) this.robCheck(1);
    const t = this.depReady(addr);
    this.now += this.storeSlot;
    this.instr++;
    return t;
  }

  /** Dispatching `n` more instructions: stall while the oldest unfinished load would leave the window. */
  private robCheck(n: number): void {
    while (this.robLen > 0) {
      const h = this.robHead;
      const d = this.robDone[h] as number;
      if (d > this.now) {
        if ((this.robInstr[h] as number) + this.rob > this.instr + n) return;
        this.stats[K_ROB_STALL]! += d - this.now;
        this.now = d;
      }
      this.robHead = (h + 1) & (ROB_RING - 1);
      this.robLen--;
    }
  }

  /** `units` of non-memory work (roughly simple instructions) at issueWidth per cycle. */
  work(units: number): void {
    let n = units;
    while (n > 0 && this.robLen > 0) {
      const h = this.robHead;
      const d = this.robDone[h] as number;
      if (d > this.now) {
        const room = (this.robInstr[h] as number) + this.rob - this.instr;
        if (room >= n) break;
        // The window fills part way through this work: dispatch up to there, then wait.
        const k = room > 0 ? room : 0;
        this.now += k * this.aluSlot;
        this.instr += k;
        this.stats[K_INSTRUCTIONS]! += k;
        n -= k;
        if (d > this.now) {
          this.stats[K_ROB_STALL]! += d - this.now;
          this.now = d;
        }
      }
      this.robHead = (h + 1) & (ROB_RING - 1);
      this.robLen--;
    }
    this.now += n * this.aluSlot;
    this.instr += n;
    this.stats[K_INSTRUCTIONS]! += n;
  }

  // ---- completion ----

  /** Completion of a load issued at `t` whose line (slot `ds`) hit in L1. */
  protected hitDone(t: number, ds: number): number {
    const d = t + this.l1Hit;
    if (this.fbMax <= t) return d;
    // The line may still be arriving: a hit under a miss waits for the fill, unless a store of
    // this thread is pending on the line (forwarded from the store buffer).
    const i = this.fbIndex[ds & (FB_INDEX - 1)] as number;
    if (i < 0 || this.fbLine[i] !== ds || (this.fbFree[i] as number) <= t) return d;
    if (this.fbStore[i] === 1) return d;
    const fd = this.fbData[i] as number;
    return fd > d ? fd : d;
  }

  /**
   * When a miss at `t` can start: at `t` if fewer than `fillBuffers` misses are in flight then,
   * else when the first of them completes. Misses are kept as intervals (one record per buffer and
   * per store-buffer entry), since a miss whose address waits for a dependence chain issues later than misses
   * dispatched after it. Remembers the record to fill for takeFill.
   */
  protected fillStart(t: number): number {
    const free = this.fbFree;
    // Every later miss issues at or after `t` (a line of this access) or `now` (a later access).
    const inFlight = this.inFlight;
    inFlight.raiseFloor(t < this.now ? t : this.now);
    // Nothing in flight (every record done by `t`): the last record, at once.
    if (this.fbMax <= t) {
      this.fbSlot = free.length - 1;
      return t;
    }
    // The record to reuse: the last one done by `t`, else the first of those that free soonest.
    this.fbSlot = inFlight.choose(t);
    const s = inFlight.firstBelow(t, this.fillBuffers);
    if (s > t) this.stats[K_FILL_BUFFER_WAIT]! += s - t;
    return s;
  }

  /**
   * Occupies the fill buffer fillStart chose from `start` until `done`, for the line in slot `ds`,
   * whose data a load can use from `data` (default `done`).
   */
  protected takeFill(ds: number, start: number, done: number, store: boolean, data = done): void {
    const i = this.fbSlot;
    this.inFlight.replace(i, this.fbStart[i] as number, this.fbFree[i] as number, start, done);
    this.fbStart[i] = start;
    this.fbFree[i] = done;
    this.fbData[i] = data;
    this.fbIndex[ds & (FB_INDEX - 1)] = i;
    this.fbLine[i] = ds;
    this.fbStore[i] = store ? 1 : 0;
    if (done > this.fbMax) this.fbMax = done;
  }

  /** A load completing at `done` with value `value` retires: track it for the window and for dependences. */
  protected retireLoad(done: number, value: number): void {
    this.lastLoadDone = done;
    this.lastLoadValue = value;
    this.stats[K_INSTRUCTIONS]!++;
    if (done > this.retireAt) {
      this.retireAt = done;
      if (done > this.now) this.robPush(done);
    }
    if (value >= POINTER_MIN && done > this.now) this.pending(value, done);
  }

  private robPush(done: number): void {
    if (this.robLen === ROB_RING) {
      // Full: fold into the newest entry (its instruction is earlier, so this only stalls sooner).
      this.robDone[(this.robHead + ROB_RING - 1) & (ROB_RING - 1)] = done;
      return;
    }
    const i = (this.robHead + this.robLen) & (ROB_RING - 1);
    this.robInstr[i] = this.instr;
    this.robDone[i] = done;
    this.robLen++;
  }

  /**
   * Places a store whose line is ready at `rfoDone` and whose data is ready at `dataReady` in the
   * store buffer; returns its commit time.
   */
  protected commit(rfoDone: number, dataReady: number): number {
    this.stats[K_INSTRUCTIONS]!++;
    let ready = rfoDone > dataReady ? rfoDone : dataReady;
    if (ready < this.retireAt) ready = this.retireAt;
    return this.sb.push(ready);
  }

  /**
   * Waits until every earlier load has completed and the store buffer has drained: what a locked
   * read-modify-write, a fence, a system call, a fault or a thread's exit does.
   */
  serialize(): void {
    const d = this.retireAt > this.sb.lastCommit ? this.retireAt : this.sb.lastCommit;
    if (d > this.now) {
      this.stats[K_DRAIN_STALL]! += d - this.now;
      this.now = d;
    }
    this.robLen = 0;
  }

  // ---- dependences ----

  private pending(value: number, done: number): void {
    if (this.pvMax <= this.now) {
      // Every value recorded so far is done by now: the bounds start afresh.
      this.pvLo = value;
      this.pvHi = value;
      this.pvFrom = this.now;
    } else if (value < this.pvLo) this.pvLo = value;
    else if (value > this.pvHi) this.pvHi = value;
    const i = this.pvNext;
    this.pvVal[i] = value;
    this.pvDone[i] = done;
    this.pvLive |= 1 << i;
    this.pvNext = (i + 1) & PV_MASK;
    if (done > this.pvMax) this.pvMax = done;
  }

  /** When an access to `addr` can issue: now, or later if its address comes from a pending load. */
  private depReady(addr: number): number {
    let t = this.now;
    if (this.pvMax <= t) return t;
    if (t >= this.pvFrom && (addr < this.pvLo - DEP_BELOW || addr >= this.pvHi + DEP_ABOVE)) return t;
    const now = t;
    if (now < this.pvSeen) this.pvLive = PV_ALL;
    this.pvSeen = now;
    let m = this.pvLive;
    let live = m;
    while (m !== 0) {
      const i = 31 - Math.clz32(m & -m);
      m &= m - 1;
      const d = this.pvDone[i] as number;
      if (d > now) {
        if (d > t) {
          const off = addr - (this.pvVal[i] as number);
          if (off >= -DEP_BELOW && off < DEP_ABOVE) t = d;
        }
      } else live &= ~(1 << i);
    }
    this.pvLive = live;
    return t;
  }

  /** When `value` is ready: the completion of a pending load that returned it (0 if none). */
  protected valueReady(value: number): number {
    if (value < POINTER_MIN || this.pvMax <= this.now) return 0;
    let t = 0;
    for (let i = 0; i < PV; i++) {
      if (this.pvVal[i] === value && (this.pvDone[i] as number) > t) t = this.pvDone[i] as number;
    }
    return t;
  }

  /**
   * Tells the core that `to` (an address) was computed from `from` (the last load's value, or a
   * pending pointer) in a way the automatic rule cannot see: decoding an encoded pointer, masking
   * to a chunk or segment base, a table lookup. Accesses to `to` then wait for that load. Returns `to`.
   */
  derive(from: number, to: number): number {
    const r = from === this.lastLoadValue ? this.lastLoadDone : this.valueReady(from);
    if (r > this.now && to >= POINTER_MIN) this.pending(to, r);
    return to;
  }

  /**
   * Waits for the load that returned `value` (the last load, or a pending pointer): for a value the
   * next instructions cannot do without, such as an unpredictable branch on it. Returns `value`.
   */
  use(value: number): number {
    const r = value === this.lastLoadValue ? this.lastLoadDone : this.valueReady(value);
    if (r > this.now) this.now = r;
    return value;
  }
}
