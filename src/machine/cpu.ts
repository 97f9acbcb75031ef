/**
 * One simulated thread's view of the machine: the interface an allocator model (and, through the
 * experiment layer, a workload) uses to touch memory, run atomics, take locks and call the OS.
 *
 * Every call does what it says functionally (values are stored and read back) and charges its cost
 * to `now`, this thread's clock, at the time it happens: page faults, the cache hierarchy and
 * coherence, atomic latency and waiting for busy lines, system calls. See docs/machine.md.
 *
 * Words are little-endian; an 8-byte value is a signed 64-bit integer, exact within ±2^53 (addresses
 * and sizes always fit). 64-bit bit masks do not fit a JS number: bitmap code uses 4-byte words, or
 * the `...64` halves methods, which take and return the low 32 bits and pass the high 32 bits
 * through the `hi` register.
 */
import * as AS from './address-space.ts';
import { SyscallError, type AddressSpace, type Advice, type MmapOptions } from './address-space.ts';
import * as A from './atomic-stats.ts';
import * as H from './cache-hierarchy.ts';
import type { CacheHierarchy } from './cache-hierarchy.ts';
import { lineKey } from './cache-level.ts';
import * as K from './costs.ts';
import type { Costs } from './costs.ts';
import * as D from './directory.ts';
import { MachineFault } from './fault.ts';
import type { Machine } from './machine.ts';
import type { Rng } from '../sim/rng.ts';

// The constants of the access path, bound to this module's own names: an imported binding is live,
// so V8 reloads and re-checks it at every use in optimized code instead of folding it in (which
// also keeps `addr / PAGE_SIZE` a division); a module's own constants are folded.
const PAGE_SIZE = K.PAGE_SIZE;
const LINE_SIZE = K.LINE_SIZE;
const LINES_PER_PAGE = D.LINES_PER_PAGE;
const PAGE_RESIDENT = AS.PAGE_RESIDENT;
const PROT_READ = AS.PROT_READ;
const PROT_WRITE = AS.PROT_WRITE;
const ORIGIN_APP = H.ORIGIN_APP;
const ORIGIN_META = H.ORIGIN_META;
const C_C2C = H.C_C2C;
const C_UPGRADE = H.C_UPGRADE;
const COUNTERS_PER_ORIGIN = H.COUNTERS_PER_ORIGIN;
const {
  A_TOTAL, A_CAS, A_CAS_FAILED, A_EXCHANGE, A_FETCH_ADD, A_FETCH_OR, A_FETCH_AND, A_CONTENDED, A_WAIT_CYCLES,
  A_FENCES, A_LOCKS, A_LOCK_CONTENDED, A_LOCK_SLEEPS, A_LOCK_WAIT_CYCLES,
} = A;

const TWO32 = 4294967296;
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

export type AccessSize = 1 | 2 | 4 | 8;

/** An allocator call that made more memory accesses than its budget allows: it never ends, most likely. */
export class RunawayOperation extends Error {
  constructor(readonly operation: string, readonly thread: number) {
    super(`${operation === '' ? 'an allocator call' : operation} on thread ${thread} made more memory accesses than any real operation would without returning: an endless loop (a cycle in a free list?)`);
    this.name = 'RunawayOperation';
  }
}

export class Cpu {
  /** This thread's clock, in cycles. */
  now = 0;
  private opText = '';
  private opKind = '';
  private opA = 0;
  private opB = 0;

  /** Name of the operation under way, for fault reports (e.g. "free(0x7f...)"), formatted on demand. */
  get op(): string {
    if (this.opKind !== '') {
      this.opText = formatOp(this.opKind, this.opA, this.opB);
      this.opKind = '';
    }
    return this.opText;
  }

  set op(text: string) {
    this.opText = text;
    this.opKind = '';
  }

  /**
   * Names the operation under way without building its text (that happens only if a fault report
   * needs it): kind 'malloc' (a = size, b = alignment), 'calloc' (n, size), 'realloc' (ptr, size),
   * 'free' (ptr), 'usable' (ptr).
   */
  setOp(kind: string, a = 0, b = 0): void {
    this.opKind = kind;
    this.opA = a;
    this.opB = b;
  }
  /** High 32 bits of the last `...64` result. */
  hi = 0;
  /**
   * Memory accesses the operation under way may still make; below zero it is runaway (a cycle in a
   * free list) and throws RunawayOperation. The driver arms it per allocator call; Infinity = no limit.
   */
  accessBudget = Infinity;
  // A small direct-mapped translation cache (page -> page slot, see tlbIndex), valid while the
  // address space's epoch is unchanged. It spares the page-table lookup; it is not a TLB model
  // (no cost, no misses).
  private readonly tlbVpn = new Float64Array(TLB_ENTRIES).fill(-1);
  private readonly tlbSlot = new Int32Array(TLB_ENTRIES);
  private readonly tlbWrite = new Uint8Array(TLB_ENTRIES);
  /** The address space's epoch the entries were made under; a change empties the cache. */
  private tlbEpoch = -1;
  private readonly as: AddressSpace;
  private readonly hier: CacheHierarchy;
  private readonly costs: Costs;
  private readonly atomics: Float64Array;

  constructor(
    readonly machine: Machine,
    readonly thread: number,
    readonly core: number,
    private readonly rng: Rng,
  ) {
    this.as = machine.as;
    this.hier = machine.hier;
    this.costs = machine.spec.costs;
    this.atomics = machine.atomics;
  }

  /** Base address of this thread's thread-local storage block (16 KiB, zeroed). */
  get tls(): number {
    return this.machine.tlsBase(this.thread);
  }

  // ---- translation ----

  private page(addr: number, write: boolean): number {
    const vpn = Math.floor(addr / PAGE_SIZE);
    const i = tlbIndex(vpn);
    if (this.tlbVpn[i] === vpn && this.tlbEpoch === this.as.epoch && (this.tlbWrite[i] === 1 || !write)) return this.tlbSlot[i] as number;
    return this.pageSlow(addr, vpn, write);
  }

  private pageSlow(addr: number, vpn: number, write: boolean): number {
    const as = this.as;
    const cost = as.fault(vpn, write);
    if (cost < 0) throw new MachineFault(cost === -1 ? 'unmapped' : 'protection', addr, this.thread, this.op);
    this.now += cost;
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

  /** Charges the cache access(es) of `size` bytes at `addr`, whose page is in slot `s`. */
  private charge(addr: number, s: number, size: number, write: boolean, origin: number): void {
    if (--this.accessBudget < 0) this.runaway();
    // Small enough to be inlined into load and store: the calls it makes take small integers only
    // (a call taking the address, a double, would box it on the heap).
    this.lineAccess(lineKey(addr), Cpu.lineSlot(addr, s), write, origin);
    if ((addr & (LINE_SIZE - 1)) + size > LINE_SIZE) this.chargeNextLine(addr, s, size, write, origin);
  }

  /** The second line of an access that straddles two. */
  private chargeNextLine(addr: number, s: number, size: number, write: boolean, origin: number): void {
    const li = (addr & (PAGE_SIZE - 1)) >> 6;
    const ds = li < LINES_PER_PAGE - 1 ? s * LINES_PER_PAGE + li + 1 : this.page(addr + size - 1, write) * LINES_PER_PAGE;
    this.lineAccess(lineKey(addr + size - 1), ds, write, origin);
  }

  /** One access to the line with key `key` (directory slot `ds`) at this thread's clock, which it advances. */
  private lineAccess(key: number, ds: number, write: boolean, origin: number): void {
    this.now += this.hier.access(this.core, key, ds, write, origin, this);
  }

  /** Stops an operation that has spent its access budget. */
  protected runaway(): never {
    this.accessBudget = Infinity;
    throw new RunawayOperation(this.op, this.thread);
  }

  /** Directory slot of the line holding `addr`, whose page is in slot `s`. */
  private static lineSlot(addr: number, s: number): number {
    return s * LINES_PER_PAGE + ((addr & (PAGE_SIZE - 1)) >> 6);
  }

  // ---- plain memory ----

  /** Reads `size` bytes at `addr` (default a word, as allocator metadata). */
  load(addr: number, size: AccessSize = 8, origin: number = ORIGIN_META): number {
    const s = this.page(addr, false);
    this.charge(addr, s, size, false, origin);
    if (((addr & (PAGE_SIZE - 1)) + size) > PAGE_SIZE) return this.machine.peek(addr, size);
    return readValue(this.as, s, addr, size);
  }

  /** Writes `value` (an integer) as `size` bytes at `addr`. */
  store(addr: number, value: number, size: AccessSize = 8, origin: number = ORIGIN_META): void {
    if (!Number.isSafeInteger(value)) throw new TypeError(`store of non-integer ${value} at 0x${addr.toString(16)}`);
    const s = this.page(addr, true);
    this.charge(addr, s, size, true, origin);
    if (((addr & (PAGE_SIZE - 1)) + size) > PAGE_SIZE) {
      if (((addr + size - 1) & ~(PAGE_SIZE - 1)) !== (addr & ~(PAGE_SIZE - 1))) this.page(addr + size - 1, true);
      this.machine.poke(addr, value, size);
      return;
    }
    writeValue(this.as, s, addr, value, size);
  }

  /** Reads both 32-bit halves of the 64-bit word at `addr`: returns the low half, sets `hi`. */
  load64(addr: number, origin: number = ORIGIN_META): number {
    const s = this.page(addr, false);
    this.charge(addr, s, 8, false, origin);
    const d = this.as.pdata32[s];
    const i = (addr & (PAGE_SIZE - 1)) >> 2;
    this.hi = d == null ? 0 : (d[i + 1] as number);
    return d == null ? 0 : (d[i] as number);
  }

  /** Writes a 64-bit word given as two unsigned 32-bit halves. */
  store64(addr: number, lo: number, hi: number, origin: number = ORIGIN_META): void {
    const s = this.page(addr, true);
    this.charge(addr, s, 8, true, origin);
    const d = this.as.words(s);
    const i = (addr & (PAGE_SIZE - 1)) >> 2;
    d[i] = lo;
    d[i + 1] = hi;
  }

  /**
   * Charges an access to every line of [addr, addr+len) without changing values (the payload
   * reads and writes of a workload, a memset whose value does not matter).
   */
  touch(addr: number, len: number, write: boolean, origin: number = ORIGIN_APP): void {
    if (len <= 0) return;
    const end = addr + len;
    let a = addr;
    while (a < end) {
      const s = this.page(a, write);
      const pageEnd = Math.min(end, (Math.floor(a / PAGE_SIZE) + 1) * PAGE_SIZE);
      const key = lineKey(a);
      const lines = (((pageEnd - 1) & (PAGE_SIZE - 1)) >> 6) - ((a & (PAGE_SIZE - 1)) >> 6) + 1;
      const ds = Cpu.lineSlot(a, s);
      for (let k = 0; k < lines; k++) this.lineAccess(key + k, ds + k, write, origin);
      a = pageEnd;
    }
  }

  /** memset: writes `byte` over [addr, addr+len), charged line by line. */
  fill(addr: number, len: number, byte: number, origin: number = ORIGIN_APP): void {
    this.touch(addr, len, true, origin);
    this.machine.fillBytes(addr, len, byte);
  }

  /** memmove: copies len bytes from src to dst (overlap allowed), charging reads and writes. */
  copy(dst: number, src: number, len: number, origin: number = ORIGIN_APP): void {
    if (len <= 0) return;
    this.touch(src, len, false, origin);
    this.touch(dst, len, true, origin);
    this.machine.copyBytes(dst, src, len);
  }

  /**
   * A software prefetch (`__builtin_prefetch`): the line is fetched into this core's caches now (a
   * miss or transfer is counted and coherence state changes, for writes the line is taken
   * exclusively), but the thread does not wait for it: its clock does not move. Like the hardware
   * instruction it never faults: a prefetch of a page that is not resident, or not accessible, is
   * dropped.
   */
  prefetch(addr: number, write = false, origin: number = ORIGIN_META): void {
    const s = this.as.pages.get(Math.floor(addr / PAGE_SIZE));
    if (s < 0 || (this.as.pstate[s] as number) < PAGE_RESIDENT) return;
    if (((this.as.pprot[s] as number) & (write ? PROT_WRITE : PROT_READ)) === 0) return;
    const t = this.now;
    this.lineAccess(lineKey(addr), Cpu.lineSlot(addr, s), write, origin);
    this.now = t;
  }

  // ---- atomics ----

  /** An acquire load. Remember it: a later CAS on this line fails if another core wrote it since. */
  atomicLoad(addr: number, size: AccessSize = 8, origin: number = ORIGIN_META): number {
    const v = this.load(addr, size, origin);
    this.machine.noteRead(this.core, Math.floor(addr / LINE_SIZE), this.now);
    return v;
  }

  /** A release store, or with `seqCst` a store followed by a full fence (xchg/mov+mfence on x86). */
  atomicStore(addr: number, value: number, seqCst = false, size: AccessSize = 8, origin: number = ORIGIN_META): void {
    this.store(addr, value, size, origin);
    if (seqCst) this.fence();
  }

  fence(): void {
    this.now += this.costs.fence;
    this.atomics[A_FENCES]++;
  }

  /** Compare-and-swap. Returns whether the value matched (and was replaced). */
  cas(addr: number, expected: number, desired: number, size: AccessSize = 8, origin: number = ORIGIN_META): boolean {
    const s = this.page(addr, true);
    this.rmw(addr, s, origin, A_CAS, true);
    const cur = readValue(this.as, s, addr, size);
    if (cur !== expected) {
      this.atomics[A_CAS_FAILED]++;
      return false;
    }
    writeValue(this.as, s, addr, desired, size);
    return true;
  }

  exchange(addr: number, value: number, size: AccessSize = 8, origin: number = ORIGIN_META): number {
    const s = this.page(addr, true);
    this.rmw(addr, s, origin, A_EXCHANGE, false);
    const old = readValue(this.as, s, addr, size);
    writeValue(this.as, s, addr, value, size);
    return old;
  }

  fetchAdd(addr: number, delta: number, size: AccessSize = 8, origin: number = ORIGIN_META): number {
    const s = this.page(addr, true);
    this.rmw(addr, s, origin, A_FETCH_ADD, false);
    const old = readValue(this.as, s, addr, size);
    writeValue(this.as, s, addr, wrap(old + delta, size), size);
    return old;
  }

  /** fetch_or on a 4-byte word; returns the old value. */
  fetchOr(addr: number, mask: number, origin: number = ORIGIN_META): number {
    return this.bitwise(addr, mask, 0, A_FETCH_OR, origin, false);
  }

  /** fetch_and on a 4-byte word; returns the old value. */
  fetchAnd(addr: number, mask: number, origin: number = ORIGIN_META): number {
    return this.bitwise(addr, mask, 0, A_FETCH_AND, origin, false);
  }

  /** fetch_or on a 64-bit word given as halves; returns the old low half, old high half in `hi`. */
  fetchOr64(addr: number, maskLo: number, maskHi: number, origin: number = ORIGIN_META): number {
    return this.bitwise(addr, maskLo, maskHi, A_FETCH_OR, origin, true);
  }

  /** fetch_and on a 64-bit word given as halves; returns the old low half, old high half in `hi`. */
  fetchAnd64(addr: number, maskLo: number, maskHi: number, origin: number = ORIGIN_META): number {
    return this.bitwise(addr, maskLo, maskHi, A_FETCH_AND, origin, true);
  }

  protected bitwise(addr: number, lo: number, hi: number, kind: number, origin: number, wide: boolean): number {
    const s = this.page(addr, true);
    this.rmw(addr, s, origin, kind, false);
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
   * Timing of one read-modify-write on the line of `addr`: wait while the line is busy with another
   * core's atomic, take it exclusively (a transfer if another core has it), pay the atomic latency,
   * and keep the line busy until done. A CAS whose line another core took for writing since this
   * core's last atomicLoad of it counts as failed once and pays a retry (re-read and CAS again);
   * functionally it then succeeds, because operations are linearised (docs/machine.md).
   */
  private rmw(addr: number, s: number, origin: number, kind: number, isCas: boolean): void {
    const line = Math.floor(addr / LINE_SIZE);
    const hier = this.hier;
    const dir = hier.dir;
    const ds = Cpu.lineSlot(addr, s);
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
      at[A_WAIT_CYCLES] += busy - this.now;
      this.now = busy;
      contended = true;
    }
    // The line came from, or had to be taken away from, another core: a transfer or an invalidation.
    const k = origin * COUNTERS_PER_ORIGIN;
    const before = (hier.counts[k + C_C2C] as number) + (hier.counts[k + C_UPGRADE] as number);
    const key = lineKey(addr);
    this.lineAccess(key, ds, true, origin);
    this.now += this.costs.atomic;
    if ((hier.counts[k + C_C2C] as number) + (hier.counts[k + C_UPGRADE] as number) !== before) contended = true;
    if (retry) {
      at[A_CAS_FAILED]++;
      at[A_CAS]++;
      at[A_TOTAL]++;
      this.lineAccess(key, ds, false, origin);
      this.now += this.costs.atomic;
    }
    dir.setBusyUntil(ds, this.now);
    this.machine.noteRead(this.core, line, this.now);
    at[A_TOTAL]++;
    at[kind]++;
    if (contended) at[A_CONTENDED]++;
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
    const hier = this.hier;
    const dir = hier.dir;
    const ds = Cpu.lineSlot(addr, s);
    const at = this.atomics;
    at[A_LOCKS]++;
    const busy = dir.lockUntil(ds);
    if (busy === Infinity || readValue(this.as, s, addr, 8) !== 0) {
      throw new Error(`lock at 0x${addr.toString(16)} is already held: a lock must be released within the operation that took it`);
    }
    let skew = 0;
    if (busy > this.now) {
      at[A_LOCK_CONTENDED]++;
      const start = this.now;
      if (busy - this.now > this.costs.spinBeforeSleep) {
        at[A_LOCK_SLEEPS]++;
        // futex_wait by this thread; the releaser's futex_wake is counted here too (it cannot be
        // charged to the releaser, whose operation ran before this one).
        this.now += this.as.syscall('futexWait');
        this.as.syscall('futexWake');
        this.now = Math.max(this.now, busy + this.costs.wakeLatency);
        skew = this.now - busy;
      } else {
        this.now = busy;
      }
      at[A_LOCK_WAIT_CYCLES] += this.now - start;
    }
    this.rmw(addr, s, origin, A_EXCHANGE, false);
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
    const ds = Cpu.lineSlot(addr, s);
    const busy = this.hier.dir.lockUntil(ds);
    if (busy === Infinity || busy <= this.now || readValue(this.as, s, addr, 8) !== 0) {
      this.lock(addr, origin);
      return true;
    }
    const at = this.atomics;
    this.lineAccess(lineKey(addr), ds, false, origin);
    this.now += this.costs.atomic;
    at[A_TOTAL]++;
    at[A_CAS]++;
    at[A_CAS_FAILED]++;
    at[A_CONTENDED]++;
    return false;
  }

  /** Releases a lock taken with lock(): a release store of 0; the line is free from now on. */
  unlock(addr: number, origin: number = ORIGIN_META): void {
    const ds = Cpu.lineSlot(addr, this.page(addr, true));
    const dir = this.hier.dir;
    if (dir.lockUntil(ds) !== Infinity) throw new Error(`unlock of 0x${addr.toString(16)}, which is not locked`);
    this.store(addr, 0, 8, origin);
    dir.setLockUntil(ds, this.now - dir.lockSkew(ds));
  }

  // ---- profile ----

  /**
   * Enters a named code path (e.g. `machine.paths.id('snmalloc::dealloc_remote')`): what the machine
   * counts from now on is attributed to it, until the next switch. Ids are cheap; take them once.
   */
  path(id: number): void {
    this.machine.paths.switchTo(id, this.now, true);
  }

  // ---- compute and OS ----

  /** Charges `units` of non-memory work (roughly, simple instructions). */
  work(units: number): void {
    this.now += units * this.costs.computeUnit;
  }

  mmap(len: number, opts?: MmapOptions): number {
    const r = this.sys(() => this.as.mmap(len, opts));
    this.now += r.cost;
    return r.addr;
  }

  munmap(addr: number, len: number): void {
    this.now += this.sys(() => this.as.munmap(addr, len));
  }

  /** mremap(2) with MREMAP_MAYMOVE: returns the mapping's (possibly new) address. */
  mremap(addr: number, oldLen: number, newLen: number): number {
    const r = this.sys(() => this.as.mremap(addr, oldLen, newLen));
    this.now += r.cost;
    return r.addr;
  }

  madvise(addr: number, len: number, advice: Advice): void {
    this.now += this.sys(() => this.as.madvise(addr, len, advice));
  }

  mprotect(addr: number, len: number, prot: number): void {
    this.now += this.sys(() => this.as.mprotect(addr, len, prot));
  }

  /** mlock(2): counted and charged; pages are not made resident here. */
  mlock(_addr: number, _len: number): void {
    this.now += this.as.syscall('mlock');
  }

  /** sbrk: moves the program break; returns the old break. */
  sbrk(delta: number): number {
    const r = this.sys(() => this.as.sbrk(delta));
    this.now += r.cost;
    return r.old;
  }

  /** getrandom(2) for 4 bytes of entropy, drawn from this thread's seeded stream. */
  getrandom(): number {
    this.now += this.as.syscall('getrandom');
    return this.rng.next32();
  }

  /** A 32-bit random number from this thread's seeded stream, without a system call (the allocator's own PRNG). */
  random32(): number {
    return this.rng.next32();
  }

  private sys<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof SyscallError) throw new MachineFault('invalid-argument', e.address, this.thread, this.op, e.message);
      throw e;
    }
  }
}

function hexAddr(n: number): string {
  return `0x${n.toString(16)}`;
}

/** The text of an operation named with setOp. */
function formatOp(kind: string, a: number, b: number): string {
  switch (kind) {
    case 'malloc':
      return b === 16 || b === 0 ? `malloc(${a})` : `malloc(${a}, align ${b})`;
    case 'calloc':
      return `calloc(${a}, ${b})`;
    case 'realloc':
      return `realloc(${hexAddr(a)}, ${b})`;
    case 'free':
      return `free(${hexAddr(a)})`;
    case 'usable':
      return `malloc_usable_size(${hexAddr(a)})`;
    default:
      return kind;
  }
}

function wrap(v: number, size: AccessSize): number {
  if (size === 8) return v;
  const m = size === 4 ? TWO32 : size === 2 ? 65536 : 256;
  return ((v % m) + m) % m;
}

/**
 * Reads a value from page slot `s` (within the page). The aligned word cases come first and the
 * rest is out of line, so that callers can inline this.
 */
export function readValue(as: AddressSpace, s: number, addr: number, size: number): number {
  const d = as.pdata32[s];
  if (d === null || d === undefined) return 0;
  const off = addr & (PAGE_SIZE - 1);
  if ((off & 3) === 0 && size >= 4) {
    const i = off >> 2;
    return size === 8 ? ((d[i + 1] as number) | 0) * TWO32 + (d[i] as number) : (d[i] as number);
  }
  return readBytes(as.pdata8[s] as Uint8Array, off, size);
}

function readBytes(b: Uint8Array, off: number, size: number): number {
  if (size === 8) {
    // Two halves, the high one signed, as the aligned path: exact within ±2^53 (a byte-wise sum of
    // 8 bytes would round a negative value such as -1 before its sign is restored).
    const lo = (b[off] as number) | ((b[off + 1] as number) << 8) | ((b[off + 2] as number) << 16) | ((b[off + 3] as number) << 24);
    const hi = (b[off + 4] as number) | ((b[off + 5] as number) << 8) | ((b[off + 6] as number) << 16) | ((b[off + 7] as number) << 24);
    return hi * TWO32 + (lo >>> 0);
  }
  let v = 0;
  for (let k = size - 1; k >= 0; k--) v = v * 256 + (b[off + k] as number);
  return v;
}

/** Writes a value into page slot `s` (within the page); aligned words inline, the rest out of line. */
export function writeValue(as: AddressSpace, s: number, addr: number, value: number, size: number): void {
  const d = as.words(s);
  const off = addr & (PAGE_SIZE - 1);
  if ((off & 3) === 0 && size >= 4) {
    const i = off >> 2;
    if (size === 8) {
      const hi = Math.floor(value / TWO32);
      d[i] = value - hi * TWO32;
      d[i + 1] = hi;
    } else {
      d[i] = value;
    }
    return;
  }
  writeBytes(as.pdata8[s] as Uint8Array, off, value, size);
}

function writeBytes(b: Uint8Array, off: number, value: number, size: number): void {
  if (size === 8) {
    const hi = Math.floor(value / TWO32);
    const lo = value - hi * TWO32;
    for (let k = 0; k < 4; k++) b[off + k] = (lo >>> (8 * k)) & 255;
    for (let k = 0; k < 4; k++) b[off + 4 + k] = (hi >>> (8 * k)) & 255;
    return;
  }
  let v = value;
  for (let k = 0; k < size; k++) {
    b[off + k] = v & 255;
    v = Math.floor(v / 256);
  }
}
