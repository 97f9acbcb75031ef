/**
 * The per-thread cache of the `tcache` model, laid out like glibc's tcache_perthread_struct
 * (malloc/malloc.c): a 16-bit count per bin, then a list head per bin, in the thread's TLS.
 * Each cached block is a LIFO entry overlaying the block's payload: next at +0, the process-wide
 * key at +8 (glibc's tcache_entry { next; key; }), tagged ORIGIN_LINK.
 *
 *   TLS: [counts: u16 x bins][entries: ptr x bins][owner][registered][next cache]
 *          bin i holds blocks of exactly 32 + 16*i bytes
 */
import { ORIGIN_LINK } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { MIN_BLOCK } from '../shared/boundary-tags/layout.ts';

export class CacheLayout {
  readonly countsOff = 0;
  readonly entriesOff: number;
  readonly ownerOff: number;
  readonly registeredOff: number;
  readonly nextOff: number;
  readonly bytes: number;

  constructor(readonly bins: number) {
    this.entriesOff = Math.ceil((2 * bins) / 8) * 8;
    this.ownerOff = this.entriesOff + 8 * bins;
    this.registeredOff = this.ownerOff + 8;
    this.nextOff = this.registeredOff + 8;
    this.bytes = this.nextOff + 8;
  }

  /** Bin of a block of `bsize` bytes (glibc csize2tidx with this heap's 16-byte tags); may be >= bins. */
  binOf(bsize: number): number {
    return (bsize - MIN_BLOCK) / 16;
  }

  /** Block size held by bin i. */
  blockSizeOf(bin: number): number {
    return MIN_BLOCK + 16 * bin;
  }

  count(cpu: Cpu, tc: number, bin: number): number {
    return cpu.load(tc + this.countsOff + 2 * bin, 2);
  }

  setCount(cpu: Cpu, tc: number, bin: number, n: number): void {
    cpu.store(tc + this.countsOff + 2 * bin, n, 2);
  }

  head(cpu: Cpu, tc: number, bin: number): number {
    return cpu.load(tc + this.entriesOff + 8 * bin);
  }

  setHead(cpu: Cpu, tc: number, bin: number, e: number): void {
    cpu.store(tc + this.entriesOff + 8 * bin, e);
  }

  /** glibc tcache_put: push the block at payload e, stamping the key. */
  put(cpu: Cpu, tc: number, bin: number, e: number, key: number): number {
    cpu.store(e, this.head(cpu, tc, bin), 8, ORIGIN_LINK);
    cpu.store(e + 8, key, 8, ORIGIN_LINK);
    this.setHead(cpu, tc, bin, e);
    const n = this.count(cpu, tc, bin) + 1;
    this.setCount(cpu, tc, bin, n);
    return n;
  }

  /** glibc tcache_get: pop the newest entry, clearing its key. */
  get(cpu: Cpu, tc: number, bin: number): number {
    const e = this.head(cpu, tc, bin);
    this.setHead(cpu, tc, bin, cpu.load(e, 8, ORIGIN_LINK));
    cpu.store(e + 8, 0, 8, ORIGIN_LINK);
    this.setCount(cpu, tc, bin, this.count(cpu, tc, bin) - 1);
    return e;
  }

  /** Entries of a bin, newest first (heap walks and the double-free check). */
  entries(cpu: Cpu, tc: number, bin: number): number[] {
    const out: number[] = [];
    const n = this.count(cpu, tc, bin);
    for (let e = this.head(cpu, tc, bin); e !== 0 && out.length < n; e = cpu.load(e, 8, ORIGIN_LINK)) out.push(e);
    return out;
  }
}
