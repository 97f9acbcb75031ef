/**
 * feoramalloc design 1 (the lock-free bitmap slab allocator of odin-lang/Odin PR #4749): constants
 * and structure layouts of Feoramund/Odin a4a776634, base/runtime/heap_allocator_implementation.odin
 * (x86-64: `int`, `uint` and pointers are 8 bytes; Odin lays structs out with natural alignment).
 */

/** virtual_memory.odin SUPERPAGE_SIZE (2 MiB on every architecture but arm32). */
export const SUPERPAGE_SIZE = 2 * 1024 * 1024;
/** HEAP_SLAB_SIZE. */
export const SLAB_SIZE = 64 * 1024;
/** HEAP_MIN_BIN_SIZE .. HEAP_MAX_BIN_SIZE (= SLAB_SIZE / 2): power-of-two bins, 13 ranks. */
export const MIN_BIN_SIZE = 8;
export const MAX_BIN_SIZE = 32 * 1024;
export const BIN_RANKS = 13;
/** HEAP_MAX_ALIGNMENT. */
export const MAX_ALIGNMENT = 64;
/** HEAP_SLAB_COUNT = SUPERPAGE_SIZE / HEAP_SLAB_SIZE - 1: the first slab's space holds the superpage header. */
export const SLAB_COUNT = SUPERPAGE_SIZE / SLAB_SIZE - 1;
/** HEAP_HUGE_ALLOCATION_THRESHOLD = 3/4 of a superpage; HEAP_HUGE_ALLOCATION_BOOK_KEEPING = size_of(int) + 64. */
export const HUGE_ALLOCATION_THRESHOLD = (SUPERPAGE_SIZE / 4) * 3;
export const HUGE_BOOK_KEEPING = 8 + MAX_ALIGNMENT;
/** HEAP_MAX_EMPTY_ORPHANED_SUPERPAGES. */
export const MAX_EMPTY_ORPHANED_SUPERPAGES = 3;
/** HEAP_SUPERPAGE_CACHE_RATIO and HEAP_CACHE_SLAB_MAP_STRIDE (= ratio × slab count). */
export const SUPERPAGE_CACHE_RATIO = 20;
export const SLAB_MAP_STRIDE = SUPERPAGE_CACHE_RATIO * SLAB_COUNT;
/** HEAP_SECTOR_TYPES: local_free and remote_free. */
export const SECTOR_TYPES = 2;

// ---- Heap_Slab: 11 words and 2 bools = 104 bytes ----
export const S_INDEX = 0;
export const S_BIN_SIZE = 8;
export const S_IS_DIRTY = 16; // bool
export const S_MAX_BINS = 24;
export const S_FREE_BINS = 32;
export const S_DIRTY_BINS = 40;
export const S_NEXT_FREE_SECTOR = 48;
export const S_IS_FULL = 56; // bool, atomic
export const S_REMOTE_FREE_BINS_SCHEDULED = 64; // atomic
export const S_SECTORS = 72;
export const S_LOCAL_FREE = 80; // [^]uint
export const S_REMOTE_FREE = 88; // [^]uint, atomic contents
export const S_DATA = 96;
export const SLAB_HEADER_SIZE = 104;
/** HEAP_SLAB_ALLOCATION_BOOK_KEEPING = size_of(Heap_Slab) + 2 × size_of(uint) + 64. */
export const SLAB_BOOK_KEEPING = SLAB_HEADER_SIZE + SECTOR_TYPES * 8 + MAX_ALIGNMENT;

// ---- Heap_Superpage: 8 words, then the embedded Heap_Cache_Block ----
export const P_HUGE_SIZE = 0;
export const P_PREV = 8;
export const P_NEXT = 16; // atomic in the orphanage
export const P_REMOTE_FREE_SET = 24; // bool, atomic
export const P_OWNER = 32; // atomic
export const P_MASTER_CACHE_BLOCK = 40; // atomic
export const P_FREE_SLABS = 48;
export const P_NEXT_FREE_SLAB_INDEX = 56;
export const P_CACHE_BLOCK = 64;

// ---- Heap_Cache_Block (offsets from the block) ----
export const C_IN_USE = 0; // bool
export const C_NEXT_CACHE_BLOCK = 8; // atomic
export const C_LENGTH = 16;
export const C_OWNED_SUPERPAGES = 24;
export const C_REMOTE_FREE_COUNT = 32; // atomic
export const C_SLAB_MAP = 40; // ^Heap_Slab × (620 × 13)
export const C_SUPERPAGES_WITH_FREE_SLABS = C_SLAB_MAP + 8 * SLAB_MAP_STRIDE * BIN_RANKS; // × 20
export const C_SUPERPAGES_WITH_REMOTE_FREES = C_SUPERPAGES_WITH_FREE_SLABS + 8 * SUPERPAGE_CACHE_RATIO; // × 20, atomic
export const CACHE_BLOCK_SIZE = C_SUPERPAGES_WITH_REMOTE_FREES + 8 * SUPERPAGE_CACHE_RATIO;

// ---- globals (heap_orphanage, heap_orphanage_count) and thread-locals ----
export const G_ORPHANAGE = 0; // Tagged_Pointer
export const G_ORPHANAGE_COUNT = 8;
export const GLOBALS_SIZE = 16;
export const T_LOCAL_HEAP = 0;
export const T_LOCAL_HEAP_TAIL = 8;
export const T_LOCAL_HEAP_CACHE = 16;
export const T_THREAD_ID = 24; // the runtime's cached get_current_thread_id()

/** The layout heap_slab_setup computes for a bin size (pure: the same for every slab). */
export interface SlabLayout {
  binSize: number;
  bins: number;
  sectors: number;
  /** Offset of the first bin from the slab start. */
  dataOffset: number;
  /** Bytes of the slab that hold neither header, bitmaps nor bins. */
  unusedBytes: number;
}

/**
 * heap_slab_setup: bins = 64 KiB / size; the header, two bitmap words per 64-bin sector and
 * 2 × HEAP_MAX_ALIGNMENT are charged as whole bins (at least one); then header, local_free,
 * remote_free, padding to min(64, size), data. 8 B -> 7907 bins; 4 KiB -> 15.
 */
export function slabLayout(binSize: number): SlabLayout {
  let bins = Math.floor(SLAB_SIZE / binSize);
  let sectors = Math.ceil(bins / 64);
  const cost = Math.max(1, Math.floor((SLAB_HEADER_SIZE + SECTOR_TYPES * sectors * 8 + 2 * MAX_ALIGNMENT) / binSize));
  bins -= cost;
  sectors = Math.ceil(bins / 64);
  const align = Math.min(MAX_ALIGNMENT, binSize);
  const meta = SLAB_HEADER_SIZE + SECTOR_TYPES * sectors * 8;
  const padding = (align - (meta % align)) % align;
  const dataOffset = meta + padding;
  return { binSize, bins, sectors, dataOffset, unusedBytes: SLAB_SIZE - dataOffset - bins * binSize };
}

/** heap_slabs_needed_for_size: contiguous slabs for a slab-wide allocation (a 64 KiB request takes 2). */
export function slabsNeededForSize(size: number): number {
  return Math.ceil((size + SLAB_BOOK_KEEPING) / SLAB_SIZE);
}

/** Where a slab-wide allocation's data starts: HEAP_SLAB_ALLOCATION_BOOK_KEEPING rounded down to 64. */
export const WIDE_DATA_OFFSET = SLAB_BOOK_KEEPING - (SLAB_BOOK_KEEPING % MAX_ALIGNMENT);

/** heap_round_to_bin_size. */
export function roundToBinSize(n: number): number {
  if (n <= MIN_BIN_SIZE) return MIN_BIN_SIZE;
  return 2 ** Math.ceil(Math.log2(n));
}

/** heap_bin_size_to_rank. */
export function binRank(size: number): number {
  return Math.log2(size) - Math.log2(MIN_BIN_SIZE);
}

/** heap_superpage_index_slab(superpage, i). */
export function slabAt(superpage: number, i: number): number {
  return superpage + SLAB_SIZE * (1 + i);
}

export function superpageOf(p: number): number {
  return p - (p % SUPERPAGE_SIZE);
}

export function slabOf(p: number): number {
  return p - (p % SLAB_SIZE);
}
