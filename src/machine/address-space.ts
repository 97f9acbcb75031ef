/**
 * The simulated OS's view of one process's memory: mappings (VMAs), pages, RSS and the memory
 * system calls, with the page contents themselves.
 *
 * Pages are 4 KiB. A mapped page is not resident until first touched: a write fault makes it
 * resident (RSS grows by a page); a read fault of an untouched anonymous page maps Linux's shared
 * zero page, which costs a fault but not RSS, until the first write. MAP_POPULATE makes pages
 * resident without faults. madvise(DONTNEED) drops pages (RSS falls, contents read as zero again);
 * madvise(FREE) marks them lazily freeable: by default they stay resident, as Linux keeps them until
 * memory pressure, unless the machine is told to reclaim them at once. A mapping may use 2 MiB
 * huge pages: one fault then brings in the whole aligned 2 MiB block.
 *
 * Values are stored little-endian in per-page buffers created on first write; memory never written
 * reads as zero. Every call returns the cycles it cost and is counted by kind.
 */
import * as K from './sizes.ts';
import { type Costs, type SyscallKind, SYSCALL_KINDS } from './machine-spec.ts';
import { IntMap } from './int-map.ts';
import { hex } from '../sim/hex.ts';

// Constants bound to this module's own names: V8 folds those into optimized code, but reloads an
// imported (live) binding at every use (see cpu.ts).
const PAGE_SIZE = K.PAGE_SIZE;
const HUGE_PAGE_SIZE = K.HUGE_PAGE_SIZE;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_RW = 3;

/** Page states. */
export const PAGE_ZERO = 1; // read-faulted: the shared zero page, not in RSS
export const PAGE_RESIDENT = 2;
export const PAGE_LAZYFREE = 3; // resident, but MADV_FREE'd

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

export interface Vma {
  start: number;
  end: number;
  prot: number;
  huge: boolean;
  noreserve: boolean;
  name: string;
}

export class SyscallError extends Error {
  constructor(readonly address: number, message: string) {
    super(message);
    this.name = 'SyscallError';
  }
}

/** Top of the mmap area; mappings are placed top-down below it, as Linux does. */
export const MMAP_TOP = 0x7f00_0000_0000;
/** Lowest address a mapping may take (Linux's default vm.mmap_min_addr). */
export const MMAP_MIN_ADDR = 0x1_0000;
/** Start of the brk heap (a typical PIE heap start). */
export const BRK_BASE = 0x5555_5600_0000;

export class AddressSpace {
  readonly vmas: Vma[] = [];
  readonly pages = new IntMap(1 << 12);
  pstate: Uint8Array = new Uint8Array(1024);
  pprot: Uint8Array = new Uint8Array(1024);
  pdata32: Array<Uint32Array | null> = [];
  pdata8: Array<Uint8Array | null> = [];
  /** Bumped whenever a page may have changed slot, state or protection: translation caches compare it. */
  epoch = 0;
  residentPages = 0;
  peakResidentPages = 0;
  lazyFreePages = 0;
  pageFaults = 0;
  zeroPageFaults = 0;
  mappedBytes = 0;
  peakMappedBytes = 0;
  readonly syscalls: Record<SyscallKind, number>;
  brkEnd = BRK_BASE;
  /** Slot of the page made available by the last fault() call. */
  faultSlot = -1;
  /** Called when a page slot is (re)used for the newly mapped page `vpn`. */
  onNewPage: (slot: number, vpn: number) => void = () => {};
  /** Called before a page slot is released (its physical page is gone). */
  onDropPage: (slot: number, vpn: number) => void = () => {};
  /** Called when [start, end) is unmapped (munmap, MAP_FIXED replacement, brk shrink). */
  onUnmapRange: (start: number, end: number) => void = () => {};
  /** Called before mremap moves a page to another address (its lines are cached by the old address). */
  onMovePage: (slot: number, vpn: number) => void = () => {};

  constructor(private readonly costs: Costs, private readonly reclaimLazyFree = false) {
    this.syscalls = Object.fromEntries(SYSCALL_KINDS.map((k) => [k, 0])) as Record<SyscallKind, number>;
  }

  get rssBytes(): number {
    return this.residentPages * PAGE_SIZE;
  }

  /** Counts a system call of `kind` and returns its base cost. */
  syscall(kind: SyscallKind): number {
    this.syscalls[kind]++;
    return this.costs.syscall[kind];
  }

  // ---- lookup ----

  /** The mapping containing `addr`, or undefined. */
  vmaAt(addr: number): Vma | undefined {
    const v = this.vmas;
    let lo = 0;
    let hi = v.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = v[mid] as Vma;
      if (addr < m.start) hi = mid - 1;
      else if (addr >= m.end) lo = mid + 1;
      else return m;
    }
    return undefined;
  }

  /**
   * Handles an access to page `vpn` that the fast path could not satisfy. Returns the cycles
   * charged (0 if no fault was needed) and leaves the page's slot in `faultSlot`; returns -1 for
   * an unmapped page and -2 for a protection violation.
   */
  fault(vpn: number, write: boolean): number {
    let s = this.pages.get(vpn);
    if (s >= 0) {
      const prot = this.pprot[s] as number;
      if ((prot & (write ? PROT_WRITE : PROT_READ)) === 0) return -2;
      this.faultSlot = s;
      const st = this.pstate[s] as number;
      if (!write || st === PAGE_RESIDENT) return 0;
      if (st === PAGE_LAZYFREE) {
        this.pstate[s] = PAGE_RESIDENT;
        this.lazyFreePages--;
        return 0;
      }
      // Write to the zero page: copy-on-write fault, the page becomes resident.
      this.makeResident(s);
      this.pageFaults++;
      return this.costs.pageFault;
    }
    const addr = vpn * PAGE_SIZE;
    const vma = this.vmaAt(addr);
    if (vma === undefined) return -1;
    if ((vma.prot & (write ? PROT_WRITE : PROT_READ)) === 0) return -2;
    this.pageFaults++;
    if (vma.huge) {
      const blockStart = Math.max(vma.start, Math.floor(addr / HUGE_PAGE_SIZE) * HUGE_PAGE_SIZE);
      const blockEnd = Math.min(vma.end, blockStart + HUGE_PAGE_SIZE);
      for (let a = blockStart; a < blockEnd; a += PAGE_SIZE) {
        const v = a / PAGE_SIZE;
        const slot = this.newPage(v, vma.prot);
        if (this.pstate[slot] !== PAGE_RESIDENT) this.makeResident(slot);
      }
      this.faultSlot = this.pages.get(vpn);
      return this.costs.pageFault + ((blockEnd - blockStart) / PAGE_SIZE - 1) * this.costs.populatePerPage;
    }
    s = this.newPage(vpn, vma.prot);
    if (write) {
      this.makeResident(s);
    } else {
      this.pstate[s] = PAGE_ZERO;
      this.zeroPageFaults++;
    }
    this.faultSlot = s;
    return this.costs.pageFault;
  }

  private newPage(vpn: number, prot: number): number {
    const s = this.pages.getOrInsert(vpn);
    if (this.pages.created) {
      if (s >= this.pstate.length) {
        const n = Math.max(s + 1, this.pstate.length * 2);
        const st = new Uint8Array(n);
        st.set(this.pstate);
        this.pstate = st;
        const pr = new Uint8Array(n);
        pr.set(this.pprot);
        this.pprot = pr;
      }
      this.pstate[s] = 0;
      this.pprot[s] = prot;
      this.pdata32[s] = null;
      this.pdata8[s] = null;
      this.onNewPage(s, vpn);
    }
    return s;
  }

  private makeResident(s: number): void {
    this.pstate[s] = PAGE_RESIDENT;
    if (++this.residentPages > this.peakResidentPages) this.peakResidentPages = this.residentPages;
  }

  /** Drops a page: leaves RSS, contents gone. */
  private dropPage(vpn: number, s: number): void {
    const st = this.pstate[s] as number;
    if (st === PAGE_RESIDENT || st === PAGE_LAZYFREE) this.residentPages--;
    if (st === PAGE_LAZYFREE) this.lazyFreePages--;
    this.pdata32[s] = null;
    this.pdata8[s] = null;
    this.onDropPage(s, vpn);
    this.pages.delete(vpn);
  }

  /** Calls fn(vpn, slot) for every page with a slot in [startVpn, endVpn). */
  private forEachPage(startVpn: number, endVpn: number, fn: (vpn: number, slot: number) => void): void {
    if (endVpn - startVpn <= 4 * this.pages.size + 64) {
      for (let v = startVpn; v < endVpn; v++) {
        const s = this.pages.get(v);
        if (s >= 0) fn(v, s);
      }
      return;
    }
    const hits: number[] = [];
    this.pages.forEach((v) => {
      if (v >= startVpn && v < endVpn) hits.push(v);
    });
    hits.sort((a, b) => a - b);
    for (const v of hits) fn(v, this.pages.get(v));
  }

  // ---- values ----

  /** The 32-bit view of a page's contents, created on first write. */
  words(s: number): Uint32Array {
    const d = this.pdata32[s];
    return d === null || d === undefined ? this.newWords(s) : d;
  }

  private newWords(s: number): Uint32Array {
    const buf = new ArrayBuffer(PAGE_SIZE);
    const d = new Uint32Array(buf);
    this.pdata32[s] = d;
    this.pdata8[s] = new Uint8Array(buf);
    return d;
  }

  // ---- system calls ----

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

  private grewMapping(bytes: number): void {
    this.mappedBytes += bytes;
    if (this.mappedBytes > this.peakMappedBytes) this.peakMappedBytes = this.mappedBytes;
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

  private splitAt(addr: number): void {
    const v = this.vmaAt(addr);
    if (v === undefined || v.start === addr) return;
    const tail: Vma = { ...v, start: addr };
    v.end = addr;
    this.insertVma(tail);
  }

  private insertVma(vma: Vma): void {
    const v = this.vmas;
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((v[mid] as Vma).start < vma.start) lo = mid + 1;
      else hi = mid;
    }
    v.splice(lo, 0, vma);
  }

  private overlaps(start: number, end: number): boolean {
    for (const v of this.vmas) if (v.start < end && start < v.end) return true;
    return false;
  }

  private fullyMapped(start: number, end: number): boolean {
    let a = start;
    while (a < end) {
      const v = this.vmaAt(a);
      if (v === undefined) return false;
      a = v.end;
    }
    return true;
  }

  /** Can a mapping of `size` bytes go at the hint `addr` (aligned, free, above mmap_min_addr, below MMAP_TOP)? */
  private hintUsable(addr: number, size: number, align: number): boolean {
    return addr % align === 0 && addr >= MMAP_MIN_ADDR && addr + size <= MMAP_TOP && !this.overlaps(addr, addr + size);
  }

  /** Highest aligned gap of `size` bytes below MMAP_TOP (top-down first fit). */
  private findGap(size: number, align: number): number {
    let ceiling = MMAP_TOP;
    for (let i = this.vmas.length - 1; i >= -1; i--) {
      const floor = i >= 0 ? (this.vmas[i] as Vma).end : PAGE_SIZE;
      if (i >= 0 && (this.vmas[i] as Vma).start >= MMAP_TOP) continue;
      const start = Math.floor((Math.min(ceiling, MMAP_TOP) - size) / align) * align;
      if (start >= floor && start >= this.brkEnd + (1 << 30)) return start;
      if (i >= 0) ceiling = Math.min(ceiling, (this.vmas[i] as Vma).start);
    }
    throw new SyscallError(0, `mmap: no room for ${size} bytes (ENOMEM)`);
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
