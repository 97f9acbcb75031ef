/**
 * `feoramalloc-v2`: design 2 of Feoramund's heap allocator for Odin, the May 2025 rewrite "much
 * closer to mimalloc in spirit" (Feoramund/Odin b056b9e13, tip f0f3d7281,
 * base/runtime/heap_allocator_implementation.odin), driven through a C malloc interface.
 *
 *   per-thread Heap (192 B, own mapping); 2 MiB segments of 32 × 64 KiB Small slabs, or one
 *   segment-wide Large slab; Huge allocations get their own mapping
 *   bins: bump a fresh one, else pop the slab's intrusive free list; no bitmap
 *   remote frees: a CAS loop on the owning heap's list (or the slab's, once orphaned), collected
 *   at the owner's every allocation; exited threads' segments wait in an orphanage for adoption
 *
 * Fidelity notes and sources: docs/models/feoramalloc.md.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { bool, num } from '../../lib/params.ts';
import type { ModelDescription, ModelEnv, ModelInfo, SizeClass } from '../kit/contract.ts';
import { OdinCHeap, type OdinHeap } from '../shared/odin-runtime/c-heap.ts';
import { binStart, segmentFor, slabFor, type V2Ctx } from './context.ts';
import { heapAlloc, heapFree, heapLocalCleanup, heapResize } from './heap.ts';
import { v2HeapWalk } from './heap-walk.ts';
import {
  BIN_RANKS,
  CLASS_LARGE,
  CLASS_SMALL,
  GLOBALS_SIZE,
  HUGE_BOOK_KEEPING,
  L_BIN_SIZE,
  MAX_ALIGNMENT,
  MAX_BIN_SIZE,
  MAX_EMPTY_ORPHANED_SEGMENTS,
  MIN_BIN_SIZE,
  SEGMENT_HEADER_SIZE,
  SLAB_RECORD_SIZE,
  SMALL_BIN_MAX,
  SMALL_SLAB_SIZE,
  firstDataOffset,
  segmentShape,
  sizeClass,
} from './layout.ts';

const SOURCES = [
  'Feoramund/Odin branch feoramalloc @ f0f3d7281 (tip; rewrite b056b9e13 "Rewrite the heap allocator"): base/runtime/heap_allocator_implementation.odin',
  'base/runtime/heap_allocator.odin (alignment <= 64), base/runtime/virtual_memory_linux.odin (superpage size from /proc/meminfo)',
  'odin-lang/Odin PR #4749 comment of 2025-05-09 (the doubly-tagged remote free pointer)',
];

function makeHeap(env: ModelEnv): OdinHeap {
  const id = (n: string): number => env.machine.paths.id(`feoramalloc-v2::${n}`);
  const ctx: V2Ctx = {
    globals: env.machine.staticData(GLOBALS_SIZE, 'feoramalloc-v2.bss'),
    segmentSize: num(env.params, 'segmentKiB') * 1024,
    counters: env.counters,
    paths: {
      alloc: id('make_bin'),
      makeSlab: id('make_slab'),
      adopt: id('adopt_orphan'),
      localFree: id('free_bin'),
      remoteFree: id('remote_free_push'),
      collect: id('collect_remote_frees'),
      segment: id('make_segment'),
    },
  };
  const slabOf = (cpu: Cpu, ptr: number): number => slabFor(cpu, segmentFor(ctx, ptr), ptr);
  return {
    alloc: (cpu, size, zero) => heapAlloc(ctx, cpu, size, zero),
    free: (cpu, ptr) => heapFree(ctx, cpu, ptr),
    resize: (cpu, ptr, oldSize, newSize) => heapResize(ctx, cpu, ptr, oldSize, newSize),
    blockStart: (cpu, ptr) => binStart(cpu, slabOf(cpu, ptr), ptr),
    usableSize: (cpu, ptr) => {
      const slab = slabOf(cpu, ptr);
      return binStart(cpu, slab, ptr) + cpu.load(slab + L_BIN_SIZE) - ptr;
    },
    threadExit: (cpu) => heapLocalCleanup(ctx, cpu),
    heapWalk: (cpu, tlsBases) => v2HeapWalk(cpu, ctx.globals, ctx.segmentSize, tlsBases),
    describe: () => describeDesign2(ctx.segmentSize, bool(env.params, 'mallocZeroes')),
  };
}

function describeDesign2(seg: number, mallocZeroes: boolean): ModelDescription {
  const sizeClasses: SizeClass[] = [];
  for (let r = 0; r < BIN_RANKS; r++) {
    const bin = MIN_BIN_SIZE << r;
    const cls = sizeClass(bin);
    const shape = segmentShape(seg, cls, seg);
    const full = cls === CLASS_SMALL ? Math.floor(SMALL_SLAB_SIZE / bin) : Math.floor(shape.firstCapacity / bin);
    sizeClasses.push({
      index: r,
      size: bin,
      class: cls === CLASS_SMALL ? 'small' : 'large',
      binsPerSlab: full,
      binsInFirstSlab: Math.floor(shape.firstCapacity / bin),
    });
  }
  return {
    name: 'feoramalloc-v2',
    summary: 'feoramalloc design 2: segments of slabs, bump-then-free-list bins, remote frees by a CAS loop on a doubly-tagged list',
    sizeClasses,
    constants: {
      segmentSize: seg,
      smallSlabSize: SMALL_SLAB_SIZE,
      smallBinMax: SMALL_BIN_MAX,
      maxBinSize: MAX_BIN_SIZE,
      maxAlignment: MAX_ALIGNMENT,
      segmentHeaderBytes: SEGMENT_HEADER_SIZE,
      slabRecordBytes: SLAB_RECORD_SIZE,
      smallSegmentFirstDataOffset: firstDataOffset(seg / SMALL_SLAB_SIZE),
      largeSlabCapacity: segmentShape(seg, CLASS_LARGE, seg).firstCapacity,
      hugeBookKeeping: HUGE_BOOK_KEEPING,
      maxEmptyOrphanedSegments: MAX_EMPTY_ORPHANED_SEGMENTS,
      mallocZeroes,
    },
    sources: SOURCES,
  };
}

export const feoramallocV2Model: ModelInfo = {
  name: 'feoramalloc-v2',
  summary: 'feoramalloc design 2 (the mimalloc-like rewrite): segments, free lists, CAS-pushed remote frees, orphan adoption',
  family: 'production',
  params: [
    {
      name: 'segmentKiB',
      type: 'int',
      default: 2048,
      min: 128,
      source: 'virtual_memory_linux.odin _get_superpage_size (/proc/meminfo Hugepagesize); 4 MiB without it',
      description: 'segment size in KiB (a power of two; the OS huge-page size)',
    },
    {
      name: 'mallocZeroes',
      type: 'bool',
      default: false,
      source: 'base/runtime/heap_allocator.odin (.Alloc zeroes, .Alloc_Non_Zeroed does not)',
      description: "malloc zeroes reused bins as Odin's default .Alloc mode does (off: C malloc semantics; calloc always zeroes)",
    },
  ],
  doc: 'docs/models/feoramalloc.md',
  create: (env) => {
    const kib = num(env.params, 'segmentKiB');
    if (!Number.isInteger(Math.log2(kib))) throw new Error(`feoramalloc-v2: segmentKiB=${kib} must be a power of two, e.g. 2048`);
    return new OdinCHeap(env.counters, makeHeap(env), bool(env.params, 'mallocZeroes'));
  },
};
