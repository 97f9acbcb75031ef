/**
 * `freelist`: the classic first allocator assignment made thread-safe. One boundary-tag heap
 * (explicit free list, first fit, splitting, coalescing with both neighbours) behind one global
 * lock; chunks of 64 KiB mapped on demand and never returned; requests of a page or more mapped
 * directly and unmapped on free.
 *
 *   .bss: [lock|free head|chunks]        chunk: [hdr|pro][A  ][free      ][B ][free  ]|epi
 *                 \__________________________________/^ first fit   ^_____________/
 *
 * The lock makes every malloc and free of every thread serialise on one cache line; the list
 * walk makes each operation O(free blocks). Those are the two problems CH02 asks students to fix
 * (docs/models/freelist.md).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { BaseModel } from '../kit/base-model.ts';
import type { TagHeap } from '../shared/boundary-tags/heap.ts';
import { HEAP_STATE_BYTES } from '../shared/boundary-tags/layout.ts';
import { TAG_HEAP_PARAMS, tagHeapConstants, tagHeapFrom, type HeapFactory } from '../shared/boundary-tags/params.ts';
import { examineTagHeap, walkTagHeap } from '../shared/boundary-tags/walk.ts';
import type { HeapRegion, ModelDescription, ModelEnv, ModelInfo } from '../kit/contract.ts';
import type { TagHeapStat } from '../shared/boundary-tags/heap.ts';

/** The counters this model reports. */
export type FreelistStat = 'frees' | 'mallocs' | TagHeapStat;

export class Freelist extends BaseModel<FreelistStat> {
  protected readonly heap: TagHeap;
  /** The heap state (lock, free-list head, chunk list) in the model's static data. */
  protected readonly globals: number;

  constructor(env: ModelEnv, make?: HeapFactory) {
    super(env);
    this.heap = tagHeapFrom(env, 'freelist', make);
    this.globals = env.machine.staticData(HEAP_STATE_BYTES, 'freelist.bss');
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    this.counters.add('mallocs');
    if (this.heap.wantsDirect(size, align)) return this.heap.allocDirect(cpu, size, align);
    return this.heap.lockedAlloc(cpu, this.globals, size, align);
  }

  free(cpu: Cpu, ptr: number): void {
    if (ptr === 0) return;
    this.counters.add('frees');
    const tag = this.heap.unmapIfDirect(cpu, ptr);
    if (tag !== 0) this.heap.lockedFree(cpu, this.globals, ptr, tag);
  }

  usableSize(cpu: Cpu, ptr: number): number {
    return this.heap.usableSize(cpu, ptr);
  }

  heapWalk(cpu: Cpu): HeapRegion[] {
    return walkTagHeap(cpu, this.globals);
  }

  /** Consistency problems of the heap (tests). */
  examine(cpu: Cpu): string[] {
    return examineTagHeap(cpu, this.globals);
  }

  describe(): ModelDescription {
    return {
      name: 'freelist',
      summary: 'explicit free list with boundary tags, first fit, split and coalesce, one global lock',
      sizeClasses: [],
      constants: { ...tagHeapConstants(this.heap), locks: 1 },
      sources: FREELIST_SOURCES,
    };
  }
}

export const FREELIST_SOURCES = [
  'NatTuck/khoury-ntuck courses/2018/09/cs3650/draft-hw/hw07/hw07.txt (HW08 Husky Malloc spec)',
  'NatTuck/khoury-ntuck courses/2020/01/cs3650/notes/18-advanced-malloc/notes.md (CH02: one mutex)',
  'CS:APP 3e section 9.9 (boundary tags, coalescing cases, explicit free lists)',
  'UW CSE 351 lab 5 mm.c starter (explicit doubly linked list, LIFO, first fit)',
];

export const freelistModel: ModelInfo = {
  name: 'freelist',
  summary: 'explicit free list, first fit, boundary-tag coalescing, one global lock (the CH02 starting point)',
  family: 'teaching',
  params: TAG_HEAP_PARAMS,
  doc: 'docs/models/freelist.md',
  create: (env) => new Freelist(env),
};
