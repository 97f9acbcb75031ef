/**
 * Where glibc's malloc keeps its state, as byte offsets: struct malloc_state (an arena), struct
 * malloc_par (mp_), heap_info, tcache_perthread_struct, the chunk fields, the thread-local
 * variables and the other statics of malloc.c and arena.c. All of it lives in simulated memory.
 */
import { NBINS, NFASTBINS, TCACHE_MAX_BINS } from './constants.ts';

// ---- struct malloc_chunk (M:1140): the user pointer is chunk + 16 ----
export const CH_PREV_SIZE = 0;
export const CH_SIZE = 8;
export const CH_FD = 16;
export const CH_BK = 24;
export const CH_FD_NEXTSIZE = 32;
export const CH_BK_NEXTSIZE = 40;

// ---- struct malloc_state (M:1824) ----
// glibc's mutex is a 4-byte int at offset 0 that shares a cache line with flags, have_fastchunks
// and the first six fastbin heads. The machine holds a lock's whole line busy for the critical
// section (docs/architecture.md), which would make every lock-free fastbin CAS of other threads
// wait for the whole critical section; so the model gives the mutex its own 64-byte line and
// keeps every other field at its glibc offset plus 64. docs/models/glibc.md discusses it.
export const AV_MUTEX = 0;
const B = 64;
export const AV_FLAGS = B + 4;
export const AV_HAVE_FASTCHUNKS = B + 8;
export const AV_FASTBINS = B + 16;
export const AV_TOP = AV_FASTBINS + NFASTBINS * 8; // glibc offset 96
export const AV_LAST_REMAINDER = AV_TOP + 8;
export const AV_BINS = AV_LAST_REMAINDER + 8; // glibc offset 112: bins[NBINS * 2 - 2]
export const AV_BINMAP = AV_BINS + (NBINS * 2 - 2) * 8; // glibc offset 2144: unsigned int binmap[4]
export const AV_NEXT = AV_BINMAP + 16;
export const AV_NEXT_FREE = AV_NEXT + 8;
export const AV_ATTACHED_THREADS = AV_NEXT_FREE + 8;
export const AV_SYSTEM_MEM = AV_ATTACHED_THREADS + 8;
export const AV_MAX_SYSTEM_MEM = AV_SYSTEM_MEM + 8;
/** sizeof (struct malloc_state) in the model (glibc's 2200 plus the mutex line). */
export const MALLOC_STATE_SIZE = AV_MAX_SYSTEM_MEM + 8;
/** NONCONTIGUOUS_BIT in av->flags (M:1770). */
export const NONCONTIGUOUS_BIT = 2;

/**
 * bin_at(av, i): the address of a fake chunk whose fd/bk fields are bins[2(i-1)] and
 * bins[2(i-1)+1] (M:1536). bin_at(av, 1) is the unsorted bin, also initial_top.
 */
export function binAt(av: number, i: number): number {
  return av + AV_BINS + (i - 1) * 16 - CH_FD;
}

export function fastbinAddr(av: number, idx: number): number {
  return av + AV_FASTBINS + idx * 8;
}

// ---- struct malloc_par mp_ (M:1860) ----
export const MP_TRIM_THRESHOLD = 0;
export const MP_TOP_PAD = 8;
export const MP_MMAP_THRESHOLD = 16;
export const MP_ARENA_TEST = 24;
export const MP_ARENA_MAX = 32;
export const MP_N_MMAPS = 56; // int
export const MP_N_MMAPS_MAX = 60; // int
export const MP_MAX_N_MMAPS = 64; // int
export const MP_NO_DYN_THRESHOLD = 68; // int
export const MP_MMAPPED_MEM = 72;
export const MP_MAX_MMAPPED_MEM = 80;
export const MP_SBRK_BASE = 88;
export const MP_TCACHE_BINS = 96;
export const MP_TCACHE_MAX_BYTES = 104;
export const MP_TCACHE_COUNT = 112;
export const MP_TCACHE_UNSORTED_LIMIT = 120;
export const MP_SIZE = 128;

// ---- heap_info (arena.c A:50): a non-main heap starts with it, aligned to HEAP_MAX_SIZE ----
export const HI_AR_PTR = 0;
export const HI_PREV = 8;
export const HI_SIZE = 16;
export const HI_MPROTECT_SIZE = 24;
export const HI_PAGESIZE = 32;
/** sizeof (heap_info): five words plus the padding that makes sizeof + 2*SIZE_SZ a multiple of 16. */
export const HEAP_INFO_SIZE = 48;

// ---- tcache_perthread_struct (M:3132): uint16_t counts[64]; tcache_entry *entries[64] ----
export const TC_COUNTS = 0;
export const TC_ENTRIES = TCACHE_MAX_BINS * 2;
export const TCACHE_STRUCT_SIZE = TC_ENTRIES + TCACHE_MAX_BINS * 8;
/** tcache_entry overlays the user data: next at +0 (safe-linked), key at +8. */
export const TE_NEXT = 0;
export const TE_KEY = 8;

// ---- __thread variables (cpu.tls) ----
export const TLS_THREAD_ARENA = 0; // arena.c thread_arena
export const TLS_TCACHE = 8; // malloc.c tcache
export const TLS_TCACHE_SHUTTING_DOWN = 16;

// ---- the other statics (the model's .bss) ----
// main_arena, then mp_, then one line of small globals, then each lock on its own line.
export const S_MAIN_ARENA = 0;
export const S_MP = 2368; // after main_arena (2264 bytes), line-aligned
export const S_GLOBALS = S_MP + MP_SIZE;
export const G_GLOBAL_MAX_FAST = S_GLOBALS + 0;
export const G_TCACHE_KEY = S_GLOBALS + 8;
export const G_NARENAS = S_GLOBALS + 16;
export const G_NARENAS_LIMIT = S_GLOBALS + 24;
export const G_FREE_LIST = S_GLOBALS + 32;
export const G_NEXT_TO_USE = S_GLOBALS + 40;
export const G_ALIGNED_HEAP_AREA = S_GLOBALS + 48;
export const G_INITIALIZED = S_GLOBALS + 56;
export const G_CURBRK = S_GLOBALS + 64; // brk.c __curbrk
export const G_MULTIPLE_THREADS = S_GLOBALS + 72; // header.multiple_threads: 1 once a second thread exists
export const G_THREADS_STARTED = S_GLOBALS + 80;
export const G_PERTURB_BYTE = S_GLOBALS + 88;
export const G_MAY_SHRINK_HEAP = S_GLOBALS + 96; // malloc-sysdep.h check_may_shrink_heap
export const S_LIST_LOCK = 2688;
export const S_FREE_LIST_LOCK = 2752;
export const STATIC_SIZE = 2816;
