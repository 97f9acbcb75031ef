/**
 * One simulated thread's view of the machine: the interface an allocator model (and, through the
 * experiment layer, a workload) uses to touch memory, run atomics, take locks and call the OS.
 *
 * Every call does what it says functionally (values are stored and read back) and moves `now`,
 * this thread's clock, as the core would: the core model (core-timing.ts) overlaps independent
 * misses, retires stores through a store buffer and waits where a real core waits; page faults,
 * atomics, locks and system calls are charged at the moment they happen. See docs/machine.md.
 *
 * The class is built up by concern: CoreTiming (issue, overlap, the store buffer) → CpuMemory
 * (translation, loads, stores, ranges, prefetch) → CpuAtomics (atomics and locks) → Cpu (profile
 * paths, randomness and OS calls).
 *
 * Words are little-endian; an 8-byte value is a signed 64-bit integer, exact within ±2^53 (addresses
 * and sizes always fit). 64-bit bit masks do not fit a JS number: bitmap code uses 4-byte words, or
 * the `...64` halves methods, which take and return the low 32 bits and pass the high 32 bits
 * through the `hi` register.
 */
import { SyscallError } from './mappings.ts';
import { type Advice, type MmapOptions } from './address-space.ts';
import { CpuAtomics } from './cpu-atomics.ts';
import { MachineFault } from './fault.ts';
import type { Machine } from './machine.ts';
import type { Rng } from '../sim/rng.ts';

export { RunawayOperation } from './fault.ts';
export type { AccessSize } from './value-codec.ts';

export class Cpu extends CpuAtomics {
  constructor(
    machine: Machine,
    thread: number,
    core: number,
    private readonly rng: Rng,
  ) {
    super(machine, thread, core);
  }

  /** Base address of this thread's thread-local storage block (16 KiB, zeroed). */
  get tls(): number {
    return this.machine.tlsBase(this.thread);
  }

  // ---- profile ----

  /**
   * Enters a named code path (e.g. `machine.paths.id('snmalloc::dealloc_remote')`): what the machine
   * counts from now on is attributed to it, until the next switch. Ids are cheap; take them once.
   */
  path(id: number): void {
    if (this.race !== null) this.race.setPath(this.thread, id);
    this.machine.paths.switchTo(id, this.now, true);
  }

  // ---- OS: each call is a serialising event, then its cost ----

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
    this.now += this.sys(() => this.as.syscall('mlock'));
  }

  /** sbrk: moves the program break; returns the old break. */
  sbrk(delta: number): number {
    const r = this.sys(() => this.as.sbrk(delta));
    this.now += r.cost;
    return r.old;
  }

  /** getrandom(2) for 4 bytes of entropy, drawn from this thread's seeded stream. */
  getrandom(): number {
    this.now += this.sys(() => this.as.syscall('getrandom'));
    return this.rng.next32();
  }

  /** A 32-bit random number from this thread's seeded stream, without a system call (the allocator's own PRNG). */
  random32(): number {
    return this.rng.next32();
  }

  private sys<T>(fn: () => T): T {
    this.serialize();
    try {
      return fn();
    } catch (e) {
      if (e instanceof SyscallError) throw new MachineFault('invalid-argument', e.address, this.thread, this.op, e.message);
      throw e;
    }
  }
}
