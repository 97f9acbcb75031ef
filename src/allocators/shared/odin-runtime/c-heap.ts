/**
 * A C malloc interface over an Odin heap allocator, the way heap_allocator_proc
 * (base/runtime/heap_allocator.odin) maps the Allocator modes onto heap_alloc / heap_free /
 * heap_resize: both feoramalloc designs sit behind it. malloc is `.Alloc_Non_Zeroed` (or `.Alloc`
 * with `mallocZeroes`), calloc `.Alloc`, realloc `.Resize_Non_Zeroed` with the block's usable
 * size as `old_size`.
 */
import type { Cpu } from '../../../machine/cpu.ts';
import type { Counters } from '../../kit/model-counters.ts';
import type { AllocatorModel, HeapRegion, ModelDescription } from '../../kit/contract.ts';
import { C_ALIGNMENT, alignedWithin, odinRequest } from './c-shim.ts';

/** One Odin heap design's entry points. */
export interface OdinHeap {
  alloc(cpu: Cpu, size: number, zero: boolean): number;
  free(cpu: Cpu, ptr: number): void;
  resize(cpu: Cpu, ptr: number, oldSize: number, newSize: number): number;
  /** The start of the block (bin, run or mapping) holding `ptr`. */
  blockStart(cpu: Cpu, ptr: number): number;
  usableSize(cpu: Cpu, ptr: number): number;
  /** The thread-local cleaner that runs at a thread's clean exit. */
  threadExit(cpu: Cpu): void;
  /** The heap walk over the heaps of the threads whose TLS blocks are given, and the orphanage. */
  heapWalk(cpu: Cpu, tlsBases: Iterable<number>): HeapRegion[];
  describe(): ModelDescription;
}

export class OdinCHeap implements AllocatorModel {
  /** TLS base of every thread that started: only for the heap walk, which visits their heaps. */
  private readonly tlsBases = new Set<number>();

  constructor(
    readonly counters: Counters,
    private readonly heap: OdinHeap,
    private readonly mallocZeroes: boolean,
  ) {}

  threadStart(cpu: Cpu): void {
    this.tlsBases.add(cpu.tls);
  }

  threadExit(cpu: Cpu): void {
    this.heap.threadExit(cpu);
  }

  malloc(cpu: Cpu, size: number, align = C_ALIGNMENT): number {
    this.tlsBases.add(cpu.tls);
    return alignedWithin(this.heap.alloc(cpu, odinRequest(size, align), this.mallocZeroes), align);
  }

  calloc(cpu: Cpu, n: number, size: number): number {
    const total = n * size;
    if (!Number.isSafeInteger(total) || total > 2 ** 47) return 0;
    this.tlsBases.add(cpu.tls);
    return this.heap.alloc(cpu, odinRequest(total, C_ALIGNMENT), true);
  }

  free(cpu: Cpu, ptr: number): void {
    if (ptr !== 0) this.heap.free(cpu, ptr);
  }

  realloc(cpu: Cpu, ptr: number, size: number): number {
    if (ptr === 0) return this.malloc(cpu, size);
    if (size === 0) {
      this.heap.free(cpu, ptr);
      return 0;
    }
    const old = this.heap.usableSize(cpu, ptr);
    const want = odinRequest(size, C_ALIGNMENT);
    if (this.heap.blockStart(cpu, ptr) === ptr) return this.heap.resize(cpu, ptr, old, want);
    // An over-aligned block (the model's extension): move it.
    const q = this.heap.alloc(cpu, want, false);
    if (q !== 0) {
      cpu.copy(q, ptr, Math.min(old, size));
      this.heap.free(cpu, ptr);
    }
    return q;
  }

  usableSize(cpu: Cpu, ptr: number): number {
    return this.heap.usableSize(cpu, ptr);
  }

  heapWalk(cpu: Cpu): HeapRegion[] {
    return this.heap.heapWalk(cpu, this.tlsBases);
  }

  describe(): ModelDescription {
    return this.heap.describe();
  }
}
