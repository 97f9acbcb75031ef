/**
 * A CPU context that reads and writes simulated memory without any cost or side effect on caches,
 * faults or counters: the checker uses it to ask a model questions (usable size, heap walk) without
 * changing the run it observes. The OS calls are refused: answering a question must not map memory.
 * Nor may it make a page resident: a write to a page that is not resident is refused too (an
 * uncharged write there would fault the page in and grow RSS behind the run's back). A read-only
 * one (a model's debug invariants read with it: src/allocators/shared/invariants.ts) refuses every write.
 */
import type { AccessSize } from './value-codec.ts';
import { Cpu } from './cpu.ts';
import type { Machine } from './machine.ts';
import type { Advice, MmapOptions } from './address-space.ts';
import { Rng } from '../sim/rng.ts';
import { A_FETCH_OR } from './atomic-stats.ts';
import type { MemoryOrder } from './memory-order.ts';
import { PAGE_SIZE } from './sizes.ts';

export class QuietCpu extends Cpu {
  constructor(
    machine: Machine,
    thread: number,
    core: number,
    private readonly readOnly = false,
  ) {
    super(machine, thread, core, new Rng(0));
    // A question the checker asks is no access of the program's: the race detector never sees it.
    this.race = null;
  }

  override load(addr: number, size: AccessSize = 8): number {
    if (--this.accessBudget < 0) this.runaway();
    return this.machine.peek(addr, size);
  }
  override store(addr: number, value: number, size: AccessSize = 8): void {
    this.resident(addr, size);
    this.machine.poke(addr, value, size);
  }
  override load64(addr: number): number {
    this.hi = this.machine.peek(addr + 4, 4);
    return this.machine.peek(addr, 4);
  }
  override store64(addr: number, lo: number, hi: number): void {
    this.resident(addr, 8);
    this.machine.poke(addr, lo, 4);
    this.machine.poke(addr + 4, hi, 4);
  }
  override touch(): void {}
  override fill(addr: number, len: number, byte: number): void {
    this.resident(addr, len);
    this.machine.fillBytes(addr, len, byte);
  }
  override copy(dst: number, src: number, len: number): void {
    this.resident(dst, len);
    this.machine.copyBytes(dst, src, len);
  }
  override atomicLoad(addr: number, size: AccessSize = 8): number {
    return this.load(addr, size);
  }
  override atomicStore(addr: number, value: number, _order: MemoryOrder | boolean = false, size: AccessSize = 8): void {
    this.store(addr, value, size);
  }
  override fence(): void {}
  override cas(addr: number, expected: number, desired: number, size: AccessSize = 8): boolean {
    if (this.load(addr, size) !== expected) return false;
    this.store(addr, desired, size);
    return true;
  }
  override exchange(addr: number, value: number, size: AccessSize = 8): number {
    const old = this.load(addr, size);
    this.store(addr, value, size);
    return old;
  }
  override fetchAdd(addr: number, delta: number, size: AccessSize = 8): number {
    const old = this.load(addr, size);
    this.store(addr, old + delta, size);
    return old;
  }
  protected override bitwise(addr: number, lo: number, hi: number, kind: number, _origin: number, wide: boolean): number {
    const m = this.machine;
    const or = kind === A_FETCH_OR;
    this.resident(addr, wide ? 8 : 4);
    const oldLo = m.peek(addr, 4);
    m.poke(addr, (or ? oldLo | lo : oldLo & lo) >>> 0, 4);
    if (wide) {
      const oldHi = m.peek(addr + 4, 4);
      m.poke(addr + 4, (or ? oldHi | hi : oldHi & hi) >>> 0, 4);
      this.hi = oldHi;
    }
    return oldLo;
  }
  /** Refuses a write to [addr, addr+len) unless every page of it is resident already (any write, when read-only). */
  private resident(addr: number, len: number): void {
    if (this.readOnly) throw new Error(`a debug invariant must not write (a write at 0x${addr.toString(16)})`);
    for (let p = Math.floor(addr / PAGE_SIZE); p * PAGE_SIZE < addr + len; p++) {
      if (!this.machine.isResident(p * PAGE_SIZE)) {
        throw new Error(`a quiet (checker) query must not make a page resident (a write at 0x${addr.toString(16)})`);
      }
    }
  }
  override prefetch(): void {}
  override path(): void {}
  override lock(): void {}
  override unlock(): void {}
  override tryLock(): boolean {
    return true;
  }
  override work(): void {}
  override serialize(): void {}
  override derive(_from: number, to: number): number {
    return to;
  }
  override use(value: number): number {
    return value;
  }
  override mmap(_len: number, _opts?: MmapOptions): number {
    throw new Error('a quiet (checker) query must not call mmap');
  }
  override munmap(): void {
    throw new Error('a quiet (checker) query must not call munmap');
  }
  override mremap(): number {
    throw new Error('a quiet (checker) query must not call mremap');
  }
  override madvise(_a: number, _l: number, _advice: Advice): void {
    throw new Error('a quiet (checker) query must not call madvise');
  }
  override mprotect(): void {
    throw new Error('a quiet (checker) query must not call mprotect');
  }
  override mlock(): void {
    throw new Error('a quiet (checker) query must not call mlock');
  }
  override sbrk(_delta: number): number {
    throw new Error('a quiet (checker) query must not call sbrk');
  }
  override getrandom(): number {
    throw new Error('a quiet (checker) query must not call getrandom');
  }
}
