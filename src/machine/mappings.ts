/**
 * The mappings (VMAs) of the simulated process, placed top-down below MMAP_TOP as Linux does, with
 * the program break, and the page fault that consults them.
 *
 * A mapped page is not resident until first touched: a write fault makes it resident (RSS grows by
 * a page); a read fault of an untouched anonymous page maps Linux's shared zero page, which costs a
 * fault but not RSS, until the first write. A mapping may use 2 MiB huge pages: one fault then
 * brings in the whole aligned 2 MiB block.
 */
import * as K from './sizes.ts';
import { PageTable, PAGE_LAZYFREE, PAGE_RESIDENT, PAGE_ZERO, PROT_READ, PROT_WRITE } from './page-table.ts';

// Constants bound to this module's own names: V8 folds those into optimized code, but reloads an
// imported (live) binding at every use (see cpu.ts).
const PAGE_SIZE = K.PAGE_SIZE;
const HUGE_PAGE_SIZE = K.HUGE_PAGE_SIZE;

export interface Vma {
  start: number;
  end: number;
  prot: number;
  huge: boolean;
  noreserve: boolean;
  name: string;
}

export class SyscallError extends Error {
  constructor(
    readonly address: number,
    message: string,
  ) {
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

export class Mappings extends PageTable {
  readonly vmas: Vma[] = [];
  mappedBytes = 0;
  peakMappedBytes = 0;
  brkEnd = BRK_BASE;

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

  protected grewMapping(bytes: number): void {
    this.mappedBytes += bytes;
    if (this.mappedBytes > this.peakMappedBytes) this.peakMappedBytes = this.mappedBytes;
  }

  protected splitAt(addr: number): void {
    const v = this.vmaAt(addr);
    if (v === undefined || v.start === addr) return;
    const tail: Vma = { ...v, start: addr };
    v.end = addr;
    this.insertVma(tail);
  }

  protected insertVma(vma: Vma): void {
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

  protected overlaps(start: number, end: number): boolean {
    for (const v of this.vmas) if (v.start < end && start < v.end) return true;
    return false;
  }

  protected fullyMapped(start: number, end: number): boolean {
    let a = start;
    while (a < end) {
      const v = this.vmaAt(a);
      if (v === undefined) return false;
      a = v.end;
    }
    return true;
  }

  /** Can a mapping of `size` bytes go at the hint `addr` (aligned, free, above mmap_min_addr, below MMAP_TOP)? */
  protected hintUsable(addr: number, size: number, align: number): boolean {
    return addr % align === 0 && addr >= MMAP_MIN_ADDR && addr + size <= MMAP_TOP && !this.overlaps(addr, addr + size);
  }

  /** Highest aligned gap of `size` bytes below MMAP_TOP (top-down first fit). */
  protected findGap(size: number, align: number): number {
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
