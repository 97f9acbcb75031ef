/**
 * The simulated machine: cores with their caches and coherence, the atomics and lock counters, and
 * one process's address space. `cpu(thread, core)` gives a thread its view of it (cpu.ts).
 */
import { AddressSpace } from './address-space.ts';
import { PAGE_RESIDENT } from './page-table.ts';
import * as A from './atomic-stats.ts';
import { CacheHierarchy } from './cache-hierarchy.ts';
import { lineKey } from './cache-level.ts';
import * as K from './sizes.ts';
import type { MachineSpec } from './machine-spec.ts';
import * as S from './core-stats.ts';
import { Cpu } from './cpu.ts';
import { joinHalves, readValue, toBytes, writeValue } from './value-codec.ts';
import { PathProfile } from './paths.ts';
import { Rng } from '../sim/rng.ts';
import { RaceDetector, type RaceOptions } from './race/detector.ts';
import type { InvariantSink } from './invariant-sink.ts';

// Constants bound to this module's own names: V8 folds those into optimized code, but reloads an
// imported (live) binding at every use (see cpu.ts).
const PAGE_SIZE = K.PAGE_SIZE;

export interface MachineOptions {
  /** Run seed; each thread's entropy stream derives from it. */
  seed?: number;
  /** Reclaim MADV_FREE pages at once (as under memory pressure) instead of leaving them in RSS. */
  reclaimLazyFree?: boolean;
}

/** Stream ids above this are the machine's (threads use their ids as stream ids). */
const MACHINE_STREAM_BASE = 1 << 20;
/** Static data (a program's .data/.bss) sits below the brk heap, as in a PIE executable. */
export const STATIC_BASE = 0x5555_5550_0000;
/** Thread-local storage blocks sit above the mmap area, one 64 KiB slot per thread. */
export const TLS_BASE = 0x7f80_0000_0000;
export const TLS_SIZE = 16 * 1024;
const TLS_STRIDE = 64 * 1024;
const READ_TABLE = 64;

export class Machine {
  readonly hier: CacheHierarchy;
  readonly as: AddressSpace;
  /** Atomic and lock counters, indexed by the A_* constants of atomic-stats.ts. */
  readonly atomics = new Float64Array(A.A_COUNT);
  /** The core model's counters, summed over threads, indexed by the K_* constants of core-stats.ts. */
  readonly coreStats = new Float64Array(S.K_COUNT);
  /** Which code path spent what (cpu.path); see paths.ts. */
  readonly paths: PathProfile;
  private readonly readLine: Float64Array;
  private readonly readTime: Float64Array;
  private readonly cpus = new Map<number, Cpu>();
  private readonly tls = new Map<number, number>();
  private staticEnd = STATIC_BASE;
  readonly seed: number;
  /** The data-race detector, when `detectRaces` turned it on (null: off, and free). */
  race: RaceDetector | null = null;
  /** The models' debug invariants, when the checker turned them on (invariant-sink.ts; null: off, and free). */
  invariants: InvariantSink | null = null;

  constructor(
    readonly spec: MachineSpec,
    opts: MachineOptions = {},
  ) {
    this.seed = opts.seed ?? 1;
    this.hier = new CacheHierarchy(spec);
    this.paths = new PathProfile(this.hier.counts, this.atomics, this.coreStats);
    this.as = new AddressSpace(spec.costs, opts.reclaimLazyFree === true);
    this.as.onNewPage = (slot, vpn) => this.hier.dir.resetPage(slot, lineKey(vpn * PAGE_SIZE));
    this.as.onDropPage = (slot, vpn) => {
      this.hier.flushPage(slot, vpn);
      this.race?.forgetPage(vpn);
    };
    // Caches are indexed by virtual line here, so a moved page's lines are flushed like a dropped one's.
    this.as.onMovePage = (slot, vpn) => {
      this.hier.flushPage(slot, vpn);
      this.race?.forgetPage(vpn);
    };
    this.readLine = new Float64Array(spec.cores * READ_TABLE).fill(-1);
    this.readTime = new Float64Array(spec.cores * READ_TABLE);
  }

  /** The CPU context of `thread`, running on `core` (created on first use). */
  cpu(thread: number, core: number): Cpu {
    let c = this.cpus.get(thread);
    if (c === undefined) {
      if (!(core >= 0 && core < this.spec.cores)) throw new RangeError(`core ${core} does not exist (machine has ${this.spec.cores})`);
      c = new Cpu(this, thread, core, Rng.stream(this.seed, MACHINE_STREAM_BASE + thread));
      this.cpus.set(thread, c);
    }
    return c;
  }

  /**
   * Turns the data-race detector on (race/detector.ts) for every thread, existing and to come;
   * returns it. It changes no figure of the run: it only watches.
   */
  detectRaces(opts: RaceOptions = {}): RaceDetector {
    if (this.race === null) {
      this.race = new RaceDetector(this.paths.names, opts);
      for (const c of this.cpus.values()) c.race = this.race;
    }
    return this.race;
  }

  /** Base of `thread`'s TLS block, mapped (without a system call) on first use. */
  tlsBase(thread: number): number {
    let b = this.tls.get(thread);
    if (b === undefined) {
      b = TLS_BASE + thread * TLS_STRIDE;
      this.as.mmap(TLS_SIZE, { addr: b, fixed: 'noreplace', name: `tls:${thread}` }, false);
      this.tls.set(thread, b);
    }
    return b;
  }

  /**
   * Reserves `size` bytes of zero-initialised static data (an allocator's globals, as in the
   * binary's .bss), page-aligned, mapped without a system call. Pages become resident when touched.
   */
  staticData(size: number, name = 'bss'): number {
    const len = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    const addr = this.staticEnd;
    this.as.mmap(len, { addr, fixed: 'noreplace', name }, false);
    this.staticEnd += len;
    return addr;
  }

  // ---- CAS bookkeeping: when each core last read a line (a small direct-mapped table per core) ----

  noteRead(core: number, line: number, time: number): void {
    const i = core * READ_TABLE + (line & (READ_TABLE - 1));
    this.readLine[i] = line;
    this.readTime[i] = time;
  }

  lastRead(core: number, line: number): number {
    const i = core * READ_TABLE + (line & (READ_TABLE - 1));
    return this.readLine[i] === line ? (this.readTime[i] as number) : -Infinity;
  }

  // ---- uncharged access (checker, tests, reports): no cost, no faults, no cache effects ----

  /** Reads a value without charging; unmapped or untouched memory reads as 0. */
  peek(addr: number, size: 1 | 2 | 4 | 8 = 8): number {
    if ((addr & (PAGE_SIZE - 1)) + size > PAGE_SIZE) {
      let v = 0;
      // An 8-byte value as two halves, as the in-page path reads it.
      if (size === 8) return joinHalves(this.peek(addr, 4), this.peek(addr + 4, 4));
      for (let k = size - 1; k >= 0; k--) v = v * 256 + this.peek(addr + k, 1);
      return v;
    }
    const s = this.as.pages.get(Math.floor(addr / PAGE_SIZE));
    return s < 0 ? 0 : readValue(this.as, s, addr, size);
  }

  /** Writes a value without charging (the page must be mapped). */
  poke(addr: number, value: number, size: 1 | 2 | 4 | 8 = 8): void {
    if ((addr & (PAGE_SIZE - 1)) + size > PAGE_SIZE) {
      const bytes = toBytes(value, size);
      for (let k = 0; k < size; k++) this.poke(addr + k, bytes[k] as number, 1);
      return;
    }
    writeValue(this.as, this.ensurePage(addr), addr, value, size);
  }

  /** Copies bytes out of simulated memory, uncharged. */
  peekBytes(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let i = 0;
    while (i < len) {
      const a = addr + i;
      const off = a & (PAGE_SIZE - 1);
      const n = Math.min(len - i, PAGE_SIZE - off);
      const s = this.as.pages.get(Math.floor(a / PAGE_SIZE));
      const b = s < 0 ? null : this.as.pdata8[s];
      if (b != null) out.set(b.subarray(off, off + n), i);
      i += n;
    }
    return out;
  }

  /** Writes bytes into simulated memory, uncharged (pages must be mapped). */
  pokeBytes(addr: number, bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      const a = addr + i;
      const off = a & (PAGE_SIZE - 1);
      const n = Math.min(bytes.length - i, PAGE_SIZE - off);
      const s = this.ensurePage(a);
      this.as.words(s);
      (this.as.pdata8[s] as Uint8Array).set(bytes.subarray(i, i + n), off);
      i += n;
    }
  }

  /** Functional part of memset (costs are charged by Cpu.fill). */
  fillBytes(addr: number, len: number, byte: number): void {
    let i = 0;
    while (i < len) {
      const a = addr + i;
      const off = a & (PAGE_SIZE - 1);
      const n = Math.min(len - i, PAGE_SIZE - off);
      const s = this.as.pages.get(Math.floor(a / PAGE_SIZE));
      if (s >= 0 && (byte !== 0 || this.as.pdata8[s] != null)) {
        this.as.words(s);
        (this.as.pdata8[s] as Uint8Array).fill(byte, off, off + n);
      }
      i += n;
    }
  }

  /**
   * Functional part of memmove. Page to page without a copy in between, unless the ranges overlap;
   * a piece of the source never written reads as zero, and makes no buffer for a destination page
   * that has none (pages never written read as zero: contents are kept only where written).
   */
  copyBytes(dst: number, src: number, len: number): void {
    if (len <= 0) return;
    if (dst !== src && dst < src + len && src < dst + len) {
      this.pokeBytes(dst, this.peekBytes(src, len));
      return;
    }
    const as = this.as;
    let i = 0;
    while (i < len) {
      const a = src + i;
      const b = dst + i;
      const aOff = a & (PAGE_SIZE - 1);
      const bOff = b & (PAGE_SIZE - 1);
      const n = Math.min(len - i, PAGE_SIZE - aOff, PAGE_SIZE - bOff);
      const ss = as.pages.get(Math.floor(a / PAGE_SIZE));
      const from = ss < 0 ? null : as.pdata8[ss];
      const ds = this.ensurePage(b);
      if (from != null) {
        as.words(ds);
        (as.pdata8[ds] as Uint8Array).set(from.subarray(aOff, aOff + n), bOff);
      } else {
        const to = as.pdata8[ds];
        if (to != null) to.fill(0, bOff, bOff + n);
      }
      i += n;
    }
  }

  private ensurePage(addr: number): number {
    const vpn = Math.floor(addr / PAGE_SIZE);
    const s = this.as.pages.get(vpn);
    if (s >= 0) return s;
    // Uncharged write to a page never touched: make it resident as a fault would, without counting one.
    const cost = this.as.fault(vpn, true);
    if (cost < 0) throw new RangeError(`poke at unmapped or protected address 0x${addr.toString(16)}`);
    this.as.pageFaults--;
    return this.as.faultSlot;
  }

  /** Is the page of `addr` resident? (for tests and checks) */
  isResident(addr: number): boolean {
    const s = this.as.pages.get(Math.floor(addr / PAGE_SIZE));
    return s >= 0 && (this.as.pstate[s] as number) >= PAGE_RESIDENT;
  }
}
