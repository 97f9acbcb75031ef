/**
 * A boundary-tag heap: explicit free list, first fit, splitting, immediate coalescing with both
 * neighbours through the boundary tags, chunks mapped from the OS on demand, large requests mapped
 * directly. One component, used by `freelist` (one heap, one lock), `arenas` (one heap per arena)
 * and `tcache` (the global heap behind the thread caches).
 *
 * The heap's state (lock word, free-list head, chunk list) is a small struct in simulated memory at
 * an address the owning model chooses; every method takes that address, so one TagHeap object
 * serves any number of heaps. Callers hold the heap's lock around alloc and free (`lock`/`unlock`).
 *
 * Sources: CS:APP 3e §9.9.11-9.9.13 (boundary tags, the four coalescing cases, find_fit/place);
 * the course's HW08 spec (NatTuck/khoury-ntuck courses/2018/09/cs3650/draft-hw/hw07/hw07.txt:
 * address-sorted list, first fit, split when the rest holds a free cell, mmap for >= 1 page);
 * xv6 umalloc.c via the CH02 starter (morecore maps at least 64 KiB and never gives it back);
 * glibc malloc/malloc.c _int_memalign (over-allocate, free the leading piece) for aligned requests.
 */
import { AllocatorAbort } from '../../kit/contract.ts';
import { ORIGIN_LINK } from '../../../machine/cache-hierarchy.ts';
import type { Machine } from '../../../machine/machine.ts';
import { acquire, pathIds } from '../model-support.ts';
import type { Cpu } from '../../../machine/cpu.ts';
import { PAGE_SIZE } from '../../../machine/sizes.ts';
import type { Counters } from '../../kit/model-counters.ts';
import { type DirectMapStat, mapDirect, roundUp, unmapDirect } from '../direct-map.ts';
import { insertSorted, pushFront, replace, unlink, type InsertPolicy } from './free-list.ts';
import {
  blockSizeFor,
  CH_FIRST_BLOCK,
  CH_HEAP,
  CH_LEN,
  CH_NEXT,
  CH_PROLOGUE,
  CHUNK_OVERHEAD,
  HS_CHUNKS,
  HS_FREE,
  HS_LOCK,
  INUSE,
  LINK_NEXT,
  MIN_BLOCK,
  MMAPPED,
  TAG_BYTES,
  tagSize,
  WORK,
} from './layout.ts';

/** The boundary-tag heap's counters (its models' counters include them). */
export type TagHeapStat = 'chunksMapped' | 'coalesces' | 'fitSteps' | 'insertSteps' | 'lockAcquisitions' | 'splits' | DirectMapStat;

export interface TagHeapConfig {
  /** Size (and alignment) of each chunk mapped for the heap. */
  chunkBytes: number;
  /** Block sizes at or above this are mapped directly (must fit a chunk). */
  mmapThreshold: number;
  insert: InsertPolicy;
  counters: Counters<TagHeapStat>;
  /** Name of the mappings, for heap pictures, and the prefix of the code paths (`NAME::first_fit`, ...). */
  name: string;
  /** The machine, for the per-path profile's path ids. */
  machine: Machine;
}

export class TagHeap {
  readonly chunkBytes: number;
  readonly mmapThreshold: number;
  readonly insert: InsertPolicy;
  protected readonly counters: Counters<TagHeapStat>;
  private readonly name: string;
  /** Size of the block the last findFit returned (a return register, valid within one call). */
  private fitSize = 0;
  private readonly paths: { lock: number; fit: number; coalesce: number; grow: number; direct: number };

  constructor(cfg: TagHeapConfig) {
    this.chunkBytes = cfg.chunkBytes;
    this.mmapThreshold = cfg.mmapThreshold;
    this.insert = cfg.insert;
    this.counters = cfg.counters;
    this.name = cfg.name;
    this.paths = pathIds(cfg.machine, cfg.name, {
      lock: 'lock',
      fit: 'first_fit',
      coalesce: 'coalesce',
      grow: 'grow',
      direct: 'direct_map',
    });
    if (this.mmapThreshold > this.chunkBytes - CHUNK_OVERHEAD) {
      throw new RangeError(`mmap threshold ${this.mmapThreshold} does not fit a ${this.chunkBytes}-byte chunk`);
    }
  }

  // ---- locking ----

  lock(cpu: Cpu, heap: number): void {
    acquire(cpu, heap + HS_LOCK, this.counters, this.paths.lock);
  }

  unlock(cpu: Cpu, heap: number): void {
    cpu.unlock(heap + HS_LOCK);
  }

  /** malloc on the heap at `heap` under its lock. */
  lockedAlloc(cpu: Cpu, heap: number, n: number, align: number): number {
    this.lock(cpu, heap);
    const p = this.alloc(cpu, heap, n, align);
    this.unlock(cpu, heap);
    return p;
  }

  /** free on the heap at `heap` under its lock; `tag` is the block's header word. */
  lockedFree(cpu: Cpu, heap: number, p: number, tag: number): void {
    this.lock(cpu, heap);
    this.free(cpu, heap, p, tag);
    this.unlock(cpu, heap);
  }

  // ---- queries ----

  /** Whether a request goes straight to mmap (no lock needed). */
  wantsDirect(n: number, align: number): boolean {
    const asize = blockSizeFor(n);
    return (align <= 16 ? asize : asize + align + MIN_BLOCK) >= this.mmapThreshold;
  }

  /** The header word of the block at payload `p`. */
  tagOf(cpu: Cpu, p: number): number {
    return cpu.load(p - 8);
  }

  static isDirect(tag: number): boolean {
    return (tag & MMAPPED) !== 0;
  }

  usableSize(cpu: Cpu, p: number): number {
    const tag = this.tagOf(cpu, p);
    if (TagHeap.isDirect(tag)) return tagSize(tag) - cpu.load(p - 16); // mapping length minus the payload's offset
    return tagSize(tag) - TAG_BYTES;
  }

  /** The heap state a heap block belongs to, from its chunk's header (chunks are aligned to their size). */
  heapOf(cpu: Cpu, p: number): number {
    return cpu.load(p - (p % this.chunkBytes) + CH_HEAP);
  }

  // ---- direct blocks: [offset][len|MMAPPED|INUSE][payload ...] ----

  allocDirect(cpu: Cpu, n: number, align: number): number {
    cpu.path(this.paths.direct);
    const d = mapDirect(cpu, n, align, TAG_BYTES, this.counters, this.name);
    cpu.store(d.payload - 16, d.payload - d.base);
    cpu.store(d.payload - 8, d.len + MMAPPED + INUSE);
    return d.payload;
  }

  /**
   * The first step of every free: reads the block's header; a directly mapped block is unmapped
   * on the spot (returns 0, no lock needed), a heap block's tag is returned.
   */
  unmapIfDirect(cpu: Cpu, p: number): number {
    const tag = this.tagOf(cpu, p);
    if (!TagHeap.isDirect(tag)) return tag;
    cpu.path(this.paths.direct);
    unmapDirect(cpu, p - cpu.load(p - 16), tagSize(tag), this.counters);
    return 0;
  }

  // ---- allocation (lock held) ----

  /** Allocates n bytes from the heap at `heap`; 0 if the OS refuses more memory. */
  alloc(cpu: Cpu, heap: number, n: number, align: number): number {
    cpu.work(WORK.entry);
    const asize = blockSizeFor(n);
    if (align > 16) return this.allocAligned(cpu, heap, asize, align);
    let b = this.findFit(cpu, heap, asize);
    if (b === 0) b = this.grow(cpu, heap);
    this.place(cpu, heap, b, this.fitSize, asize);
    return b + 8;
  }

  /** First fit: the first free block on the list that is big enough. Leaves its size in fitSize. */
  protected findFit(cpu: Cpu, heap: number, asize: number): number {
    cpu.path(this.paths.fit);
    let b = cpu.load(heap + HS_FREE);
    let steps = 0;
    while (b !== 0) {
      cpu.work(WORK.fitStep);
      steps++;
      const size = tagSize(cpu.load(b));
      if (size >= asize) {
        this.fitSize = size;
        this.counters.add('fitSteps', steps);
        return b;
      }
      b = cpu.load(b + LINK_NEXT, 8, ORIGIN_LINK);
    }
    this.counters.add('fitSteps', steps);
    return 0;
  }

  /** Takes free block b (bsize bytes) for an asize-byte block, splitting off a remainder that can hold a free block. */
  protected place(cpu: Cpu, heap: number, b: number, bsize: number, asize: number): void {
    cpu.work(WORK.place);
    const rest = bsize - asize;
    if (rest >= MIN_BLOCK) {
      cpu.work(WORK.split);
      const r = b + asize;
      replace(cpu, heap, b, r); // the remainder keeps b's slot in the list
      this.setTags(cpu, b, asize, INUSE);
      this.setTags(cpu, r, rest, 0);
      this.counters.add('splits');
    } else {
      unlink(cpu, heap, b);
      this.setTags(cpu, b, bsize, INUSE);
    }
  }

  /**
   * An alignment above 16: take a block big enough for the request plus the alignment, free the
   * leading piece (at least a minimal block) and the trailing remainder, as glibc's _int_memalign.
   */
  private allocAligned(cpu: Cpu, heap: number, asize: number, align: number): number {
    const need = asize + align + MIN_BLOCK;
    let b = this.findFit(cpu, heap, need);
    if (b === 0) b = this.grow(cpu, heap);
    const bsize = this.fitSize;
    unlink(cpu, heap, b);
    let p = roundUp(b + 8, align);
    while (p !== b + 8 && p - 8 - b < MIN_BLOCK) p += align;
    const lead = p - 8 - b;
    if (lead > 0) {
      this.setTags(cpu, b, lead, 0);
      this.insertFree(cpu, heap, b);
      this.counters.add('splits');
    }
    const nb = p - 8;
    const nsize = bsize - lead;
    if (nsize - asize >= MIN_BLOCK) {
      this.setTags(cpu, nb, asize, INUSE);
      this.setTags(cpu, nb + asize, nsize - asize, 0);
      this.insertFree(cpu, heap, nb + asize);
      this.counters.add('splits');
    } else {
      this.setTags(cpu, nb, nsize, INUSE);
    }
    return p;
  }

  /** Maps a new chunk for the heap and puts its one big free block on the list; returns that block. */
  protected grow(cpu: Cpu, heap: number): number {
    cpu.path(this.paths.grow);
    cpu.work(WORK.grow);
    const len = this.chunkBytes;
    const c = cpu.mmap(len, { align: len, name: this.name });
    cpu.store(c + CH_NEXT, cpu.load(heap + HS_CHUNKS));
    cpu.store(heap + HS_CHUNKS, c);
    cpu.store(c + CH_LEN, len);
    cpu.store(c + CH_HEAP, heap);
    this.setTags(cpu, c + CH_PROLOGUE, 16, INUSE);
    cpu.store(c + len - 8, INUSE); // epilogue: an allocated block of size 0
    const b = c + CH_FIRST_BLOCK;
    this.fitSize = len - CHUNK_OVERHEAD;
    this.setTags(cpu, b, this.fitSize, 0);
    this.insertFree(cpu, heap, b);
    this.counters.add('chunksMapped');
    this.counters.add('pagesMapped', len / PAGE_SIZE);
    return b;
  }

  // ---- free (lock held) ----

  /** Frees the heap block at payload p whose header word is `tag`, merging it with free neighbours. */
  free(cpu: Cpu, heap: number, p: number, tag: number): void {
    cpu.path(this.paths.coalesce);
    cpu.work(WORK.free);
    const b = p - 8;
    if ((tag & INUSE) === 0) throw new AllocatorAbort('free(): double free detected (the block is already free)', p);
    const size = tagSize(tag);
    const prevTag = cpu.load(b - 8);
    const next = b + size;
    const nextTag = cpu.load(next);
    const prevFree = (prevTag & INUSE) === 0;
    const nextFree = (nextTag & INUSE) === 0;
    if (!prevFree && !nextFree) {
      this.setTags(cpu, b, size, 0);
      this.insertFree(cpu, heap, b);
      return;
    }
    cpu.work(WORK.merge);
    if (!prevFree) {
      // Case 2: absorb the next block, taking its place in the list.
      replace(cpu, heap, next, b);
      this.setTags(cpu, b, size + tagSize(nextTag), 0);
      this.counters.add('coalesces');
      return;
    }
    const prevSize = tagSize(prevTag);
    let total = prevSize + size;
    if (nextFree) {
      // Case 4: the previous block absorbs this one and the next.
      unlink(cpu, heap, next);
      total += tagSize(nextTag);
      this.counters.add('coalesces');
    }
    // Cases 3 and 4: the previous block, already on the list, grows over this one.
    cpu.store(b, size); // clear this header's in-use bit, so a second free of p is caught
    this.mergeBackward(cpu, b - prevSize, total);
    this.counters.add('coalesces');
  }

  /** The previous free block grows to `total` bytes: both of its tags change. */
  protected mergeBackward(cpu: Cpu, prev: number, total: number): void {
    this.setTags(cpu, prev, total, 0);
  }

  protected insertFree(cpu: Cpu, heap: number, b: number): void {
    if (this.insert === 'lifo') pushFront(cpu, heap, b);
    else this.counters.add('insertSteps', insertSorted(cpu, heap, b));
  }

  protected setTags(cpu: Cpu, b: number, size: number, flags: number): void {
    cpu.store(b, size + flags);
    cpu.store(b + size - 8, size + flags);
  }
}
