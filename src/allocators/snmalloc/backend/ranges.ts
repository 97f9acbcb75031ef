/**
 * snmalloc's backend as a pipeline of small ranges (src/snmalloc/backend_helpers/*.h), each one
 * idea, composed in backend.ts as backend/standard_range.h composes them:
 *
 *   SmallBuddyRange      per thread: blocks below 16 KiB (slab metadata), carved from 16 KiB chunks
 *   LargeBuddyRange      per thread <21,21>: chunks of 16 KiB .. 1 MiB, refills growing to 2 MiB;
 *                        global <24,63>: refills max(16 MiB, 2 x request) from the OS
 *   StatsRange           fetch_add of the usage plus a CAS loop on the peak (statsrange.h)
 *   CommitRange          notify_using / notify_not_using = MADV_FREE (commitrange.h, pal_linux.h)
 *   LockRange            the global range's CombiningLock, modelled with cpu.lock (lockrange.h)
 *   PagemapRegisterRange register_range of each new reservation (pagemapregisterrange.h)
 *   PalRange             mmap(PROT_READ|WRITE, MAP_NORESERVE) (palrange.h, pal_posix.h reserve)
 *
 * Every range takes `base`, the address of the state block that holds per-instance state (a
 * thread's LocalState, or the static instance of the global meta range); global ranges ignore it.
 */
import { PROT_NONE, PROT_RW } from '../../../machine/page-table.ts';
import type { Cpu } from '../../../machine/cpu.ts';
import type { Counters } from '../../kit/model-counters.ts';
import { MIN_CHUNK_BITS, MIN_CHUNK_SIZE, nextPow2, REMOTE_BACKEND_MARKER, REMOTE_MIN_ALIGN, type SnmallocConfig } from '../config.ts';
import type { Pagemap } from '../pagemap.ts';
import { Buddy, type BuddyRep } from './buddy.ts';

/** The backend's counters: a LargeBuddyRange counts its refills and a LockRange its acquisitions under its label. */
export type BackendStat =
  | 'backend.chunksAllocated'
  | 'backend.chunksReturned'
  | 'backend.decommits'
  | 'backend.osReserves'
  | `backend.${'global' | 'local'}.refills`
  | `backend.${'globalLock' | 'metaLock'}.acquisitions`;

export interface Range {
  alloc(cpu: Cpu, base: number, size: number): number;
  dealloc(cpu: Cpu, base: number, addr: number, size: number): void;
}

/** range_to_pow_2_blocks (range_helpers.h): the maximal naturally aligned blocks of a range. */
export function pow2Blocks(base: number, length: number, minBits: number, f: (addr: number, size: number) => void): void {
  const min = 2 ** minBits;
  let b = Math.ceil(base / min) * min;
  const end = Math.floor((base + length) / min) * min;
  let len = end - b;
  while (len >= min) {
    let align = min;
    while (b % (align * 2) === 0 && align * 2 <= len) align *= 2;
    f(b, align);
    b += align;
    len -= align;
  }
}

export class PalRange implements Range {
  constructor(
    private readonly cfg: SnmallocConfig,
    private readonly counters: Counters<BackendStat>,
  ) {}

  alloc(cpu: Cpu, _base: number, size: number): number {
    this.counters.add('backend.osReserves');
    const prot = this.cfg.mit.palEnforceAccess ? PROT_NONE : PROT_RW;
    return cpu.mmap(size, { noreserve: true, prot, name: 'snmalloc' });
  }

  dealloc(): void {
    throw new Error('snmalloc never returns address space to the OS (PalRange has no dealloc_range)');
  }
}

export class PagemapRegisterRange implements Range {
  constructor(
    private readonly pagemap: Pagemap,
    private readonly parent: Range,
  ) {}

  alloc(cpu: Cpu, base: number, size: number): number {
    const r = this.parent.alloc(cpu, base, size);
    if (r !== 0) this.pagemap.registerRange(cpu, r, size);
    return r;
  }

  dealloc(cpu: Cpu, base: number, addr: number, size: number): void {
    this.parent.dealloc(cpu, base, addr, size);
  }
}

/** Buddy nodes in pagemap entries (largebuddyrange.h BuddyChunkRep): word 1 holds the link. */
export class PagemapRep implements BuddyRep {
  constructor(private readonly pagemap: Pagemap) {}

  getNext(cpu: Cpu, block: number): number {
    const m = cpu.load(this.pagemap.entry(cpu, block));
    return m - (m % REMOTE_MIN_ALIGN);
  }

  setNext(cpu: Cpu, block: number, next: number): void {
    const e = this.pagemap.entry(cpu, block);
    // get_backend_word claims an entry the front end released (word 2 = REMOTE_BACKEND_MARKER).
    if (cpu.load(e + 8) !== REMOTE_BACKEND_MARKER) this.pagemap.claimForBackend(cpu, e);
    cpu.store(e, next + (cpu.load(e) % REMOTE_MIN_ALIGN));
  }

  canConsolidate(cpu: Cpu, block: number, size: number): boolean {
    // Linux consolidates PAL allocations (CONSOLIDATE_PAL_ALLOCS): the boundary bit is never set,
    // but the entry of the larger block is still read.
    const larger = Math.max(block, block % (2 * size) === 0 ? block + size : block - size);
    return cpu.load(this.pagemap.entry(cpu, larger)) % 2 === 0;
  }
}

/** Buddy nodes inside the free blocks (smallbuddyrange.h BuddyInplaceRep: left, right words). */
export class InplaceRep implements BuddyRep {
  getNext(cpu: Cpu, block: number): number {
    return cpu.load(block);
  }

  setNext(cpu: Cpu, block: number, next: number): void {
    cpu.store(block, next);
  }

  canConsolidate(): boolean {
    return true;
  }
}

export interface LargeBuddyOptions {
  refillBits: number;
  maxBits: number;
  minRefillBits: number;
  /** Whether the parent hands out naturally aligned blocks (the PAL on Linux does not). */
  parentAligned: boolean;
  /** Offset of this range's state within `base` (or its absolute address when `absolute`). */
  stateOff: number;
  absolute: boolean;
}

/** LargeBuddyRange (largebuddyrange.h): state = buddy, then `requested_total`. */
export class LargeBuddyRange implements Range {
  readonly buddy: Buddy;
  readonly stateBytes: number;

  constructor(
    private readonly o: LargeBuddyOptions,
    rep: BuddyRep,
    private readonly parent: Range,
    private readonly counters: Counters<BackendStat>,
    private readonly label: 'global' | 'local',
  ) {
    this.buddy = new Buddy(MIN_CHUNK_BITS, o.maxBits, rep);
    this.stateBytes = this.buddy.bytes + 8;
  }

  state(base: number): number {
    return this.o.absolute ? this.o.stateOff : base + this.o.stateOff;
  }

  private overflowToParent(cpu: Cpu, base: number, overflow: number): void {
    if (overflow === 0) return;
    if (this.o.maxBits >= 63) throw new Error('global buddy overflowed');
    this.parent.dealloc(cpu, base, overflow, 2 ** this.o.maxBits);
  }

  private addRange(cpu: Cpu, base: number, addr: number, length: number): void {
    const st = this.state(base);
    pow2Blocks(addr, length, MIN_CHUNK_BITS, (b, size) => {
      this.overflowToParent(cpu, base, this.buddy.addBlock(cpu, st, b, size));
    });
  }

  private refill(cpu: Cpu, base: number, size: number): number {
    const st = this.state(base);
    const reqAddr = st + this.buddy.bytes;
    this.counters.add(`backend.${this.label}.refills`);
    if (this.o.parentAligned) {
      // Grow with what was requested so far: 16 KiB, 16 KiB, 32 KiB, ... up to the refill size.
      let refill = Math.min(2 ** this.o.refillBits, cpu.load(reqAddr));
      refill = nextPow2(Math.max(refill, 2 ** this.o.minRefillBits, size));
      const r = this.parent.alloc(cpu, base, refill);
      if (r !== 0) {
        cpu.store(reqAddr, cpu.load(reqAddr) + refill);
        this.addRange(cpu, base, r + size, refill - size);
      }
      return r;
    }
    // Unaligned parent (the PAL): over-allocate max(2 x size, refill), halving on failure.
    const needed = size * 2;
    for (let refill = Math.max(needed, 2 ** this.o.refillBits); needed <= refill; refill /= 2) {
      const r = this.parent.alloc(cpu, base, refill);
      if (r !== 0) {
        cpu.store(reqAddr, cpu.load(reqAddr) + refill);
        this.addRange(cpu, base, r, refill);
        return this.alloc(cpu, base, size);
      }
    }
    return 0;
  }

  alloc(cpu: Cpu, base: number, size: number): number {
    if (size >= 2 ** this.o.maxBits - 1) return this.o.parentAligned ? this.parent.alloc(cpu, base, size) : 0;
    const r = this.buddy.removeBlock(cpu, this.state(base), size);
    if (r !== 0) return r;
    return this.refill(cpu, base, size);
  }

  dealloc(cpu: Cpu, base: number, addr: number, size: number): void {
    if (this.o.maxBits < 63 && size >= 2 ** this.o.maxBits - 1) {
      this.parent.dealloc(cpu, base, addr, size);
      return;
    }
    this.overflowToParent(cpu, base, this.buddy.addBlock(cpu, this.state(base), addr, size));
  }
}

/** SmallBuddyRange (smallbuddyrange.h): blocks of 16 B .. 8 KiB carved from 16 KiB chunks. */
export class SmallBuddyRange implements Range {
  static readonly MIN_BITS = 4;
  readonly buddy = new Buddy(SmallBuddyRange.MIN_BITS, MIN_CHUNK_BITS, new InplaceRep());

  constructor(
    private readonly stateOff: number,
    private readonly parent: Range,
  ) {}

  private addRange(cpu: Cpu, base: number, addr: number, length: number): void {
    pow2Blocks(addr, length, SmallBuddyRange.MIN_BITS, (b, size) => {
      if (size < MIN_CHUNK_SIZE) {
        const overflow = this.buddy.addBlock(cpu, base + this.stateOff, b, size);
        if (overflow !== 0) this.parent.dealloc(cpu, base, overflow, MIN_CHUNK_SIZE);
      } else {
        this.parent.dealloc(cpu, base, b, size);
      }
    });
  }

  alloc(cpu: Cpu, base: number, size: number): number {
    if (size >= MIN_CHUNK_SIZE) return this.parent.alloc(cpu, base, size);
    const r = this.buddy.removeBlock(cpu, base + this.stateOff, size);
    if (r !== 0) {
      cpu.store(r, 0);
      cpu.store(r + 8, 0);
      return r;
    }
    const refill = this.parent.alloc(cpu, base, MIN_CHUNK_SIZE);
    if (refill !== 0) this.addRange(cpu, base, refill + size, MIN_CHUNK_SIZE - size);
    return refill;
  }

  /** alloc_range_with_leftover: next_pow2(size), the tail beyond `size` goes back. */
  allocWithLeftover(cpu: Cpu, base: number, size: number): number {
    const rsize = nextPow2(size);
    const r = this.alloc(cpu, base, rsize);
    if (r !== 0 && rsize > size) this.addRange(cpu, base, r + size, rsize - size);
    return r;
  }

  dealloc(cpu: Cpu, base: number, addr: number, size: number): void {
    this.addRange(cpu, base, addr, size);
  }
}

/** CommitRange (commitrange.h) over the Linux PAL: lazy commit; MADV_FREE on the way back. */
export class CommitRange implements Range {
  constructor(
    private readonly cfg: SnmallocConfig,
    private readonly parent: Range,
    private readonly counters: Counters<BackendStat>,
  ) {}

  alloc(cpu: Cpu, base: number, size: number): number {
    const r = this.parent.alloc(cpu, base, size);
    if (r !== 0 && this.cfg.mit.palEnforceAccess) cpu.mprotect(r, size, PROT_RW);
    return r;
  }

  dealloc(cpu: Cpu, base: number, addr: number, size: number): void {
    this.counters.add('backend.decommits');
    cpu.madvise(addr, size, 'free');
    if (this.cfg.mit.palEnforceAccess) cpu.mprotect(addr, size, PROT_NONE);
    this.parent.dealloc(cpu, base, addr, size);
  }
}

/** StatsRange (statsrange.h): two static atomics on one line. */
export class StatsRange implements Range {
  constructor(
    private readonly current: number,
    private readonly peak: number,
    private readonly parent: Range,
  ) {}

  alloc(cpu: Cpu, base: number, size: number): number {
    const r = this.parent.alloc(cpu, base, size);
    if (r !== 0) {
      const prev = cpu.fetchAdd(this.current, size);
      let curr = cpu.atomicLoad(this.peak);
      while (curr < prev + size) {
        if (cpu.cas(this.peak, curr, prev + size)) break;
        curr = cpu.atomicLoad(this.peak);
      }
    }
    return r;
  }

  dealloc(cpu: Cpu, base: number, addr: number, size: number): void {
    cpu.fetchAdd(this.current, -size);
    this.parent.dealloc(cpu, base, addr, size);
  }
}

/**
 * LockRange (lockrange.h) + StaticRange: the global range behind snmalloc's CombiningLock
 * (ds/combininglock.h). Modelled as a lock word held for the critical section (cpu.lock): waiters
 * spin, then sleep on a futex, and each runs its own request. The real combining lock queues
 * waiters MCS-style and lets the head thread run its successors' requests too, so under contention
 * fewer lock-line transfers and wake-ups happen than this model charges.
 */
export class LockRange implements Range {
  constructor(
    private readonly lockAddr: number,
    private readonly parent: Range,
    private readonly counters: Counters<BackendStat>,
    private readonly label: 'globalLock' | 'metaLock',
  ) {}

  alloc(cpu: Cpu, base: number, size: number): number {
    this.counters.add(`backend.${this.label}.acquisitions`);
    cpu.lock(this.lockAddr);
    try {
      return this.parent.alloc(cpu, base, size);
    } finally {
      cpu.unlock(this.lockAddr);
    }
  }

  dealloc(cpu: Cpu, base: number, addr: number, size: number): void {
    this.counters.add(`backend.${this.label}.acquisitions`);
    cpu.lock(this.lockAddr);
    try {
      this.parent.dealloc(cpu, base, addr, size);
    } finally {
      cpu.unlock(this.lockAddr);
    }
  }
}
