/**
 * `buckets`: a bucket (segregated size class) allocator as in the course notes. Each size class
 * (16, 32, 48, 64, 96, 128, ... a quarter page) has its own pages; a page holds objects of one
 * size behind a header at the page start (class, list links, a used bitmap). malloc rounds the
 * request up to its class and takes the first clear bit of the first page on the class's list;
 * free rounds the pointer down to the page, clears the bit, and gives the page back to the OS
 * when it empties (unless it is the class's only page with room). Larger requests get their own
 * mapping with the same kind of header at its start. One lock guards the lists.
 *
 *   class 48: list -> [hdr|bitmap 1101..][48][48][  ][48]...  -> [hdr|bitmap ...][48]...
 *   class 64: list -> [hdr|bitmap ...   ][64][  ][64]...
 *   free(p):  page = p rounded down to the page; slot = (p - page - hdr) / size
 *
 * Sources: NatTuck/khoury-ntuck 18-advanced-malloc/notes.md ("Advanced Buckets") and
 * 19-malloc-pt3/opt-buckets.md (metadata at the chunk start, unmap when the bitmap shows nothing
 * used); docs/models/buckets.md.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { num, requirePowerOfTwo } from '../../lib/params.ts';
import { acquire, pathIds } from '../shared/model-support.ts';
import { BaseModel } from '../kit/base-model.ts';
import { AllocatorAbort, type HeapRegion, type ModelDescription, type ModelEnv, type ModelInfo } from '../kit/contract.ts';
import { mapDirect, unmapDirect } from '../shared/direct-map.ts';
import { bucketClasses, classFor, headerBytes, type BucketClass } from './size-classes.ts';
import {
  claimSlot,
  KIND_BUCKET,
  KIND_LARGE,
  P_BASE,
  P_CAP,
  P_CLASS,
  P_KIND,
  P_LEN,
  P_NEXT,
  P_PREV,
  P_USED,
  releaseSlot,
  slotUsed,
} from './page.ts';
import type { DirectMapStat } from '../shared/direct-map.ts';

/** The counters this model reports. */
export type BucketsStat = 'bucketPagesMapped' | 'bucketPagesUnmapped' | 'frees' | 'lockAcquisitions' | 'mallocs' | DirectMapStat;

// Static data: the lock, then one list head per class.
const G_LOCK = 0;
const G_LISTS = 64;
const WORK = { entry: 6, classLookup: 4, free: 6, listOp: 4, newPage: 20 } as const;

export class Buckets extends BaseModel<BucketsStat> {
  readonly pageBytes: number;
  readonly header: number;
  readonly classes: BucketClass[];
  private readonly globals: number;
  private readonly paths: { lock: number; newPage: number; large: number; release: number };

  constructor(env: ModelEnv) {
    super(env);
    this.paths = pathIds(env.machine, 'buckets', { lock: 'lock', newPage: 'new_page', large: 'direct_map', release: 'release_page' });
    this.pageBytes = num(env.params, 'pageKiB') * 1024;
    requirePowerOfTwo('allocator buckets', 'pageKiB', this.pageBytes / 1024, 4);
    this.header = headerBytes(this.pageBytes);
    this.classes = bucketClasses(this.pageBytes);
    this.globals = env.machine.staticData(G_LISTS + 8 * this.classes.length, 'buckets.bss');
  }

  private listHead(cls: number): number {
    return this.globals + G_LISTS + 8 * cls;
  }

  /** The page header for a pointer: the pointer rounded down to the page (the byte before it, for a large payload on a boundary). */
  pageOf(ptr: number): number {
    return ptr - 1 - ((ptr - 1) % this.pageBytes);
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    this.counters.add('mallocs');
    cpu.work(WORK.entry + WORK.classLookup);
    const cls = classFor(this.classes, size, align, this.header);
    if (cls < 0) return this.mallocLarge(cpu, size, align);
    const c = this.classes[cls] as BucketClass;
    acquire(cpu, this.globals + G_LOCK, this.counters, this.paths.lock);
    let page = cpu.load(this.listHead(cls));
    if (page === 0) page = this.newPage(cpu, cls);
    const slot = claimSlot(cpu, page);
    const used = cpu.load(page + P_USED, 4) + 1;
    cpu.store(page + P_USED, used, 4);
    if (used === c.perPage) this.unlinkPage(cpu, cls, page);
    cpu.unlock(this.globals + G_LOCK);
    return page + this.header + slot * c.size;
  }

  private mallocLarge(cpu: Cpu, size: number, align: number): number {
    cpu.path(this.paths.large);
    const d = mapDirect(cpu, size, align, this.header, this.counters, 'buckets', this.pageBytes);
    const hdr = this.pageOf(d.payload);
    cpu.store(hdr + P_KIND, KIND_LARGE, 4);
    cpu.store(hdr + P_BASE, d.base);
    cpu.store(hdr + P_LEN, d.len);
    return d.payload;
  }

  private newPage(cpu: Cpu, cls: number): number {
    cpu.path(this.paths.newPage);
    cpu.work(WORK.newPage);
    const page = cpu.mmap(this.pageBytes, { align: this.pageBytes, name: 'buckets' });
    cpu.store(page + P_KIND, KIND_BUCKET, 4);
    cpu.store(page + P_CLASS, cls, 4);
    cpu.store(page + P_CAP, (this.classes[cls] as BucketClass).perPage, 4);
    this.pushPage(cpu, cls, page);
    this.counters.add('bucketPagesMapped');
    this.counters.add('pagesMapped', this.pageBytes / 4096);
    return page;
  }

  free(cpu: Cpu, ptr: number): void {
    if (ptr === 0) return;
    this.counters.add('frees');
    cpu.work(WORK.free);
    const page = this.pageOf(ptr);
    const kind = cpu.load(page + P_KIND, 4);
    if (kind === KIND_LARGE) {
      cpu.path(this.paths.large);
      unmapDirect(cpu, cpu.load(page + P_BASE), cpu.load(page + P_LEN), this.counters);
      return;
    }
    const cls = cpu.load(page + P_CLASS, 4);
    const c = this.classes[cls];
    const offset = ptr - page - this.header;
    if (kind !== KIND_BUCKET || c === undefined || offset < 0 || offset % c.size !== 0) {
      throw new AllocatorAbort('free(): invalid pointer', ptr);
    }
    acquire(cpu, this.globals + G_LOCK, this.counters, this.paths.lock);
    if (!releaseSlot(cpu, page, offset / c.size)) {
      cpu.unlock(this.globals + G_LOCK);
      throw new AllocatorAbort('free(): double free detected (the slot is already free)', ptr);
    }
    const used = cpu.load(page + P_USED, 4) - 1;
    cpu.store(page + P_USED, used, 4);
    if (used === c.perPage - 1) this.pushPage(cpu, cls, page); // it was full: it has room again
    if (used === 0) this.releaseIfSpare(cpu, cls, page);
    cpu.unlock(this.globals + G_LOCK);
  }

  /** An empty page goes back to the OS, unless it is the only page of its class with room (no mmap/munmap ping-pong). */
  private releaseIfSpare(cpu: Cpu, cls: number, page: number): void {
    if (cpu.load(page + P_NEXT) === 0 && cpu.load(page + P_PREV) === 0) return;
    cpu.path(this.paths.release);
    this.unlinkPage(cpu, cls, page);
    cpu.munmap(page, this.pageBytes);
    this.counters.add('bucketPagesUnmapped');
    this.counters.add('pagesUnmapped', this.pageBytes / 4096);
  }

  usableSize(cpu: Cpu, ptr: number): number {
    const page = this.pageOf(ptr);
    if (cpu.load(page + P_KIND, 4) === KIND_LARGE) return cpu.load(page + P_BASE) + cpu.load(page + P_LEN) - ptr;
    return (this.classes[cpu.load(page + P_CLASS, 4)] as BucketClass).size;
  }

  // ---- the per-class list of pages with room (doubly linked through the page headers) ----

  private pushPage(cpu: Cpu, cls: number, page: number): void {
    cpu.work(WORK.listOp);
    const head = this.listHead(cls);
    const first = cpu.load(head);
    cpu.store(page + P_NEXT, first);
    cpu.store(page + P_PREV, 0);
    if (first !== 0) cpu.store(first + P_PREV, page);
    cpu.store(head, page);
  }

  private unlinkPage(cpu: Cpu, cls: number, page: number): void {
    cpu.work(WORK.listOp);
    const next = cpu.load(page + P_NEXT);
    const prev = cpu.load(page + P_PREV);
    if (prev === 0) cpu.store(this.listHead(cls), next);
    else cpu.store(prev + P_NEXT, next);
    if (next !== 0) cpu.store(next + P_PREV, prev);
    cpu.store(page + P_NEXT, 0);
    cpu.store(page + P_PREV, 0);
  }

  /** Pages with room, per class (tests and heap pictures). */
  pagesOf(cpu: Cpu, cls: number): number[] {
    const out: number[] = [];
    for (let p = cpu.load(this.listHead(cls)); p !== 0; p = cpu.load(p + P_NEXT)) out.push(p);
    return out;
  }

  /** Page headers as metadata, free slots of every page with room as free. */
  heapWalk(cpu: Cpu): HeapRegion[] {
    const regions: HeapRegion[] = [];
    for (const c of this.classes) {
      for (const page of this.pagesOf(cpu, c.index)) {
        regions.push({ addr: page, size: this.header, kind: 'metadata' });
        for (let s = 0; s < c.perPage; s++) {
          if (!slotUsed(cpu, page, s)) regions.push({ addr: page + this.header + s * c.size, size: c.size, kind: 'free' });
        }
      }
    }
    return regions;
  }

  describe(): ModelDescription {
    return {
      name: 'buckets',
      summary: 'segregated size classes (powers of two and halves), a page per bucket with its header and used bitmap at the page start',
      sizeClasses: this.classes.map((c) => ({
        index: c.index,
        size: c.size,
        perPage: c.perPage,
        wastePerPage: this.pageBytes - this.header - c.perPage * c.size,
      })),
      constants: {
        alignment: 16,
        pageBytes: this.pageBytes,
        pageHeaderBytes: this.header,
        largestClass: this.classes.at(-1)?.size ?? 0,
        emptyPages: 'unmapped unless the only page of the class with room',
        locks: 1,
      },
      sources: [
        'NatTuck/khoury-ntuck courses/2020/01/cs3650/notes/18-advanced-malloc/notes.md ("Advanced Buckets")',
        'NatTuck/khoury-ntuck 19-malloc-pt3/opt-buckets.md (metadata at the chunk start; munmap when nothing is used)',
        'jemalloc include/jemalloc/internal/sz.h sz_sa2u (aligned requests pick a class by its natural alignment)',
      ],
    };
  }
}

export const bucketsModel: ModelInfo = {
  name: 'buckets',
  summary: 'segregated power-of-two-and-a-half size classes, a page per bucket with its header at the page start',
  family: 'teaching',
  params: [
    {
      name: 'pageKiB',
      type: 'int',
      default: 4,
      min: 4,
      max: 1024,
      description: 'bytes per bucket page in KiB (a power of two); classes go up to a quarter of it',
      source: 'course notes 18-advanced-malloc: "allocating a page for each size"',
    },
  ],
  doc: 'docs/models/buckets.md',
  create: (env) => new Buckets(env),
};
