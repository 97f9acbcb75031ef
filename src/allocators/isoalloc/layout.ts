/**
 * IsoAlloc's constants and the byte layout of its structures, as the real library lays them out
 * (struct/isoalloc HEAD 65998115db95, x86-64, default Makefile configuration).
 *
 * Sources: include/conf.h (tunables), include/iso_alloc_internal.h (bit layout, sizes),
 * include/iso_alloc_ds.h (iso_alloc_zone_t, iso_alloc_big_zone_t, iso_alloc_root, _tzc).
 * `iso_alloc_zone_t` and `iso_alloc_big_zone_t` are `packed, aligned(8)`: fields sit back to back,
 * so several are unaligned, as in the real structures.
 */

export const PAGE = 4096;
/** include/iso_alloc_internal.h ZONE_USER_SIZE: every zone holds 4 MiB of chunks, whatever their size. */
export const ZONE_USER_SIZE = 4 * 1024 * 1024;
/** include/iso_alloc_internal.h SZ_ALIGNMENT: chunk sizes are multiples of 32. */
export const SZ_ALIGNMENT = 32;
/** include/conf.h SMALLEST_CHUNK_SZ = SZ_ALIGNMENT. */
export const SMALLEST_CHUNK_SZ = 32;
/** include/conf.h SMALL_SIZE_MAX: larger requests go to big zones. */
export const SMALL_SIZE_MAX = 65536;
/** include/conf.h ZONE_1024, MAX_DEFAULT_ZONE_SZ (= ZONE_8192). */
export const ZONE_1024 = 1024;
export const MAX_DEFAULT_ZONE_SZ = 8192;
/** include/conf.h default_zones (SMALL_MEM_STARTUP=0): created by the library constructor. */
export const DEFAULT_ZONES: readonly number[] = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
/** include/conf.h MAX_ZONES: the size of the _root->zones array. */
export const MAX_ZONES = 8192;
/** include/conf.h CANARY_COUNT_DIV: chunk_count >> 7 canary placement attempts per zone. */
export const CANARY_COUNT_DIV = 7;
/** include/conf.h MIN_RAND_FREELIST: shuffle the slot cache only when more than this many were found. */
export const MIN_RAND_FREELIST = 4;
/** include/conf.h ZONE_ALLOC_RETIRE: a zone is retired after 32 × chunk_count allocations (when empty). */
export const ZONE_ALLOC_RETIRE_SHIFT = 5;
/** include/conf.h BIG_ZONE_WASTE, BIG_ZONE_MAX_FREE_LIST, BIG_ZONE_ALLOC_RETIRE. */
export const BIG_ZONE_WASTE = 8192;
export const BIG_ZONE_MAX_FREE_LIST = 64;
export const BIG_ZONE_ALLOC_RETIRE = 16;
/** include/iso_alloc_internal.h BIG_SZ_MAX: big zones are capped at 4 GiB. */
export const BIG_SZ_MAX = 4294967296;
/** include/conf.h ZONE_CACHE_SZ: entries of the thread-local zone cache. */
export const ZONE_CACHE_SZ = 8;
/** include/conf.h CHUNK_QUARANTINE_SZ: the global quarantine of freed chunks. */
export const CHUNK_QUARANTINE_SZ = 64;
/** include/iso_alloc_ds.h ZONE_FREE_LIST_SZ: entries of each zone's free bit slot cache. */
export const ZONE_FREE_LIST_SZ = 255;
/** include/iso_alloc_ds.h FREE_LIST_SHF (free_bit_slot_t is uint16 when the cache has 255 entries). */
export const FREE_LIST_SHF = 16;
/** include/iso_alloc_internal.h MIN_BITMAP_IDX: random refill start only for bitmaps of more words. */
export const MIN_BITMAP_IDX = 8;
/** include/iso_alloc_internal.h WASTED_SZ_MULTIPLIER_SHIFT: reject zones 8× the request above 1 KiB. */
export const WASTED_SZ_MULTIPLIER_SHIFT = 3;
/** include/iso_alloc_internal.h BAD_BIT_SLOT. */
export const BAD_BIT_SLOT = -1;
/** include/iso_alloc_internal.h CANARY_VALIDATE_MASK clears the canary's low byte. */
export const CANARY_LOW_BYTE_MASK = 0xffffff00;
/** include/iso_alloc_ds.h ZONE_LOOKUP_TABLE entries: (SMALL_SIZE_MAX >> 4) + 4 uint16 heads. */
export const ZONE_LOOKUP_ENTRIES = (SMALL_SIZE_MAX >> 4) + 4;
/** include/iso_alloc_ds.h CHUNK_TO_ZONE_TABLE_SZ: 65535 uint16 entries, indexed by (p >> 22) & 0xffff. */
export const CHUNK_TO_ZONE_TABLE_SZ = 65535 * 2;
/** include/iso_alloc_ds.h small_bitmap_sizes: shared preallocated bitmap pages, one per size. */
export const SMALL_BITMAP_SIZES: readonly number[] = [1024, 512, 256, 128, 64, 32, 16, 0];

// ---- iso_alloc_zone_t (packed; 2112 bytes with the 255-entry slot cache) ----
export const Z_USER_PAGES_START = 0; // masked pointer (MASK_PTRS=1)
export const Z_BITMAP_START = 8; // masked pointer
export const Z_NEXT_FREE_BIT_SLOT = 16; // int64
export const Z_CANARY_SECRET = 24; // uint64
export const Z_POINTER_MASK = 32; // uint64
export const Z_MAX_BITMAP_IDX = 40; // uint16
export const Z_CHUNK_SIZE = 42; // uint32
export const Z_FREE_BIT_SLOTS_USABLE = 46; // uint16: read cursor of the slot cache
export const Z_FREE_BIT_SLOTS_INDEX = 48; // uint16: fill count of the slot cache
export const Z_IS_FULL = 50; // bool
export const Z_INTERNAL = 51; // bool
export const Z_PREALLOCATED_BITMAP_IDX = 52; // int8
export const Z_BITMAP_SIZE = 53; // uint16
export const Z_AF_COUNT = 55; // uint32
export const Z_CHUNK_COUNT = 59; // uint32
export const Z_ALLOC_COUNT = 63; // uint32
export const Z_INDEX = 67; // uint16
export const Z_NEXT_SZ_INDEX = 69; // uint16
export const Z_FREE_BIT_SLOTS = 71; // int64[255]
export const ZONE_STRUCT_SIZE = 2112;

// ---- iso_alloc_big_zone_t (packed, aligned(8): 48 bytes) ----
export const B_CANARY_A = 0;
export const B_FREE = 8; // bool
export const B_SIZE = 9; // uint64
export const B_TTL = 17; // uint32
export const B_USER_PAGES_START = 21;
export const B_NEXT = 29; // masked pointer (MASK_PTRS=1)
export const B_CANARY_B = 37;
export const BIG_ZONE_STRUCT_SIZE = 48;

// ---- iso_alloc_root (THREAD_SUPPORT, pthread mutexes, NO_ZERO_ALLOCATIONS field present) ----
export const R_ZONES = 0;
export const R_CHUNK_LOOKUP_TABLE = 8;
export const R_CHUNK_QUARANTINE = 16;
export const R_BIG_ZONE_FREE = 24; // masked head
export const R_BIG_ZONE_USED = 32; // masked head
export const R_ZERO_ALLOC_PAGE = 40;
export const R_ZONE_LOOKUP_TABLE = 48; // uint16[4100]
export const R_BITMAPS = R_ZONE_LOOKUP_TABLE + ZONE_LOOKUP_ENTRIES * 2; // iso_alloc_bitmap_t[8], 16 bytes each
export const BM_BITMAP = 0; // pointer
export const BM_IN_USE = 8; // uint32 slot mask
export const BM_BUCKET = 12; // uint32 bitmap size of this page's slots
export const BITMAP_RECORD_SIZE = 16;
export const R_ZONE_HANDLE_MASK = R_BITMAPS + SMALL_BITMAP_SIZES.length * BITMAP_RECORD_SIZE;
export const R_BIG_ZONE_NEXT_MASK = R_ZONE_HANDLE_MASK + 8;
export const R_BIG_ZONE_CANARY_SECRET = R_BIG_ZONE_NEXT_MASK + 8;
export const R_SEED = R_BIG_ZONE_CANARY_SECRET + 8;
export const R_CHUNK_QUARANTINE_COUNT = R_SEED + 8;
export const R_ZONES_SIZE = R_CHUNK_QUARANTINE_COUNT + 8;
export const R_BIG_ZONE_FREE_MUTEX = R_ZONES_SIZE + 8; // pthread_mutex_t, 40 bytes
export const R_BIG_ZONE_USED_MUTEX = R_BIG_ZONE_FREE_MUTEX + 40;
export const R_ZONE_RETIREMENT_SHF = R_BIG_ZONE_USED_MUTEX + 40; // uint32
export const R_BIG_ZONE_FREE_COUNT = R_ZONE_RETIREMENT_SHF + 4; // int32
export const R_BIG_ZONE_USED_COUNT = R_BIG_ZONE_FREE_COUNT + 4; // int32
export const R_ZONES_USED = R_BIG_ZONE_USED_COUNT + 4; // uint16
export const ROOT_STRUCT_SIZE = Math.ceil((R_ZONES_USED + 2) / 8) * 8;

// ---- the library's .bss (src/iso_alloc.c): root_busy_mutex, g_page_size, g_page_size_shift, _root ----
export const S_ROOT_BUSY_MUTEX = 0; // pthread_mutex_t (lock word first)
export const S_ROOT = 48; // iso_alloc_root *_root
export const STATICS_SIZE = 64;

// ---- thread-local storage (src/iso_alloc.c): _tzc zone_cache[8] and zone_cache_count ----
export const T_ZONE_CACHE = 0; // {size_t chunk_size; iso_alloc_zone_t *zone;} × 8
export const TZC_ENTRY = 16;
export const T_ZONE_CACHE_COUNT = ZONE_CACHE_SZ * TZC_ENTRY;

/** include/iso_alloc_internal.h ALIGN_SZ_UP. */
export function alignSzUp(n: number): number {
  return Math.ceil(n / SZ_ALIGNMENT) * SZ_ALIGNMENT;
}

/** include/iso_alloc_internal.h ALIGN_SZ_DOWN: ALIGN_SZ_UP(n) - 32 (so 0 maps to -32). */
export function alignSzDown(n: number): number {
  return alignSzUp(n) - SZ_ALIGNMENT;
}

/** The chunk size a small request is served from before zone selection (src/iso_alloc.c _iso_alloc). */
export function roundRequest(size: number): number {
  return size < SMALLEST_CHUNK_SZ ? SMALLEST_CHUNK_SZ : alignSzUp(size);
}

/** include/iso_alloc_ds.h ADDR_TO_CHUNK_TABLE: bits 22..37 of the address. */
export function addrToChunkTable(p: number): number {
  return Math.floor(p / 4194304) % 65536;
}
