/**
 * `buddy`: a binary buddy allocator. Memory comes in heaps of 2^maxOrder bytes (1 MiB), each
 * mapped aligned to its size. A request is rounded up to a power of two (header included); a
 * bigger free block is split in halves until one has that order, the unused halves going onto the
 * free list of their order. On free, a block merges with its buddy (address XOR size) while the
 * buddy is free and of the same order, up to a whole heap.
 *
 *   order 20 [                          1 MiB                          ]
 *   order 19 [           512 KiB           ][          512 KiB          ]
 *   order 18 [   256 KiB   ][   256 KiB    ]     buddy(b, k) = b XOR 2^k
 *
 * Free lists (one per order, doubly linked through the free blocks) and the lock live in the
 * model's static data; each block starts with a header word (order, in-use bit). The course's
 * opt-buddy notes (NatTuck/khoury-ntuck 19-malloc-pt3/opt-buddy.md) and Linux's page allocator
 * (mm/page_alloc.c __free_one_page, expand; mm/internal.h __find_buddy_pfn). docs/models/buddy.md.
 */
import { ORIGIN_LINK } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { num, ParamError } from '../../lib/params.ts';
import { BaseModel } from '../kit/base-model.ts';
import { AllocatorAbort, type HeapRegion, type ModelDescription, type ModelEnv, type ModelInfo } from '../kit/contract.ts';
import { mapDirect, unmapDirect } from '../shared/direct-map.ts';
import { acquire, pathIds } from '../shared/model-support.ts';
import type { DirectMapStat } from '../shared/direct-map.ts';

/** The counters this model reports. */
export type BuddyStat = 'coalesces' | 'frees' | 'heapsMapped' | 'heapsUnmapped' | 'lockAcquisitions' | 'mallocs' | 'splits' | DirectMapStat;

const USED = 1;
const MAPPED = 2; // a direct mapping: the header holds its length
const HEADER = 16; // keeps payloads 16-byte aligned
const LINK_NEXT = 8;
const LINK_PREV = 16;
// Static data: lock, heap count, then one list head per order.
const G_LOCK = 0;
const G_HEAPS = 8;
const G_LISTS = 64;
const WORK = { entry: 8, split: 6, merge: 8, listOp: 4, free: 6, heap: 30 } as const;

/**
 * The buddy of the order-k block at b: b XOR 2^k (Linux __find_buddy_pfn). Heaps are aligned to
 * their size, so it stays inside the heap. Written with arithmetic: JS bit operators are 32-bit.
 */
export function buddyOf(b: number, k: number): number {
  const size = 2 ** k;
  return Math.floor(b / size) % 2 === 0 ? b + size : b - size;
}

export class Buddy extends BaseModel<BuddyStat> {
  readonly minOrder: number;
  readonly maxOrder: number;
  private readonly globals: number;
  private readonly paths: { lock: number; split: number; merge: number; large: number };

  constructor(env: ModelEnv) {
    super(env);
    this.paths = pathIds(env.machine, 'buddy', { lock: 'lock', split: 'split', merge: 'merge', large: 'direct_map' });
    this.minOrder = num(env.params, 'minOrder');
    this.maxOrder = num(env.params, 'maxOrder');
    if (this.minOrder > this.maxOrder - 1) {
      throw new ParamError(`allocator buddy: minOrder=${this.minOrder} must be below maxOrder=${this.maxOrder}`);
    }
    this.globals = env.machine.staticData(G_LISTS + 8 * (this.maxOrder + 1), 'buddy.bss');
  }

  private listHead(order: number): number {
    return this.globals + G_LISTS + 8 * order;
  }

  /** Smallest order whose block holds `bytes`. */
  orderFor(bytes: number): number {
    return Math.max(this.minOrder, Math.ceil(Math.log2(bytes)));
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    this.counters.add('mallocs');
    cpu.work(WORK.entry);
    const lead = Math.max(HEADER, align); // payload offset: the header, or the alignment (blocks are aligned to their size)
    const order = this.orderFor(lead + Math.max(size, 1));
    if (order > this.maxOrder) {
      cpu.path(this.paths.large);
      const d = mapDirect(cpu, size, align, HEADER, this.counters, 'buddy');
      cpu.store(d.base, d.len + MAPPED + USED);
      cpu.store(d.payload - 8, d.payload - d.base);
      return d.payload;
    }
    acquire(cpu, this.globals + G_LOCK, this.counters, this.paths.lock);
    const b = this.take(cpu, order);
    cpu.store(b, order * 4 + USED);
    cpu.unlock(this.globals + G_LOCK);
    cpu.store(b + lead - 8, lead);
    return b + lead;
  }

  /** Removes a block of `order` from the free lists, splitting a bigger one (or a new heap) if needed. */
  private take(cpu: Cpu, order: number): number {
    let k = order;
    while (k <= this.maxOrder && cpu.load(this.listHead(k)) === 0) k++;
    const b = k > this.maxOrder ? this.newHeap(cpu) : this.pop(cpu, k);
    if (k > this.maxOrder) k = this.maxOrder;
    if (k > order) cpu.path(this.paths.split);
    while (k > order) {
      cpu.work(WORK.split);
      k--;
      const upper = b + 2 ** k;
      cpu.store(upper, k * 4);
      this.push(cpu, k, upper);
      this.counters.add('splits');
    }
    return b;
  }

  private newHeap(cpu: Cpu): number {
    cpu.work(WORK.heap);
    const size = 2 ** this.maxOrder;
    const h = cpu.mmap(size, { align: size, name: 'buddy' });
    cpu.store(this.globals + G_HEAPS, cpu.load(this.globals + G_HEAPS) + 1);
    this.counters.add('heapsMapped');
    this.counters.add('pagesMapped', size / 4096);
    return h;
  }

  free(cpu: Cpu, ptr: number): void {
    if (ptr === 0) return;
    this.counters.add('frees');
    cpu.work(WORK.free);
    let b = ptr - cpu.load(ptr - 8);
    const tag = cpu.load(b);
    if ((tag & MAPPED) !== 0) {
      cpu.path(this.paths.large);
      unmapDirect(cpu, b, tag - (tag % 4), this.counters);
      return;
    }
    if ((tag & USED) === 0) throw new AllocatorAbort('free(): double free detected (the block is already free)', ptr);
    let k = Math.floor(tag / 4);
    acquire(cpu, this.globals + G_LOCK, this.counters, this.paths.lock);
    cpu.store(b, k * 4); // free, so a second free of ptr is caught even after a merge
    cpu.path(this.paths.merge);
    while (k < this.maxOrder) {
      const buddy = buddyOf(b, k);
      if (cpu.load(buddy) !== k * 4) break; // in use, or split into smaller blocks
      cpu.work(WORK.merge);
      this.unlink(cpu, k, buddy);
      b = Math.min(b, buddy);
      k++;
      this.counters.add('coalesces');
    }
    if (k === this.maxOrder && cpu.load(this.globals + G_HEAPS) > 1) {
      cpu.store(this.globals + G_HEAPS, cpu.load(this.globals + G_HEAPS) - 1);
      cpu.munmap(b, 2 ** k);
      this.counters.add('heapsUnmapped');
      this.counters.add('pagesUnmapped', 2 ** k / 4096);
    } else {
      cpu.store(b, k * 4);
      this.push(cpu, k, b);
    }
    cpu.unlock(this.globals + G_LOCK);
  }

  usableSize(cpu: Cpu, ptr: number): number {
    const b = ptr - cpu.load(ptr - 8);
    const tag = cpu.load(b);
    const span = (tag & MAPPED) !== 0 ? tag - (tag % 4) : 2 ** Math.floor(tag / 4);
    return b + span - ptr;
  }

  // ---- free lists: doubly linked through the free blocks ----

  private push(cpu: Cpu, order: number, b: number): void {
    cpu.work(WORK.listOp);
    const head = this.listHead(order);
    const first = cpu.load(head);
    cpu.store(b + LINK_NEXT, first, 8, ORIGIN_LINK);
    cpu.store(b + LINK_PREV, 0, 8, ORIGIN_LINK);
    if (first !== 0) cpu.store(first + LINK_PREV, b, 8, ORIGIN_LINK);
    cpu.store(head, b);
  }

  private pop(cpu: Cpu, order: number): number {
    const b = cpu.load(this.listHead(order));
    this.unlink(cpu, order, b);
    return b;
  }

  private unlink(cpu: Cpu, order: number, b: number): void {
    cpu.work(WORK.listOp);
    const next = cpu.load(b + LINK_NEXT, 8, ORIGIN_LINK);
    const prev = cpu.load(b + LINK_PREV, 8, ORIGIN_LINK);
    if (prev === 0) cpu.store(this.listHead(order), next);
    else cpu.store(prev + LINK_NEXT, next, 8, ORIGIN_LINK);
    if (next !== 0) cpu.store(next + LINK_PREV, prev, 8, ORIGIN_LINK);
  }

  /** Free blocks of each order, as the lists hold them (tests and heap pictures). */
  freeBlocks(cpu: Cpu): Array<{ order: number; addr: number }> {
    const out: Array<{ order: number; addr: number }> = [];
    for (let k = this.minOrder; k <= this.maxOrder; k++) {
      for (let b = cpu.load(this.listHead(k)); b !== 0; b = cpu.load(b + LINK_NEXT, 8, ORIGIN_LINK)) out.push({ order: k, addr: b });
    }
    return out;
  }

  heapWalk(cpu: Cpu): HeapRegion[] {
    return this.freeBlocks(cpu).map(({ order, addr }) => ({ addr, size: 2 ** order, kind: 'free' as const }));
  }

  describe(): ModelDescription {
    const sizeClasses = [];
    for (let k = this.minOrder; k <= this.maxOrder; k++)
      sizeClasses.push({ index: k - this.minOrder, size: 2 ** k - HEADER, order: k, blockBytes: 2 ** k });
    return {
      name: 'buddy',
      summary: 'binary buddy allocator: power-of-two blocks split on demand and merged with their buddy (address XOR size) on free',
      sizeClasses,
      constants: {
        alignment: 16,
        headerBytes: HEADER,
        minOrder: this.minOrder,
        maxOrder: this.maxOrder,
        heapBytes: 2 ** this.maxOrder,
        directMapAboveBytes: 2 ** this.maxOrder - HEADER,
        locks: 1,
      },
      sources: [
        'NatTuck/khoury-ntuck 19-malloc-pt3/opt-buddy.md (1 MiB heaps, a free list per power of two, doubly linked)',
        'Linux mm/page_alloc.c __free_one_page and expand; mm/internal.h __find_buddy_pfn (buddy = pfn ^ (1 << order))',
        'Knuth, TAOCP vol. 1, section 2.5 (the buddy system)',
      ],
    };
  }
}

export const buddyModel: ModelInfo = {
  name: 'buddy',
  summary: 'binary buddy allocator with splitting and coalescing (buddy address by XOR), 1 MiB heaps, one lock',
  family: 'teaching',
  params: [
    {
      name: 'maxOrder',
      type: 'int',
      default: 20,
      min: 12,
      max: 30,
      description: 'log2 of the heap size; blocks above it are mapped directly',
      source: 'opt-buddy.md: "Start with a constant heap size, e.g. 1MB" (2^20)',
    },
    {
      name: 'minOrder',
      type: 'int',
      default: 5,
      min: 5,
      max: 29,
      description: 'log2 of the smallest block (32 bytes: a 16-byte header keeps payloads 16-byte aligned, plus 16 bytes)',
      source: 'opt-buddy.md: minimum header 8, minimum cell 16 (here 16 + 16 for 16-byte alignment)',
    },
  ],
  doc: 'docs/models/buddy.md',
  create: (env) => new Buddy(env),
};
