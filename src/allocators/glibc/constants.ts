/**
 * glibc 2.36 malloc constants and the pure size arithmetic of malloc/malloc.c, for x86-64
 * (SIZE_SZ = 8). Every value cites the macro it comes from; nothing here touches memory.
 */

// ---- chunk geometry (malloc.c "Chunk representations", M:1300-1330) ----
export const SIZE_SZ = 8;
/** MALLOC_ALIGNMENT: the larger of 2*SIZE_SZ and alignof(long double) (sysdeps/generic/malloc-alignment.h). */
export const MALLOC_ALIGNMENT = 16;
export const MALLOC_ALIGN_MASK = MALLOC_ALIGNMENT - 1;
/** CHUNK_HDR_SZ: prev_size + size. The user pointer is chunk + CHUNK_HDR_SZ (chunk2mem). */
export const CHUNK_HDR_SZ = 2 * SIZE_SZ;
/** MINSIZE: MIN_CHUNK_SIZE (fd, bk, prev_size, size) rounded to the alignment. */
export const MINSIZE = 32;

// ---- size-field flag bits (M:1366-1399) ----
export const PREV_INUSE = 0x1;
export const IS_MMAPPED = 0x2;
export const NON_MAIN_ARENA = 0x4;
export const SIZE_BITS = PREV_INUSE | IS_MMAPPED | NON_MAIN_ARENA;

// ---- bins (M:1520-1616) ----
export const NBINS = 128;
export const NSMALLBINS = 64;
export const SMALLBIN_WIDTH = MALLOC_ALIGNMENT;
/** MIN_LARGE_SIZE = (NSMALLBINS - SMALLBIN_CORRECTION) * SMALLBIN_WIDTH. */
export const MIN_LARGE_SIZE = NSMALLBINS * SMALLBIN_WIDTH;
/** Binmap: BINMAPSHIFT 5, 32-bit words, NBINS / 32 of them. */
export const BINMAPSHIFT = 5;
export const BITSPERMAP = 1 << BINMAPSHIFT;
export const BINMAPSIZE = NBINS / BITSPERMAP;
/** MAX_ITERS in the unsorted-bin loop of _int_malloc. */
export const MAX_ITERS = 10000;

// ---- fastbins (M:1741-1791) ----
/** MAX_FAST_SIZE = 80 * SIZE_SZ / 4: the largest value mxfast accepts. */
export const MAX_FAST_SIZE = (80 * SIZE_SZ) / 4;
/** DEFAULT_MXFAST = 64 * SIZE_SZ / 4 (M:852). */
export const DEFAULT_MXFAST = (64 * SIZE_SZ) / 4;
/** FASTBIN_CONSOLIDATION_THRESHOLD (M:1760): a normal free of a chunk this big consolidates and trims. */
export const FASTBIN_CONSOLIDATION_THRESHOLD = 65536;

// ---- tcache (M:300-332) ----
export const TCACHE_MAX_BINS = 64;
/** TCACHE_FILL_COUNT: entries per bin by default. */
export const TCACHE_FILL_COUNT = 7;
/** MAX_TCACHE_COUNT: counts are uint16_t. */
export const MAX_TCACHE_COUNT = 65535;

// ---- system memory (malloc.c M:900-1075, sysdeps/generic/malloc-machine.h, arena.c A:28-35) ----
/** DEFAULT_TOP_PAD from sysdeps/generic/malloc-machine.h (malloc.c's fallback of 0 never applies). */
export const DEFAULT_TOP_PAD = 128 * 1024;
export const DEFAULT_TRIM_THRESHOLD = 128 * 1024;
/** DEFAULT_MMAP_THRESHOLD = DEFAULT_MMAP_THRESHOLD_MIN. */
export const DEFAULT_MMAP_THRESHOLD = 128 * 1024;
/** DEFAULT_MMAP_THRESHOLD_MAX = 4 MiB * sizeof(long): the ceiling of the dynamic threshold. */
export const DEFAULT_MMAP_THRESHOLD_MAX = 4 * 1024 * 1024 * 8;
export const DEFAULT_MMAP_MAX = 65536;
/** MMAP_AS_MORECORE_SIZE: the smallest mmap used when brk fails. */
export const MMAP_AS_MORECORE_SIZE = 1024 * 1024;
/** arena.c: HEAP_MIN_SIZE and HEAP_MAX_SIZE = 2 * DEFAULT_MMAP_THRESHOLD_MAX (64 MiB, a power of two). */
export const HEAP_MIN_SIZE = 32 * 1024;
export const HEAP_MAX_SIZE = 2 * DEFAULT_MMAP_THRESHOLD_MAX;
/** NARENAS_FROM_NCORES(n) = n * 8 on 64-bit; arena_test defaults to NARENAS_FROM_NCORES(1). */
export const ARENAS_PER_CORE = 8;
export const PAGESIZE = 4096;
/**
 * checked_request2size refuses requests above PTRDIFF_MAX. Simulated addresses are below 2^48, so
 * any request above 2^47 fails here instead of in an mmap that could never succeed.
 */
export const REQUEST_MAX = 2 ** 47;

// ---- pure size arithmetic ----

/** request2size (M:1326): max(MINSIZE, (req + SIZE_SZ + MALLOC_ALIGN_MASK) & ~MALLOC_ALIGN_MASK). */
export function request2size(req: number): number {
  const n = req + SIZE_SZ + MALLOC_ALIGN_MASK;
  return n < MINSIZE ? MINSIZE : n - (n % MALLOC_ALIGNMENT);
}

/** checked_request2size: 0 when the request is too large. */
export function checkedRequest2size(req: number): number {
  return req > REQUEST_MAX ? 0 : request2size(req);
}

export function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

export function alignDown(n: number, to: number): number {
  return Math.floor(n / to) * to;
}

export function inSmallbinRange(sz: number): boolean {
  return sz < MIN_LARGE_SIZE;
}

export function smallbinIndex(sz: number): number {
  return Math.floor(sz / SMALLBIN_WIDTH);
}

/** largebin_index_64 (M:1603-1609). */
export function largebinIndex(sz: number): number {
  if (Math.floor(sz / 64) <= 48) return 48 + Math.floor(sz / 64);
  if (Math.floor(sz / 512) <= 20) return 91 + Math.floor(sz / 512);
  if (Math.floor(sz / 4096) <= 10) return 110 + Math.floor(sz / 4096);
  if (Math.floor(sz / 32768) <= 4) return 119 + Math.floor(sz / 32768);
  if (Math.floor(sz / 262144) <= 2) return 124 + Math.floor(sz / 262144);
  return 126;
}

/** The step of the largebin_index_64 clause that indexes a chunk size (0 past the last clause). */
export function largebinSpacing(sz: number): number {
  if (Math.floor(sz / 64) <= 48) return 64;
  if (Math.floor(sz / 512) <= 20) return 512;
  if (Math.floor(sz / 4096) <= 10) return 4096;
  if (Math.floor(sz / 32768) <= 4) return 32768;
  if (Math.floor(sz / 262144) <= 2) return 262144;
  return 0;
}

/** bin_index (M:1616). */
export function binIndex(sz: number): number {
  return inSmallbinRange(sz) ? smallbinIndex(sz) : largebinIndex(sz);
}

/** fastbin_index (M:1741): chunk size 32 -> 0, 48 -> 1, ... */
export function fastbinIndex(sz: number): number {
  return Math.floor(sz / 16) - 2;
}

/** NFASTBINS = fastbin_index(request2size(MAX_FAST_SIZE)) + 1 = 10. */
export const NFASTBINS = fastbinIndex(request2size(MAX_FAST_SIZE)) + 1;

/** set_max_fast (M:1786): the global_max_fast value for an mxfast setting. */
export function maxFastFor(s: number): number {
  if (s <= MALLOC_ALIGN_MASK - SIZE_SZ) return MINSIZE / 2;
  const n = s + SIZE_SZ;
  return n - (n % MALLOC_ALIGNMENT);
}

/** csize2tidx (M:316): tcache bin of a chunk size. */
export function csize2tidx(x: number): number {
  return Math.floor((x - MINSIZE + MALLOC_ALIGNMENT - 1) / MALLOC_ALIGNMENT);
}

/** tidx2usize (M:313): the largest request a tcache bin serves. */
export function tidx2usize(idx: number): number {
  return idx * MALLOC_ALIGNMENT + MINSIZE - SIZE_SZ;
}

/** MAX_TCACHE_SIZE = tidx2usize(TCACHE_MAX_BINS - 1) = 1032. */
export const MAX_TCACHE_SIZE = tidx2usize(TCACHE_MAX_BINS - 1);

/** The chunk-size range [lo, hi] a bin of the bin array holds (hi = Infinity for the last). */
export function binRange(i: number): [number, number] {
  if (i < NSMALLBINS) return [i * SMALLBIN_WIDTH, i * SMALLBIN_WIDTH];
  let lo = MIN_LARGE_SIZE;
  while (largebinIndex(lo) < i) lo += MALLOC_ALIGNMENT;
  let hi = lo;
  if (i === NBINS - 2) return [lo, Infinity];
  while (largebinIndex(hi + MALLOC_ALIGNMENT) === i) hi += MALLOC_ALIGNMENT;
  return [lo, hi];
}

// ---- safe-linking (M:339-346, since 2.32) ----

const TWO32 = 4294967296;

/** 48-bit xor of two non-negative integers. */
function xor48(a: number, b: number): number {
  const ah = Math.floor(a / TWO32);
  const bh = Math.floor(b / TWO32);
  return (ah ^ bh) * TWO32 + (((a - ah * TWO32) ^ (b - bh * TWO32)) >>> 0);
}

/** PROTECT_PTR(pos, ptr) = (pos >> 12) ^ ptr; REVEAL_PTR is the same at the same position. */
export function protectPtr(pos: number, ptr: number): number {
  return xor48(Math.floor(pos / 4096), ptr);
}

// ---- size-field helpers on raw (signed, as read from memory) header words ----

/** The flag bits of a raw size word. */
export function sizeFlags(head: number): number {
  return ((head % 8) + 8) % 8;
}

/** chunksize(): the size with the flag bits masked off. */
export function sizeOf(head: number): number {
  return head - sizeFlags(head);
}

/**
 * The wrap test of _int_free and realloc: (uintptr_t) p > (uintptr_t) -size. With 64-bit unsigned
 * arithmetic, -0 is 0 (so a zero size always fails) and a negative (corrupt) word is a huge size.
 */
export function wrapsAround(p: number, size: number): boolean {
  if (size === 0) return p > 0;
  if (size < 0) return p > -size;
  return p > 2 ** 64 - size;
}
