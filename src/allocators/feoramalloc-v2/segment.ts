/**
 * Segments and the orphanage (heap_allocator_implementation.odin heap_make_segment,
 * heap_add_segment, heap_remove_segment, heap_free_segment, heap_orphan_empty_segment,
 * heap_orphan_segment, heap_adopt_orphan).
 *
 *   Small segment (2 MiB): [header 96 B][32 slab records × 88 B][pad to 64][slab 0 data ... ][slab 1] ... [slab 31]
 *   Large segment: one segment-wide slab;  Huge: its own mapping of size + 248, unmapped on free
 *
 * The orphanage holds in-use segments of exited threads (a tagged Treiber stack) and up to five
 * empty segments (a stack whose head also carries the count in its low 16 bits).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { allocateVirtualMemoryAligned, allocateVirtualMemorySuperpage, freeVirtualMemory } from '../shared/odin-runtime/virtual-memory.ts';
import { pack, pointerField, treiberPop, treiberPush, version } from '../shared/odin-runtime/tagged-pointer.ts';
import { count, threadId, type V2Ctx } from './context.ts';
import {
  CLASS_HUGE,
  CLASS_SMALL,
  G_FREE_SLABS,
  G_HEAP,
  G_MAY_RETURN,
  G_NEXT_SEGMENT,
  G_OWNER,
  G_PADDING,
  G_PREV_SEGMENT,
  G_SIZE,
  G_SLAB_SHIFT,
  G_SLAB_SIZE_CLASS,
  G_SLABS_DATA,
  G_SLABS_LEN,
  H_SEGMENTS,
  HUGE_BOOK_KEEPING,
  L_BIN_SIZE,
  L_CAPACITY,
  L_DATA,
  L_FREE_BINS,
  L_REMOTE_FREE_LIST,
  MAX_EMPTY_ORPHANED_SEGMENTS,
  O_EMPTY,
  O_IN_USE,
  ORPHANAGE_COUNT_BITS,
  SEGMENT_HEADER_SIZE,
  SLAB_RECORD_SIZE,
  SMALL_SLAB_SHIFT,
  WHOLE_SEGMENT,
  firstDataOffset,
  segmentShape,
  sizeClass,
} from './layout.ts';
import { addRankedSlab, freeSlabList, pushSlab, removeFreeSlab } from './lists.ts';
import { closeFreeList, mergeSlabRemoteFreeList } from './remote.ts';

function slabRecord(cpu: Cpu, segment: number, i: number): number {
  return cpu.load(segment + G_SLABS_DATA) + i * SLAB_RECORD_SIZE;
}

/** heap_make_segment(bin_size, replacement): map (or wipe a recycled empty one), lay out the slabs, push them free, add to the heap. */
export function makeSegment(ctx: V2Ctx, cpu: Cpu, heap: number, binSize: number, replacement: number): number {
  cpu.path(ctx.paths.segment);
  const cls = sizeClass(binSize);
  let segment: number;
  let capacity: number;
  if (cls !== CLASS_HUGE) {
    if (replacement === 0) {
      segment = allocateVirtualMemorySuperpage(cpu, ctx.segmentSize, 'feoramalloc-v2 segment');
      count(ctx, cpu, 'segmentsMapped');
    } else {
      cpu.fill(replacement, ctx.segmentSize, 0);
      segment = replacement;
      count(ctx, cpu, 'segmentsWiped');
    }
    capacity = ctx.segmentSize;
  } else {
    capacity = HUGE_BOOK_KEEPING + binSize;
    segment = allocateVirtualMemoryAligned(cpu, capacity, ctx.segmentSize, 'feoramalloc-v2 huge');
    count(ctx, cpu, 'hugeSegments');
  }
  const { slabs, slabSize, firstCapacity } = segmentShape(ctx.segmentSize, cls, capacity);
  cpu.store(segment + G_SIZE, capacity);
  cpu.store(segment + G_SLAB_SIZE_CLASS, cls);
  cpu.store(segment + G_SLAB_SHIFT, cls === CLASS_SMALL ? SMALL_SLAB_SHIFT : WHOLE_SEGMENT);
  cpu.store(segment + G_FREE_SLABS, slabs);
  cpu.store(segment + G_SLABS_DATA, segment + SEGMENT_HEADER_SIZE);
  cpu.store(segment + G_SLABS_LEN, slabs);
  const first = firstDataOffset(slabs);
  cpu.store(segment + G_PADDING, first - (SEGMENT_HEADER_SIZE + SLAB_RECORD_SIZE * slabs));
  let at = segment + first;
  for (let i = 0; i < slabs; i++) {
    const slab = segment + SEGMENT_HEADER_SIZE + i * SLAB_RECORD_SIZE;
    const cap = i === 0 ? firstCapacity : slabSize;
    cpu.store(slab + L_DATA, at);
    cpu.store(slab + L_CAPACITY, cap);
    at += cap;
  }
  const list = freeSlabList(heap, cls);
  for (let i = slabs - 1; i >= 0; i--) pushSlab(cpu, list, segment + SEGMENT_HEADER_SIZE + i * SLAB_RECORD_SIZE);
  addSegment(cpu, heap, segment);
  return segment;
}

/** heap_add_segment: owned by this thread and heap, at the head of the heap's segment list. */
function addSegment(cpu: Cpu, heap: number, segment: number): void {
  cpu.atomicStore(segment + G_OWNER, threadId(cpu));
  cpu.atomicStore(segment + G_HEAP, heap);
  const head = cpu.load(heap + H_SEGMENTS);
  cpu.store(segment + G_NEXT_SEGMENT, head);
  if (head !== 0) cpu.store(head + G_PREV_SEGMENT, segment);
  cpu.store(heap + H_SEGMENTS, segment);
}

function removeSegment(cpu: Cpu, heap: number, segment: number): void {
  cpu.atomicStore(segment + G_OWNER, 0);
  cpu.atomicStore(segment + G_HEAP, 0);
  const prev = cpu.load(segment + G_PREV_SEGMENT);
  const next = cpu.load(segment + G_NEXT_SEGMENT);
  if (cpu.load(heap + H_SEGMENTS) === segment) cpu.store(heap + H_SEGMENTS, next);
  if (prev !== 0) cpu.store(prev + G_NEXT_SEGMENT, next);
  if (next !== 0) cpu.store(next + G_PREV_SEGMENT, prev);
  cpu.store(segment + G_PREV_SEGMENT, 0);
  cpu.store(segment + G_NEXT_SEGMENT, 0);
}

/** heap_free_segment: its free slabs leave the heap; huge ones and those the empty orphanage refuses are unmapped. */
export function freeSegment(ctx: V2Ctx, cpu: Cpu, heap: number, segment: number): void {
  const n = cpu.load(segment + G_SLABS_LEN);
  for (let i = 0; i < n; i++) removeFreeSlab(cpu, heap, slabRecord(cpu, segment, i));
  removeSegment(cpu, heap, segment);
  if (cpu.load(segment + G_SLAB_SIZE_CLASS) === CLASS_HUGE || !orphanEmptySegment(ctx, cpu, segment)) {
    freeVirtualMemory(cpu, segment, cpu.load(segment + G_SIZE));
    count(ctx, cpu, 'segmentsUnmapped');
  }
}

/** heap_orphan_empty_segment: push unless five are held (the count rides in the head's low 16 bits). */
function orphanEmptySegment(ctx: V2Ctx, cpu: Cpu, segment: number): boolean {
  const head = ctx.globals + O_EMPTY;
  let old = cpu.atomicLoad(head);
  for (;;) {
    const field = pointerField(old);
    const n = field % (ORPHANAGE_COUNT_BITS + 1);
    if (n === MAX_EMPTY_ORPHANED_SEGMENTS) return false;
    cpu.atomicStore(segment + G_NEXT_SEGMENT, field - n);
    if (cpu.cas(head, old, pack(segment + n + 1, version(old) + 1))) {
      count(ctx, cpu, 'emptySegmentsOrphaned');
      return true;
    }
    old = cpu.atomicLoad(head);
  }
}

/** heap_orphan_segment: disown and push onto the in-use orphanage. */
export function orphanSegment(ctx: V2Ctx, cpu: Cpu, segment: number): void {
  cpu.atomicStore(segment + G_OWNER, 0);
  treiberPush(cpu, ctx.globals + O_IN_USE, segment, G_NEXT_SEGMENT);
  count(ctx, cpu, 'segmentsOrphaned');
}

/**
 * heap_adopt_orphan(bin_size, class): an in-use orphan first (whatever its class: its free slabs
 * join our lists, its slab lists close, its pending remote frees are merged), else an empty one,
 * reused as is for the same class or wiped and re-made for another. An empty segment popped for a
 * Huge request is neither used nor returned (as written). Returns the segment or 0.
 */
export function adoptOrphan(ctx: V2Ctx, cpu: Cpu, heap: number, binSize: number, cls: number): number {
  cpu.path(ctx.paths.adopt);
  let segment = treiberPop(cpu, ctx.globals + O_IN_USE, G_NEXT_SEGMENT);
  if (segment !== 0) {
    addSegment(cpu, heap, segment);
    const list = freeSlabList(heap, cpu.load(segment + G_SLAB_SIZE_CLASS));
    cpu.store(segment + G_MAY_RETURN, 0, 1);
    const n = cpu.load(segment + G_SLABS_LEN);
    for (let i = n - 1; i >= 0; i--) {
      const slab = slabRecord(cpu, segment, i);
      if (cpu.load(slab + L_BIN_SIZE) === 0) {
        pushSlab(cpu, list, slab);
      } else {
        closeFreeList(cpu, slab + L_REMOTE_FREE_LIST);
        if (cpu.load(slab + L_FREE_BINS) > 0) addRankedSlab(cpu, heap, slab);
        mergeSlabRemoteFreeList(ctx, cpu, segment, slab);
      }
    }
    cpu.store(segment + G_MAY_RETURN, cpu.load(segment + G_FREE_SLABS) === n ? 1 : 0, 1);
    count(ctx, cpu, 'orphanAdoptions');
    return segment;
  }
  segment = popEmpty(ctx, cpu);
  if (segment === 0) return 0;
  count(ctx, cpu, 'emptySegmentsAdopted');
  if (cpu.load(segment + G_SLAB_SIZE_CLASS) === cls) {
    const list = freeSlabList(heap, cls);
    const n = cpu.load(segment + G_SLABS_LEN);
    for (let i = n - 1; i >= 0; i--) {
      const slab = slabRecord(cpu, segment, i);
      closeFreeList(cpu, slab + L_REMOTE_FREE_LIST);
      pushSlab(cpu, list, slab);
    }
    addSegment(cpu, heap, segment);
  } else if (cls !== CLASS_HUGE) {
    makeSegment(ctx, cpu, heap, binSize, segment);
  } else {
    count(ctx, cpu, 'emptySegmentsDroppedForHuge');
  }
  return segment;
}

function popEmpty(ctx: V2Ctx, cpu: Cpu): number {
  const head = ctx.globals + O_EMPTY;
  let old = cpu.atomicLoad(head);
  for (;;) {
    const field = pointerField(old);
    const n = field % (ORPHANAGE_COUNT_BITS + 1);
    const segment = field - n;
    if (segment === 0) return 0;
    const next = cpu.atomicLoad(segment + G_NEXT_SEGMENT);
    if (cpu.cas(head, old, pack(next + n - 1, version(old) + 1))) {
      cpu.atomicStore(segment + G_NEXT_SEGMENT, 0);
      return segment;
    }
    old = cpu.atomicLoad(head);
  }
}
