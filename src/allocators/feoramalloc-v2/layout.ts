/**
 * feoramalloc design 2 (the May 2025 rewrite, "much closer to mimalloc in spirit"): constants and
 * structure layouts of Feoramund/Odin f0f3d7281 (branch tip; the rewrite is b056b9e13),
 * base/runtime/heap_allocator_implementation.odin, release build (ODIN_HEAP_DEBUG_LEVEL 0, no
 * sanitizer), x86-64.
 */

/** ODIN_HEAP_MIN_BIN_SIZE .. ODIN_HEAP_MAX_BIN_SIZE: power-of-two bins, 17 ranks. */
export const MIN_BIN_SIZE = 8;
export const MAX_BIN_SIZE = 512 * 1024;
export const BIN_RANKS = 17;
/** ODIN_HEAP_MAX_ALIGNMENT. */
export const MAX_ALIGNMENT = 64;
/** ODIN_HEAP_SMALL_SLAB_SIZE and ODIN_HEAP_SMALL_BIN_MAX: Small segments are cut into 64 KiB slabs. */
export const SMALL_SLAB_SIZE = 64 * 1024;
export const SMALL_SLAB_SHIFT = 16;
export const SMALL_BIN_MAX = 8 * 1024;
/** ODIN_HEAP_MAX_EMPTY_ORPHANED_SEGMENTS and the count mask embedded in the empty orphanage head. */
export const MAX_EMPTY_ORPHANED_SEGMENTS = 5;
export const ORPHANAGE_COUNT_BITS = 0xffff;
/** HEAP_FREE_LIST_CLOSED: bit 0 of a slab's remote free list: closed = the owning heap takes remote frees. */
export const FREE_LIST_CLOSED = 1;

/** Heap_Slab_Class. */
export const CLASS_SMALL = 0;
export const CLASS_LARGE = 1;
export const CLASS_HUGE = 2;
/** slab_shift of Large and Huge segments is max(uint): shifting past the width yields 0 in Odin. */
export const WHOLE_SEGMENT = -1;

// ---- Heap_Slab: 88 bytes ----
export const L_DATA = 0;
export const L_PREV_SLAB = 8;
export const L_NEXT_SLAB = 16;
export const L_FREE_BINS = 24;
export const L_USED_BINS = 32;
export const L_MAX_BINS = 40;
export const L_BIN_SIZE = 48;
export const L_BIN_RANK = 56;
export const L_CAPACITY = 64;
export const L_FREE_LIST = 72;
export const L_REMOTE_FREE_LIST = 80; // Tagged_Pointer, atomic
export const SLAB_RECORD_SIZE = 88;

// ---- Heap_Segment: 96 bytes, followed by the slab records ----
export const G_OWNER = 0; // atomic
export const G_HEAP = 8; // atomic
export const G_SIZE = 16;
export const G_PREV_SEGMENT = 24;
export const G_NEXT_SEGMENT = 32; // atomic in the orphanage
export const G_MAY_RETURN = 40; // bool
export const G_SLAB_SIZE_CLASS = 48;
export const G_SLAB_SHIFT = 56;
export const G_PADDING = 64;
export const G_FREE_SLABS = 72;
export const G_SLABS_DATA = 80; // []Heap_Slab
export const G_SLABS_LEN = 88;
export const SEGMENT_HEADER_SIZE = 96;

// ---- Heap: 192 bytes, in its own mapping per thread ----
export const H_SEGMENTS = 0;
export const H_FREE_SLABS = 8; // [3]^Heap_Slab by class
export const H_SLABS_BY_RANK = 32; // [17]^Heap_Slab
export const H_REMOTE_FREE_LIST = 168; // Tagged_Pointer, atomic
export const HEAP_SIZE = 192;

// ---- globals (heap_orphanage) and thread-locals ----
export const O_IN_USE = 0;
export const O_EMPTY = 8;
export const GLOBALS_SIZE = 16;
export const T_LOCAL_HEAP = 0;
export const T_THREAD_ID = 8;

/** Huge segments: header, one slab record and alignment slack before the one bin. */
export const HUGE_BOOK_KEEPING = SEGMENT_HEADER_SIZE + SLAB_RECORD_SIZE + MAX_ALIGNMENT;

/** heap_get_size_class. */
export function sizeClass(bytes: number): number {
  return bytes <= SMALL_BIN_MAX ? CLASS_SMALL : bytes <= MAX_BIN_SIZE ? CLASS_LARGE : CLASS_HUGE;
}

/** heap_round_to_bin_size. */
export function roundToBinSize(size: number): number {
  const n = Math.max(MIN_BIN_SIZE, size);
  return 2 ** Math.ceil(Math.log2(n));
}

export function binRank(binSize: number): number {
  return Math.log2(binSize) - Math.log2(MIN_BIN_SIZE);
}

/** Where heap_make_segment puts the first bin: after the header and `slabs` records, aligned to 64. */
export function firstDataOffset(slabs: number): number {
  const at = SEGMENT_HEADER_SIZE + SLAB_RECORD_SIZE * slabs;
  return Math.ceil(at / MAX_ALIGNMENT) * MAX_ALIGNMENT;
}

/** The segment layout for a class: slab count, slab size, first slab's capacity. */
export function segmentShape(
  segmentSize: number,
  cls: number,
  capacity: number,
): { slabs: number; slabSize: number; firstCapacity: number } {
  const slabSize = cls === CLASS_SMALL ? SMALL_SLAB_SIZE : capacity;
  const slabs = Math.floor(capacity / slabSize);
  return { slabs, slabSize, firstCapacity: slabSize - firstDataOffset(slabs) };
}

export function segmentOf(p: number, segmentSize: number): number {
  return p - (p % segmentSize);
}
