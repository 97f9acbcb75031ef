/**
 * Atomics and locks on a thread's core. On x86 a locked read-modify-write is a full barrier: it
 * waits for every earlier load and for the store buffer to drain (serialize), then owns its line
 * for its whole latency, and the thread waits for its result. Acquire loads and release stores are
 * plain loads and stores under TSO; a seq_cst store is a store and a fence.
 *
 * Each atomic takes the C/C++ memory order of the real source's (memory-order.ts). It changes no
 * timing (x86 orders them all alike, but for a seq_cst store's fence); the race detector takes its
 * happens-before edges from it. Defaults: RMWs seq_cst, loads acquire, stores release.
 */
import * as A from './atomic-stats.ts';
import * as H from './cache-hierarchy.ts';
import { lineKey } from './cache-level.ts';
import * as K from './sizes.ts';
import { CpuMemory } from './cpu-memory.ts';
import { CpuRanges } from './cpu-ranges.ts';
import { readValue, wrap, writeValue, type AccessSize } from './value-codec.ts';
import { ACQUIRE, RELAXED, RELEASE, SEQ_CST, type MemoryOrder } from './memory-order.ts';
import { ATOMIC_LOAD, ATOMIC_RMW, ATOMIC_STORE, type RaceDetector } from './race/detector.ts';

const LINE_SIZE = K.LINE_SIZE;
const PAGE_SIZE = K.PAGE_SIZE;
const ORIGIN_META = H.ORIGIN_META;
const C_C2C = H.C_C2C;
const C_UPGRADE = H.C_UPGRADE;
const COUNTERS_PER_ORIGIN = H.COUNTERS_PER_ORIGIN;
const {
  A_TOTAL,
  A_CAS,
  A_CAS_FAILED,
  A_EXCHANGE,
  A_FETCH_ADD,
  A_FETCH_OR,
  A_FETCH_AND,
  A_CONTENDED,
  A_WAIT_CYCLES,
  A_FENCES,
  A_LOCKS,
  A_LOCK_CONTENDED,
  A_LOCK_SLEEPS,
  A_LOCK_WAIT_CYCLES,
} = A;

export class CpuAtomics extends CpuRanges {
  private readonly atomics: Float64Array = this.machine.atomics;

  /** One blocking access (a locked operation's): the thread waits for its whole latency. */
  private blockingAccess(key: number, ds: number, write: boolean, origin: number): void {
    this.now += this.hier.access(this.core, key, ds, write, origin, this);
  }

  /** An atomic load (acquire by default). Remember it: a later CAS on this line fails if another core wrote it since. */
  atomicLoad(addr: number, size: AccessSize = 8, origin: number = ORIGIN_META, order: MemoryOrder = ACQUIRE): number {
    const r = this.race;
    let v: number;
    if (r === null) v = this.load(addr, size, origin);
    else {
      v = this.untracked(r, () => this.load(addr, size, origin));
      r.atomic(this, addr, size, origin, ATOMIC_LOAD, order);
    }
    this.machine.noteRead(this.core, Math.floor(addr / LINE_SIZE), this.lastLoadDone);
    return v;
  }

  /**
   * An atomic store: release by default; `true` or SEQ_CST is a store followed by a full fence
   * (xchg/mov+mfence on x86). A relaxed or release store is a plain move.
   */
  atomicStore(
    addr: number,
    value: number,
    order: MemoryOrder | boolean = RELEASE,
    size: AccessSize = 8,
    origin: number = ORIGIN_META,
  ): void {
    const o = order === true ? SEQ_CST : order === false ? RELEASE : order;
    const r = this.race;
    if (r === null) this.store(addr, value, size, origin);
    else {
      this.untracked(r, () => this.store(addr, value, size, origin));
      r.atomic(this, addr, size, origin, ATOMIC_STORE, o);
    }
    if (o === SEQ_CST) this.fence();
  }

  /** A plain access made on an atomic's behalf: the detector sees the atomic, not the access. */
  private untracked<T>(r: RaceDetector, fn: () => T): T {
    this.race = null;
    try {
      return fn();
    } finally {
      this.race = r;
    }
  }

  /**
   * atomic_thread_fence: a seq_cst fence is mfence (waits for earlier loads and the store buffer,
   * then costs `fence`); an acquire or release fence emits no instruction on x86 and costs nothing.
   */
  fence(order: MemoryOrder = SEQ_CST): void {
    if (this.race !== null) this.race.fence(this.thread, order);
    if (order !== SEQ_CST) return;
    this.serialize();
    this.now += this.costs.fence;
    this.atomics[A_FENCES]!++;
  }

  /** Compare-and-swap. Returns whether the value matched (and was replaced). */
  cas(
    addr: number,
    expected: number,
    desired: number,
    size: AccessSize = 8,
    origin: number = ORIGIN_META,
    order: MemoryOrder = SEQ_CST,
  ): boolean {
    const s = this.page(addr, true);
    this.rmw(addr, s, origin, A_CAS, true);
    const cur = readValue(this.as, s, addr, size);
    const ok = cur === expected;
    if (this.race !== null) this.race.cas(this, addr, size, origin, order, ok);
    if (!ok) {
      this.atomics[A_CAS_FAILED]!++;
      return false;
    }
    writeValue(this.as, s, addr, desired, size);
    return true;
  }

  exchange(addr: number, value: number, size: AccessSize = 8, origin: number = ORIGIN_META, order: MemoryOrder = SEQ_CST): number {
    const s = this.page(addr, true);
    this.rmw(addr, s, origin, A_EXCHANGE, false);
    if (this.race !== null) this.race.atomic(this, addr, size, origin, ATOMIC_RMW, order);
    const old = readValue(this.as, s, addr, size);
    writeValue(this.as, s, addr, value, size);
    return old;
  }

  fetchAdd(addr: number, delta: number, size: AccessSize = 8, origin: number = ORIGIN_META, order: MemoryOrder = SEQ_CST): number {
    const s = this.page(addr, true);
    this.rmw(addr, s, origin, A_FETCH_ADD, false);
    if (this.race !== null) this.race.atomic(this, addr, size, origin, ATOMIC_RMW, order);
    const old = readValue(this.as, s, addr, size);
    writeValue(this.as, s, addr, wrap(old + delta, size), size);
    return old;
  }

  /** fetch_or on a 4-byte word; returns the old value. */
  fetchOr(addr: number, mask: number, origin: number = ORIGIN_META, order: MemoryOrder = SEQ_CST): number {
    return this.bitwise(addr, mask, 0, A_FETCH_OR, origin, false, order);
  }

  /** fetch_and on a 4-byte word; returns the old value. */
  fetchAnd(addr: number, mask: number, origin: number = ORIGIN_META, order: MemoryOrder = SEQ_CST): number {
    return this.bitwise(addr, mask, 0, A_FETCH_AND, origin, false, order);
  }

  /** fetch_or on a 64-bit word given as halves; returns the old low half, old high half in `hi`. */
  fetchOr64(addr: number, maskLo: number, maskHi: number, origin: number = ORIGIN_META, order: MemoryOrder = SEQ_CST): number {
    return this.bitwise(addr, maskLo, maskHi, A_FETCH_OR, origin, true, order);
  }

  /** fetch_and on a 64-bit word given as halves; returns the old low half, old high half in `hi`. */
  fetchAnd64(addr: number, maskLo: number, maskHi: number, origin: number = ORIGIN_META, order: MemoryOrder = SEQ_CST): number {
    return this.bitwise(addr, maskLo, maskHi, A_FETCH_AND, origin, true, order);
  }

  protected bitwise(
    addr: number,
    lo: number,
    hi: number,
    kind: number,
    origin: number,
    wide: boolean,
    order: MemoryOrder = SEQ_CST,
  ): number {
    const s = this.page(addr, true);
    this.rmw(addr, s, origin, kind, false);
    if (this.race !== null) this.race.atomic(this, addr, wide ? 8 : 4, origin, ATOMIC_RMW, order);
    const d = this.as.words(s);
    const i = (addr & (PAGE_SIZE - 1)) >> 2;
    const oldLo = d[i] as number;
    d[i] = kind === A_FETCH_OR ? (oldLo | lo) >>> 0 : (oldLo & lo) >>> 0;
    if (wide) {
      const oldHi = d[i + 1] as number;
      d[i + 1] = kind === A_FETCH_OR ? (oldHi | hi) >>> 0 : (oldHi & hi) >>> 0;
      this.hi = oldHi;
    }
    return oldLo;
  }

  /**
   * Timing of one read-modify-write on the line of `addr`: drain (serialize), wait while the line
   * is busy with another core's atomic, take it exclusively (a transfer if another core has it),
   * pay the atomic latency, and keep the line busy until done. A CAS whose line another core took
   * for writing since this core's last atomicLoad of it counts as failed once and pays a retry
   * (re-read and CAS again); functionally it then succeeds, because operations are linearised
   * (docs/machine.md).
   */
  private rmw(addr: number, s: number, origin: number, kind: number, isCas: boolean): void {
    this.serialize();
    this.work(1);
    const line = Math.floor(addr / LINE_SIZE);
    const hier = this.hier;
    const dir = hier.dir;
    const ds = CpuMemory.lineSlot(addr, s);
    const at = this.atomics;
    let retry = false;
    if (isCas) {
      const readAt = this.machine.lastRead(this.core, line);
      const w = dir.lastWriter(ds);
      if (readAt !== -Infinity && w !== -1 && w !== this.core && dir.lastWriteTime(ds) > readAt) retry = true;
    }
    let contended = false;
    const busy = dir.busyUntil(ds);
    if (busy > this.now) {
      at[A_WAIT_CYCLES]! += busy - this.now;
      this.now = busy;
      contended = true;
    }
    // The line came from, or had to be taken away from, another core: a transfer or an invalidation.
    const k = origin * COUNTERS_PER_ORIGIN;
    const before = (hier.counts[k + C_C2C] as number) + (hier.counts[k + C_UPGRADE] as number);
    const key = lineKey(addr);
    this.blockingAccess(key, ds, true, origin);
    this.now += this.costs.atomic;
    if ((hier.counts[k + C_C2C] as number) + (hier.counts[k + C_UPGRADE] as number) !== before) contended = true;
    if (retry) {
      at[A_CAS_FAILED]!++;
      at[A_CAS]!++;
      at[A_TOTAL]!++;
      this.blockingAccess(key, ds, false, origin);
      this.now += this.costs.atomic;
    }
    dir.setBusyUntil(ds, this.now);
    this.machine.noteRead(this.core, line, this.now);
    at[A_TOTAL]!++;
    at[kind]!++;
    if (contended) at[A_CONTENDED]!++;
  }

  // ---- locks ----

  /**
   * Acquires the lock word at `addr` (0 = free, 1 = held): an exchange on its line. If another
   * thread held it until time T, this thread spins until T, or, when T is further away than the
   * spin limit, sleeps on a futex: it then runs only `wakeLatency` after T (plus the futex calls).
   * The lock itself is free from T: while a sleeper wakes up, a running thread may take the lock
   * (barging, as glibc's mutexes allow), so the lock's own timeline advances by critical sections,
   * not by wake-ups. The sleeper's critical section is therefore placed on the lock's timeline at T
   * (its clock is `skew` cycles later); unlock() releases the lock at its own clock minus that skew.
   * Without this, every contended hand-off would serialise a full wake-up behind the lock (a
   * convoy no real mutex with barging shows). Other data on the lock's line stays usable.
   */
  lock(addr: number, origin: number = ORIGIN_META): void {
    const s = this.page(addr, true);
    this.serialize();
    const dir = this.hier.dir;
    const ds = CpuMemory.lineSlot(addr, s);
    const at = this.atomics;
    at[A_LOCKS]!++;
    const busy = dir.lockUntil(ds);
    if (busy === Infinity || readValue(this.as, s, addr, 8) !== 0) {
      throw new Error(`lock at 0x${addr.toString(16)} is already held: a lock must be released within the operation that took it`);
    }
    let skew = 0;
    if (busy > this.now) {
      at[A_LOCK_CONTENDED]!++;
      const start = this.now;
      if (busy - this.now > this.costs.spinBeforeSleep) {
        at[A_LOCK_SLEEPS]!++;
        // futex_wait by this thread; the releaser's futex_wake is counted here too (it cannot be
        // charged to the releaser, whose operation ran before this one).
        this.now += this.as.syscall('futexWait');
        this.as.syscall('futexWake');
        this.now = Math.max(this.now, busy + this.costs.wakeLatency);
        skew = this.now - busy;
      } else {
        this.now = busy;
      }
      at[A_LOCK_WAIT_CYCLES]! += this.now - start;
    }
    this.rmw(addr, s, origin, A_EXCHANGE, false);
    if (this.race !== null) this.race.atomic(this, addr, 8, origin, ATOMIC_RMW, ACQUIRE);
    writeValue(this.as, s, addr, 1, 8);
    dir.setLockUntil(ds, Infinity);
    dir.setLockSkew(ds, skew);
  }

  /**
   * pthread_mutex_trylock (glibc's lll_trylock): one CAS on the lock word. If another thread holds
   * the lock at this time, the CAS fails (counted and charged as a failed CAS, no waiting) and this
   * returns false; otherwise the lock is taken as by lock() and this returns true.
   */
  tryLock(addr: number, origin: number = ORIGIN_META): boolean {
    const s = this.page(addr, true);
    this.serialize();
    const ds = CpuMemory.lineSlot(addr, s);
    const busy = this.hier.dir.lockUntil(ds);
    if (busy === Infinity || busy <= this.now || readValue(this.as, s, addr, 8) !== 0) {
      this.lock(addr, origin);
      return true;
    }
    const at = this.atomics;
    this.work(1);
    this.blockingAccess(lineKey(addr), ds, false, origin);
    this.now += this.costs.atomic;
    at[A_TOTAL]!++;
    at[A_CAS]!++;
    at[A_CAS_FAILED]!++;
    at[A_CONTENDED]!++;
    if (this.race !== null) this.race.atomic(this, addr, 8, origin, ATOMIC_LOAD, RELAXED);
    return false;
  }

  /**
   * Releases a lock taken with lock(): a release store of 0 (through the store buffer); the lock is
   * free from when that store commits.
   */
  unlock(addr: number, origin: number = ORIGIN_META): void {
    const ds = CpuMemory.lineSlot(addr, this.page(addr, true));
    const dir = this.hier.dir;
    if (dir.lockUntil(ds) !== Infinity) throw new Error(`unlock of 0x${addr.toString(16)}, which is not locked`);
    const r = this.race;
    if (r === null) this.store(addr, 0, 8, origin);
    else {
      this.untracked(r, () => this.store(addr, 0, 8, origin));
      r.atomic(this, addr, 8, origin, ATOMIC_STORE, RELEASE);
    }
    dir.setLockUntil(ds, this.sb.lastCommit - dir.lockSkew(ds));
  }
}
