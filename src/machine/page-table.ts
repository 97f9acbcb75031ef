/**
 * The page table of the simulated process: which pages have a physical page (a slot), their state
 * (zero page, resident, lazily freed) and protection, RSS and faults counted, and the page contents.
 *
 * Values are stored little-endian in per-page buffers created on first write; memory never written
 * reads as zero. The mappings (mappings.ts) and the system calls (address-space.ts) build on it.
 */
import * as K from './sizes.ts';
import type { Costs } from './machine-spec.ts';
import { IntMap } from './int-map.ts';

// Constants bound to this module's own names: V8 folds those into optimized code, but reloads an
// imported (live) binding at every use (see cpu.ts).
const PAGE_SIZE = K.PAGE_SIZE;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_RW = 3;

/** Page states. */
export const PAGE_ZERO = 1; // read-faulted: the shared zero page, not in RSS
export const PAGE_RESIDENT = 2;
export const PAGE_LAZYFREE = 3; // resident, but MADV_FREE'd

export class PageTable {
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
  /** Slot of the page made available by the last fault() call. */
  faultSlot = -1;
  /** Called when a page slot is (re)used for the newly mapped page `vpn`. */
  onNewPage: (slot: number, vpn: number) => void = () => {};
  /** Called before a page slot is released (its physical page is gone). */
  onDropPage: (slot: number, vpn: number) => void = () => {};

  constructor(protected readonly costs: Costs) {}

  get rssBytes(): number {
    return this.residentPages * PAGE_SIZE;
  }

  protected newPage(vpn: number, prot: number): number {
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

  protected makeResident(s: number): void {
    this.pstate[s] = PAGE_RESIDENT;
    if (++this.residentPages > this.peakResidentPages) this.peakResidentPages = this.residentPages;
  }

  /** Drops a page: leaves RSS, contents gone. */
  protected dropPage(vpn: number, s: number): void {
    const st = this.pstate[s] as number;
    if (st === PAGE_RESIDENT || st === PAGE_LAZYFREE) this.residentPages--;
    if (st === PAGE_LAZYFREE) this.lazyFreePages--;
    this.pdata32[s] = null;
    this.pdata8[s] = null;
    this.onDropPage(s, vpn);
    this.pages.delete(vpn);
  }

  /** Calls fn(vpn, slot) for every page with a slot in [startVpn, endVpn). */
  protected forEachPage(startVpn: number, endVpn: number, fn: (vpn: number, slot: number) => void): void {
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
}
