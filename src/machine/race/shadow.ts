/**
 * Shadow memory of the race detector: per 8-byte granule, the last write (epoch, which bytes,
 * atomic or not, where in the model) and the reads since it (one epoch while they are ordered,
 * a per-thread table once two threads read concurrently, as FastTrack's read vector clock).
 * Pages of granules are made on first access and dropped with the simulated page.
 */
import { PAGE_SIZE } from '../sizes.ts';

export const GRANULES = PAGE_SIZE / 8;

/** Concurrent reads of one granule: per thread, the read's clock (0 = none), bytes, atomicity, site. */
export interface SharedReads {
  clock: number[];
  mask: number[];
  atomic: number[];
  site: number[];
}

export class ShadowPage {
  /** Last write's epoch (0 = none). */
  readonly wE = new Float64Array(GRANULES);
  readonly wM = new Uint8Array(GRANULES);
  readonly wA = new Uint8Array(GRANULES);
  readonly wS = new Int32Array(GRANULES);
  /** Reads since: 0 none, > 0 one epoch, < 0 -(index + 1) of a SharedReads in the detector's table. */
  readonly rE = new Float64Array(GRANULES);
  readonly rM = new Uint8Array(GRANULES);
  readonly rA = new Uint8Array(GRANULES);
  readonly rS = new Int32Array(GRANULES);
}

export class Shadow {
  private readonly pages = new Map<number, ShadowPage>();
  private lastVpn = -1;
  private last: ShadowPage | null = null;
  /** Shared read tables, indexed by -(rE) - 1; freed ones are reused. */
  readonly shared: Array<SharedReads | null> = [];
  private readonly freeShared: number[] = [];

  page(vpn: number): ShadowPage {
    if (vpn === this.lastVpn) return this.last as ShadowPage;
    let p = this.pages.get(vpn);
    if (p === undefined) {
      p = new ShadowPage();
      this.pages.set(vpn, p);
    }
    this.lastVpn = vpn;
    this.last = p;
    return p;
  }

  /** The page's memory is gone (unmapped, MADV_DONTNEED, moved): so is what the detector knew of it. */
  forget(vpn: number): void {
    const p = this.pages.get(vpn);
    if (p === undefined) return;
    for (let g = 0; g < GRANULES; g++) if ((p.rE[g] as number) < 0) this.release(-(p.rE[g] as number) - 1);
    this.pages.delete(vpn);
    if (vpn === this.lastVpn) {
      this.lastVpn = -1;
      this.last = null;
    }
  }

  newShared(): number {
    const i = this.freeShared.pop();
    const s: SharedReads = { clock: [], mask: [], atomic: [], site: [] };
    if (i !== undefined) {
      this.shared[i] = s;
      return i;
    }
    return this.shared.push(s) - 1;
  }

  release(i: number): void {
    this.shared[i] = null;
    this.freeShared.push(i);
  }
}
