/**
 * `feoramalloc`: design 1 of Feoramund's lock-free heap allocator for Odin (odin-lang/Odin PR #4749,
 * Feoramund/Odin a4a776634 base/runtime/heap_allocator_implementation.odin), driven through a C
 * malloc interface.
 *
 *   thread-local heaps of 2 MiB superpages; 31 slabs of 64 KiB; power-of-two bins 8 B .. 32 KiB
 *   per-slab bitmaps: local_free (owner) and remote_free (other threads, atomic bit flips)
 *   slab-wide runs up to 1.5 MiB; huge mappings above; a lock-free orphanage of superpages
 *
 * Fidelity notes and sources: docs/models/feoramalloc.md.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { bool } from '../../lib/params.ts';
import type { ModelDescription, ModelEnv, ModelInfo, SizeClass } from '../kit/contract.ts';
import { OdinCHeap, type OdinHeap } from '../shared/odin-runtime/c-heap.ts';
import { heapAlloc } from './alloc.ts';
import type { FeoraCtx } from './context.ts';
import { heapFree } from './free.ts';
import { feoraHeapWalk } from './heap-walk.ts';
import {
  BIN_RANKS,
  GLOBALS_SIZE,
  HUGE_ALLOCATION_THRESHOLD,
  HUGE_BOOK_KEEPING,
  MAX_ALIGNMENT,
  MAX_BIN_SIZE,
  MAX_EMPTY_ORPHANED_SUPERPAGES,
  MIN_BIN_SIZE,
  P_HUGE_SIZE,
  S_BIN_SIZE,
  S_DATA,
  SLAB_BOOK_KEEPING,
  SLAB_COUNT,
  SLAB_HEADER_SIZE,
  SLAB_MAP_STRIDE,
  SLAB_SIZE,
  SUPERPAGE_CACHE_RATIO,
  SUPERPAGE_SIZE,
  WIDE_DATA_OFFSET,
  slabLayout,
  slabOf,
  slabsNeededForSize,
  superpageOf,
} from './layout.ts';
import { threadExitCleaner } from './orphanage.ts';
import { heapResize } from './resize.ts';

export const FEORAMALLOC_SOURCES = [
  'Feoramund/Odin branch feoramalloc @ a4a776634 (design 1, "Add native heap allocator"): base/runtime/heap_allocator_implementation.odin',
  'fixes taken from later design-1 commits: 8638bd3b8, acd5d0d40, 44a701560 (slab iteration, wide-slab freeing, in-place wide resize)',
  'base/runtime/heap_allocator.odin (alignment <= 64, size = max(size, alignment)), base/runtime/virtual_memory_linux.odin, threading.odin',
  'odin-lang/Odin PR #4749 text (capacities 7907 / 15, 9 -> 16, 257 -> 512, 64 KiB -> two slabs)',
];

function makeHeap(env: ModelEnv): OdinHeap {
  const id = (n: string): number => env.machine.paths.id(`feoramalloc::${n}`);
  const ctx: FeoraCtx = {
    globals: env.machine.staticData(GLOBALS_SIZE, 'feoramalloc.bss'),
    counters: env.counters,
    paths: {
      alloc: id('alloc_bin'),
      collect: id('collect_remote_frees'),
      slabSetup: id('slab_setup'),
      wide: id('slab_wide_alloc'),
      huge: id('huge_alloc'),
      localFree: id('local_free'),
      remoteFree: id('remote_free'),
      notify: id('notify_owner'),
      merge: id('merge_remote_frees'),
      orphanage: id('orphanage'),
    },
  };
  const blockStart = (cpu: Cpu, ptr: number): number => {
    const sp = superpageOf(ptr);
    if (cpu.load(sp + P_HUGE_SIZE) > 0) return sp + 64;
    const slab = slabOf(ptr);
    const bin = cpu.load(slab + S_BIN_SIZE);
    if (bin > MAX_BIN_SIZE) return slab + WIDE_DATA_OFFSET;
    const data = cpu.load(slab + S_DATA);
    return data + Math.floor((ptr - data) / bin) * bin;
  };
  return {
    alloc: (cpu, size, zero) => heapAlloc(ctx, cpu, size, zero),
    free: (cpu, ptr) => heapFree(ctx, cpu, ptr),
    resize: (cpu, ptr, oldSize, newSize) => heapResize(ctx, cpu, ptr, oldSize, newSize),
    blockStart,
    usableSize: (cpu, ptr) => {
      const sp = superpageOf(ptr);
      const huge = cpu.load(sp + P_HUGE_SIZE);
      if (huge > 0) return sp + huge - ptr;
      const slab = slabOf(ptr);
      const bin = cpu.load(slab + S_BIN_SIZE);
      if (bin > MAX_BIN_SIZE) return slab + slabsNeededForSize(bin) * SLAB_SIZE - ptr;
      return blockStart(cpu, ptr) + bin - ptr;
    },
    threadExit: (cpu) => threadExitCleaner(ctx, cpu),
    heapWalk: (cpu, tlsBases) => feoraHeapWalk(cpu, ctx.globals, tlsBases),
    describe: () => describeDesign1(bool(env.params, 'mallocZeroes')),
  };
}

function describeDesign1(mallocZeroes: boolean): ModelDescription {
  const sizeClasses: SizeClass[] = [];
  for (let r = 0; r < BIN_RANKS; r++) {
    const l = slabLayout(MIN_BIN_SIZE << r);
    sizeClasses.push({
      index: r,
      size: l.binSize,
      binsPerSlab: l.bins,
      sectors: l.sectors,
      dataOffset: l.dataOffset,
      unusedBytes: l.unusedBytes,
    });
  }
  return {
    name: 'feoramalloc',
    summary: 'feoramalloc design 1: lock-free bitmap slab allocator (local and remote free bitmaps per slab)',
    sizeClasses,
    constants: {
      superpageSize: SUPERPAGE_SIZE,
      slabSize: SLAB_SIZE,
      slabsPerSuperpage: SLAB_COUNT,
      slabHeaderBytes: SLAB_HEADER_SIZE,
      minBinSize: MIN_BIN_SIZE,
      maxBinSize: MAX_BIN_SIZE,
      maxAlignment: MAX_ALIGNMENT,
      slabWideBookKeeping: SLAB_BOOK_KEEPING,
      slabWideDataOffset: WIDE_DATA_OFFSET,
      slabsFor64KiBRequest: slabsNeededForSize(64 * 1024),
      hugeAllocationThreshold: HUGE_ALLOCATION_THRESHOLD,
      hugeBookKeeping: HUGE_BOOK_KEEPING,
      superpageCacheRatio: SUPERPAGE_CACHE_RATIO,
      slabMapStride: SLAB_MAP_STRIDE,
      maxEmptyOrphanedSuperpages: MAX_EMPTY_ORPHANED_SUPERPAGES,
      mallocZeroes,
    },
    sources: FEORAMALLOC_SOURCES,
  };
}

export const feoramallocModel: ModelInfo = {
  name: 'feoramalloc',
  summary: 'feoramalloc design 1 (Odin PR #4749): lock-free bitmap slabs, wait-free remote frees, superpage orphanage',
  family: 'production',
  params: [
    {
      name: 'mallocZeroes',
      type: 'bool',
      default: false,
      source: 'base/runtime/heap_allocator.odin (.Alloc zeroes, .Alloc_Non_Zeroed does not)',
      description:
        "malloc zeroes reused bins as Odin's default .Alloc mode does (off: a C malloc uses .Alloc_Non_Zeroed; calloc always zeroes)",
    },
  ],
  doc: 'docs/models/feoramalloc.md',
  create: (env) => new OdinCHeap(env.counters, makeHeap(env), bool(env.params, 'mallocZeroes')),
};
