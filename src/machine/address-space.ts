/**
 * The simulated OS's view of one process's memory: the memory system calls (mmap, munmap, mremap,
 * mprotect, madvise, brk) on its mappings (mappings.ts) and page table (page-table.ts).
 *
 * MAP_POPULATE makes pages resident without faults. madvise(DONTNEED) drops pages (RSS falls,
 * contents read as zero again); madvise(FREE) marks them lazily freeable: by default they stay
 * resident, as Linux keeps them until memory pressure, unless the machine is told to reclaim them
 * at once. Every call returns the cycles it cost and is counted by kind.
 */
import * as K from './sizes.ts';
import { type Costs, type SyscallKind, SYSCALL_KINDS } from './machine-spec.ts';
import { BRK_BASE, Mappings, MMAP_TOP, SyscallError, type Vma } from './mappings.ts';
import { PAGE_LAZYFREE, PAGE_RESIDENT, PAGE_ZERO, PROT_RW, PROT_WRITE } from './page-table.ts';
import { hex } from '../sim/hex.ts';

// Constants bound to this module's own names: V8 folds those into optimized code, but reloads an
// imported (live) binding at every use (see cpu.ts).
const PAGE_SIZE = K.PAGE_SIZE;

export type Advice = 'dontneed' | 'free' | 'willneed' | 'dodump' | 'dontdump' | 'hugepage' | 'nohugepage';
export const ADVICES: readonly Advice[] = ['dontneed', 'free', 'willneed', 'dodump', 'dontdump', 'hugepage', 'nohugepage'];

export interface MmapOptions {
  /** Alignment of the returned address (a power of two, at least a page). */
  align?: number;
  /** Requested address: with `fixed` it is mandatory, without it a hint used when that range is free. */
  addr?: number;
  /** 'replace' = MAP_FIXED (unmaps what was there); 'noreplace' = MAP_FIXED_NOREPLACE. */
  fixed?: 'replace' | 'noreplace';
  prot?: number;
  /** MAP_POPULATE: make every page resident now, without faults. */
  populate?: boolean;
  /** MAP_NORESERVE: reported separately; no effect on residency. */
  noreserve?: boolean;
  /** Back the mapping with 2 MiB pages where aligned. */
  huge?: boolean;
  name?: string;
}

export class AddressSpace extends Mappings {
  readonly syscalls: Record<SyscallKind, number>;
  /** Called when [start, end) is unmapped (munmap, MAP_FIXED replacement, brk shrink). */
  onUnmapRange: (start: number, end: number) => void = () => {};
  /** Called before mremap moves a page to another address (its lines are cached by the old address). */
  onMovePage: (slot: number, vpn: number) => void = () => {};

  constructor(
    costs: Costs,
    private readonly reclaimLazyFree = false,
  ) {
    super(costs);
    this.syscalls = Object.fromEntries(SYSCALL_KINDS.map((k) => [k, 0])) as Record<SyscallKind, number>;
  }

  /** Counts a system call of `kind` and returns its base cost. */
  syscall(kind: SyscallKind): number {
    this.syscalls[kind]++;
    return this.costs.syscall[kind];
  }

  /** mmap(2). `counted` = false maps without a system call (the runtime's own areas, such as TLS). */
  mmap(len: number, opts: MmapOptions = {}, counted = true): { addr: number; cost: number } {
    let cost = counted ? this.syscall('mmap') : 0;
    if (!(len > 0) || !Number.isSafeInteger(len)) throw new SyscallError(opts.addr ?? 0, `mmap: bad length ${len}`);
    const size = roundUp(len, PAGE_SIZE);
    const align = Math.max(PAGE_SIZE, opts.align ?? PAGE_SIZE);
    if (!Number.isInteger(Math.log2(align))) {
      throw new SyscallError(0, `mmap: alignment ${align} is not a power of two`);
    }
    let addr: number;
    if (opts.fixed !== undefined) {
      addr = opts.addr ?? -1;
      if (addr < 0 || addr % PAGE_SIZE !== 0) throw new SyscallError(addr, 'mmap: fixed address must be page-aligned');
      if (this.overlaps(addr, addr + size)) {
        if (opts.fixed === 'noreplace') throw new SyscallError(addr, 'mmap: MAP_FIXED_NOREPLACE range is already mapped');
        cost += this.unmapRange(addr, addr + size);
      }
    } else if (opts.addr !== undefined && this.hintUsable(opts.addr, size, align)) {
      // Without MAP_FIXED the address is a hint: Linux uses it when the range is free.
      addr = opts.addr;
    } else {
      addr = this.findGap(size, align);
    }
    const vma: Vma = {
      start: addr,
      end: addr + size,
      prot: opts.prot ?? PROT_RW,
      huge: opts.huge === true,
      noreserve: opts.noreserve === true,
      name: opts.name ?? 'anon',
    };
    this.insertVma(vma);
    this.mappedBytes += size;
    if (this.mappedBytes > this.peakMappedBytes) this.peakMappedBytes = this.mappedBytes;
    if (opts.populate === true && (vma.prot & PROT_WRITE) !== 0) cost += this.populate(addr, addr + size, vma.prot);
    return { addr, cost };
  }

  munmap(addr: number, len: number): number {
    const cost = this.syscall('munmap');
    checkRange(addr, len, 'munmap');
    return cost + this.unmapRange(addr, addr + roundUp(len, PAGE_SIZE));
  }

  /**
   * mremap(2) with MREMAP_MAYMOVE. Shrinking unmaps the tail; growing extends the mapping in place
   * when the pages after it are free, and otherwise moves it to a new range: the page-table entries
   * move with their pages (contents and residency follow, no copy, no fault), charged per resident
   * page. The old range must lie within one mapping. Returns the (new) address and the cost.
   */
  mremap(addr: number, oldLen: number, newLen: number): { addr: number; cost: number } {
    let cost = this.syscall('mremap');
    checkRange(addr, oldLen, 'mremap');
    if (!(newLen > 0)) throw new SyscallError(addr, `mremap: bad new length ${newLen} (EINVAL)`);
    const oldSize = roundUp(oldLen, PAGE_SIZE);
    const newSize = roundUp(newLen, PAGE_SIZE);
    const vma = this.vmaAt(addr);
    if (vma === undefined || vma.end < addr + oldSize) throw new SyscallError(addr, 'mremap: old range is not within one mapping (EFAULT)');
    if (newSize === oldSize) return { addr, cost };
    if (newSize < oldSize) return { addr, cost: cost + this.unmapRange(addr + newSize, addr + oldSize) };
    if (vma.end === addr + oldSize && addr + newSize <= MMAP_TOP && !this.overlaps(addr + oldSize, addr + newSize)) {
      vma.end = addr + newSize;
      this.grewMapping(newSize - oldSize);
      this.epoch++;
      return { addr, cost };
    }
    const to = this.findGap(newSize, PAGE_SIZE);
    this.insertVma({ ...vma, start: to, end: to + newSize });
    this.grewMapping(newSize);
    const delta = to / PAGE_SIZE - addr / PAGE_SIZE;
    this.forEachPage(addr / PAGE_SIZE, (addr + oldSize) / PAGE_SIZE, (v, s) => {
      cost += this.movePage(v, s, v + delta);
    });
    cost += this.unmapRange(addr, addr + oldSize); // its pages are gone already: only the mapping goes
    return { addr: to, cost };
  }

  /** Re-keys page `vpn` (slot `s`) as page `to`, keeping its state and contents; returns the cycles. */
  private movePage(vpn: number, s: number, to: number): number {
    const state = this.pstate[s] as number;
    const prot = this.pprot[s] as number;
    const d32 = this.pdata32[s] ?? null;
    const d8 = this.pdata8[s] ?? null;
    this.onMovePage(s, vpn);
    this.pages.delete(vpn);
    const s2 = this.newPage(to, prot);
    this.pstate[s2] = state;
    this.pdata32[s2] = d32;
    this.pdata8[s2] = d8;
    return state === PAGE_RESIDENT || state === PAGE_LAZYFREE ? this.costs.unmapPerPage : 0;
  }

  mprotect(addr: number, len: number, prot: number): number {
    const cost = this.syscall('mprotect');
    checkRange(addr, len, 'mprotect');
    const end = addr + roundUp(len, PAGE_SIZE);
    if (!this.fullyMapped(addr, end)) throw new SyscallError(addr, 'mprotect: range is not fully mapped (ENOMEM)');
    this.splitAt(addr);
    this.splitAt(end);
    for (const v of this.vmas) if (v.start >= addr && v.end <= end) v.prot = prot;
    this.forEachPage(addr / PAGE_SIZE, end / PAGE_SIZE, (_v, s) => {
      this.pprot[s] = prot;
    });
    this.epoch++;
    return cost;
  }

  madvise(addr: number, len: number, advice: Advice): number {
    let cost = this.syscall('madvise');
    checkRange(addr, len, 'madvise');
    const end = addr + roundUp(len, PAGE_SIZE);
    if (advice === 'dontneed' || (advice === 'free' && this.reclaimLazyFree)) {
      this.forEachPage(addr / PAGE_SIZE, end / PAGE_SIZE, (v, s) => {
        if (this.pstate[s] !== PAGE_ZERO) cost += this.costs.unmapPerPage;
        this.dropPage(v, s);
      });
      this.epoch++;
    } else if (advice === 'free') {
      this.forEachPage(addr / PAGE_SIZE, end / PAGE_SIZE, (_v, s) => {
        if (this.pstate[s] === PAGE_RESIDENT) {
          this.pstate[s] = PAGE_LAZYFREE;
          this.lazyFreePages++;
          cost += this.costs.unmapPerPage;
        }
      });
      this.epoch++;
    }
    return cost;
  }

  /** Moves the program break by `delta` bytes (page-rounded); returns the old break and the cost. */
  sbrk(delta: number): { old: number; cost: number } {
    const cost = this.syscall('brk');
    const old = this.brkEnd;
    if (delta === 0) return { old, cost };
    const newEnd = old + delta;
    if (newEnd < BRK_BASE) throw new SyscallError(newEnd, 'brk: below the heap start');
    const oldTop = roundUp(old, PAGE_SIZE);
    const newTop = roundUp(newEnd, PAGE_SIZE);
    let extra = 0;
    if (newTop > oldTop) {
      if (this.overlaps(oldTop, newTop)) throw new SyscallError(oldTop, 'brk: heap would run into a mapping');
      const heap = this.vmas.find((v) => v.name === '[heap]');
      if (heap !== undefined) heap.end = newTop;
      else this.insertVma({ start: BRK_BASE, end: newTop, prot: PROT_RW, huge: false, noreserve: false, name: '[heap]' });
      this.mappedBytes += newTop - oldTop;
      if (this.mappedBytes > this.peakMappedBytes) this.peakMappedBytes = this.mappedBytes;
    } else if (newTop < oldTop) {
      extra = this.unmapRange(newTop, oldTop);
    }
    this.brkEnd = newEnd;
    return { old, cost: cost + extra };
  }

  /** Makes [start, end) resident without faults (MAP_POPULATE); returns the cycles. */
  private populate(start: number, end: number, prot: number): number {
    let cost = 0;
    for (let a = start; a < end; a += PAGE_SIZE) {
      const s = this.newPage(a / PAGE_SIZE, prot);
      if (this.pstate[s] !== PAGE_RESIDENT) {
        this.makeResident(s);
        cost += this.costs.populatePerPage;
      }
    }
    this.epoch++;
    return cost;
  }

  private unmapRange(start: number, end: number): number {
    this.onUnmapRange(start, end);
    let cost = 0;
    this.forEachPage(start / PAGE_SIZE, end / PAGE_SIZE, (v, s) => {
      if (this.pstate[s] !== PAGE_ZERO) cost += this.costs.unmapPerPage;
      this.dropPage(v, s);
    });
    this.splitAt(start);
    this.splitAt(end);
    for (let i = this.vmas.length - 1; i >= 0; i--) {
      const v = this.vmas[i] as Vma;
      if (v.start >= start && v.end <= end) {
        this.mappedBytes -= v.end - v.start;
        this.vmas.splice(i, 1);
      }
    }
    this.epoch++;
    return cost;
  }
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

function checkRange(addr: number, len: number, call: string): void {
  if (addr % PAGE_SIZE !== 0 || !(len > 0)) {
    throw new SyscallError(addr, `${call}: address ${hex(addr)} must be page-aligned and length positive (EINVAL)`);
  }
}
