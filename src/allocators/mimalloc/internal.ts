/**
 * The model's shared context and the small inline helpers of mimalloc's include/mimalloc/internal.h:
 * pointer to segment and page, block links (plain or encoded), the thread-free word, the clock and
 * the heap's random numbers.
 *
 * `Mi` holds only constants, pure tables, addresses of the model's static data and per-call scratch;
 * every mutable allocator field lives in simulated memory (segments, pages, heaps, arenas).
 */
import { AllocatorAbort } from '../kit/contract.ts';
import type { BatchItCache, BatchSink } from '../shared/batchit/index.ts';
import { ORIGIN_LINK, ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import type { Machine } from '../../machine/machine.ts';
import type { Counters } from '../kit/model-counters.ts';
import { pageStartOffset } from './bins.ts';
import { decode, encode, out, type Keys } from './encode.ts';
import type { MiConfig } from './options.ts';
import { HUGE_BLOCK_SIZE, RANDOM_AVAILABLE, SEGMENT_SIZE, SLICE_SIZE, type Layout } from './types.ts';
import type { BatchItStat } from '../shared/batchit/batchit.ts';
import type { MiInvariants } from './invariants.ts';

/** The counters this model reports (as mimalloc's mi_stat_* fields): a misspelt name fails to compile. */
export type MimallocStat =
  | 'arena.purgedBlocks'
  | 'arena.recommits'
  | 'arena.reserved'
  | 'batchit.armed'
  | 'batchit.pushes'
  | 'collect.batches'
  | 'collect.blocks'
  | 'collect.blocksWalked'
  | 'collect.pages'
  | 'delayed.blocks'
  | 'delayed.drains'
  | 'free.local'
  | 'free.remote'
  | 'free.remote.armed'
  | 'free.remote.common'
  | 'heap.threadDone'
  | 'heap.threadInit'
  | 'malloc.generic'
  | 'os.commit'
  | 'os.madvise'
  | 'os.mmap'
  | 'os.mprotect'
  | 'os.munmap'
  | 'os.purgedBytes'
  | 'os.purges'
  | 'os.reset'
  | 'page.abandoned'
  | 'page.extended'
  | 'page.freed'
  | 'page.fresh'
  | 'page.huge'
  | 'page.large'
  | 'page.reclaimed'
  | 'page.retired'
  | 'page.searched'
  | 'page.toFull'
  | 'page.unfull'
  | 'segment.abandoned'
  | 'segment.allocated'
  | 'segment.freed'
  | 'segment.purges'
  | 'segment.reclaimed'
  | 'segment.reclaimedOnFree'
  | 'segment.visited'
  | 'xthread.casRetries'
  | BatchItStat;

/** Static data (the library's .bss): cache-aligned globals, as mimalloc declares them (mi_decl_cache_align). */
export const G_ARENAS = 0; // arena.c mi_arenas[MI_MAX_ARENAS]
export const MAX_ARENAS = 112;
export const G_ARENA_COUNT = 960; // arena.c mi_arena_count
export const G_PURGE_GUARD = 1024; // arena.c mi_arenas_try_purge purge_guard
export const G_ABANDONED = 1088; // segment.c abandoned (tagged pointer)
export const G_ABANDONED_VISITED = 1152;
export const G_ABANDONED_COUNT = 1216;
export const G_ABANDONED_VISITED_COUNT = 1280;
export const G_ABANDONED_READERS = 1344;
export const G_TD_CACHE = 1408; // init.c td_cache[TD_CACHE_SIZE]
export const TD_CACHE_SIZE = 16;
export const G_HEAP_MAIN_COOKIE = 1536; // init.c _mi_heap_main.cookie (read by _mi_ptr_cookie)
export const G_ARENA_STATIC_TOP = 1600; // arena.c mi_arena_static_top
export const G_PAGE_EMPTY = 1664; // init.c _mi_page_empty (all zero: no free blocks)
export const G_ARENA_STATIC = 4096; // arena.c mi_arena_static[MI_ARENA_STATIC_MAX] (8 KiB)
export const ARENA_STATIC_MAX = 8192;
export const STATIC_BYTES = G_ARENA_STATIC + ARENA_STATIC_MAX;

/** Code paths named in the per-path profile. */
export interface MiPaths {
  malloc: number;
  free: number;
  realloc: number;
  calloc: number;
  generic: number;
  freeMt: number;
  freeDelayed: number;
  collect: number;
  delayedFree: number;
  extend: number;
  segment: number;
  arena: number;
  purge: number;
  batchit: number;
  batchitEvict: number;
  threadDone: number;
  reclaim: number;
}

export interface Mi {
  readonly cfg: MiConfig;
  readonly layout: Layout;
  readonly counters: Counters<MimallocStat>;
  readonly machine: Machine;
  /** Base of the model's static data. */
  readonly statics: number;
  /** Block size of each bin (init.c QNULL). */
  readonly binSize: readonly number[];
  readonly paths: MiPaths;
  readonly batch: BatchItCache | null;
  batchSink: BatchSink | null;
  /** mi_thread_data_t: heap at 0, tld, memid, then the BatchIt cache state; mapped size. */
  readonly tdTld: number;
  readonly tdBatch: number;
  readonly tdSize: number;
  /** Cycles per millisecond (the machine's clock rate), for _mi_clock_now. */
  readonly cyclesPerMs: number;
  /** Scratch keys (per call). */
  readonly pageKeys: Keys;
  readonly heapKeys: Keys;
  /** The path currently charged (per call), to return to after a nested path. */
  curPath: number;
  /** The page whose blocks BatchIt links (per call; the cache hooks need its keys). */
  batchPage: number;
  /** The debug invariants of pages and segments (invariants.ts), checked where mi_assert_expensive is. */
  readonly valid: MiInvariants;
}

// ---- paths ----

/** Enters a nested code path; returns the one to go back to. */
export function enter(m: Mi, cpu: Cpu, id: number): number {
  const prev = m.curPath;
  if (prev !== id) {
    m.curPath = id;
    cpu.path(id);
  }
  return prev;
}

export function leave(m: Mi, cpu: Cpu, prev: number): void {
  if (prev !== m.curPath && prev >= 0) {
    m.curPath = prev;
    cpu.machine.paths.switchTo(prev, cpu.now, false);
  }
}

// ---- segments and pages (internal.h _mi_ptr_segment, _mi_segment_page_of) ----

/** internal.h _mi_ptr_segment: (p - 1) & ~MI_SEGMENT_MASK. */
export function segmentOf(p: number): number {
  return Math.floor((p - 1) / SEGMENT_SIZE) * SEGMENT_SIZE;
}

/** The slice entry (mi_slice_t == mi_page_t) of slice `idx`. */
export function sliceAt(m: Mi, segment: number, idx: number): number {
  return segment + m.layout.segment.slices + idx * m.layout.page.size;
}

export function sliceIndex(m: Mi, segment: number, slice: number): number {
  return (slice - segment - m.layout.segment.slices) / m.layout.page.size;
}

/** internal.h _mi_segment_page_of: slice of the address, minus its back offset to the page's first slice. */
export function pageOf(m: Mi, cpu: Cpu, segment: number, p: number): number {
  // The slice's address comes from the pointer's value (mask and shift): it waits for a pointer still being loaded.
  const slice = cpu.derive(p, sliceAt(m, segment, Math.floor((p - segment) / SLICE_SIZE)));
  return slice - cpu.load(slice + m.layout.page.sliceOffset, 4);
}

/** mi_page_block_size: xblock_size, or (huge) the page size. */
export function blockSize(m: Mi, cpu: Cpu, page: number): number {
  const P = m.layout.page;
  const b = cpu.load(page + P.blockSize, P.blockSizeSize);
  if (b < HUGE_BLOCK_SIZE) return b;
  return cpu.load(page + P.sliceCount, 4) * SLICE_SIZE;
}

/** Start of the page's blocks (segment.c _mi_segment_page_start; v2.4.1 keeps it in page->page_start). */
export function pageStart(m: Mi, cpu: Cpu, page: number, bsize: number): number {
  if (m.layout.page.pageStart >= 0) return cpu.load(page + m.layout.page.pageStart);
  const segment = segmentOf(page + 1);
  return segment + sliceIndex(m, segment, page) * SLICE_SIZE + pageStartOffset(bsize);
}

/** Bytes of the page's block area (psize - start offset). */
export function pageAreaSize(m: Mi, cpu: Cpu, page: number, bsize: number): number {
  return cpu.load(page + m.layout.page.sliceCount, 4) * SLICE_SIZE - pageStartOffset(bsize);
}

export function getUsed(m: Mi, cpu: Cpu, page: number): number {
  return cpu.load(page + m.layout.page.used, m.layout.page.usedSize);
}

export function setUsed(m: Mi, cpu: Cpu, page: number, v: number): void {
  cpu.store(page + m.layout.page.used, v, m.layout.page.usedSize);
}

// ---- the thread-free word: a block pointer with the mi_delayed_t state in its low 2 bits ----

export function tfBlock(tf: number): number {
  return tf - (tf % 4);
}

export function tfDelayed(tf: number): number {
  return tf % 4;
}

// ---- block links (internal.h mi_block_next / mi_block_set_next / ..._nextx) ----

export function readKeys(cpu: Cpu, addr: number, k: Keys): void {
  k.k0lo = cpu.load64(addr);
  k.k0hi = cpu.hi;
  k.k1lo = cpu.load64(addr + 8);
  k.k1hi = cpu.hi;
}

/**
 * internal.h mi_block_nextx: the link word of `block`, decoded with the keys at `keysAddr` when the
 * lists are encoded (`nullValue` is what NULL was encoded as: the page or heap address).
 */
export function loadLink(m: Mi, cpu: Cpu, block: number, nullValue: number, keysAddr: number, k: Keys): number {
  if (!m.cfg.encoded) return cpu.load(block, 8, ORIGIN_LINK);
  readKeys(cpu, keysAddr, k);
  const lo = cpu.load64(block, ORIGIN_LINK);
  const hi = cpu.hi;
  // The decoded pointer is ready when the encoded word is (the core cannot see through the rotation).
  return cpu.derive(lo, decode(nullValue, lo, hi, k));
}

/** internal.h mi_block_set_nextx: write the (encoded) link word of `block`. */
export function storeLink(m: Mi, cpu: Cpu, block: number, next: number, nullValue: number, keysAddr: number, k: Keys): void {
  if (!m.cfg.encoded) {
    cpu.store(block, next, 8, ORIGIN_LINK);
    return;
  }
  readKeys(cpu, keysAddr, k);
  encode(nullValue, next, k);
  cpu.store64(block, out.lo, out.hi, ORIGIN_LINK);
}

/** internal.h mi_block_next: the next block in one of `page`'s lists, checked to be in the same page when encoded. */
export function blockNext(m: Mi, cpu: Cpu, page: number, block: number): number {
  const next = loadLink(m, cpu, block, page, page + m.layout.page.keys, m.pageKeys);
  if (m.cfg.encoded && next !== 0 && !inSamePage(m, cpu, block, next)) {
    const bsize = blockSize(m, cpu, page);
    throw new AllocatorAbort(
      `mimalloc: error: corrupted free list entry of size ${bsize}b at 0x${block.toString(16)}: value 0x${machineWord(m, block).toString(16)}`,
      block,
    );
  }
  return next;
}

/** The raw link word, for the error message (uncharged: the message is printed after the fact). */
function machineWord(m: Mi, addr: number): bigint {
  return (BigInt(m.machine.peek(addr + 4, 4)) << 32n) | BigInt(m.machine.peek(addr, 4));
}

export function blockSetNext(m: Mi, cpu: Cpu, page: number, block: number, next: number): void {
  storeLink(m, cpu, block, next, page, page + m.layout.page.keys, m.pageKeys);
}

/** mi_block_nextx(heap, block, heap->keys): the heap's delayed-free list (no same-page check). */
export function blockNextHeap(m: Mi, cpu: Cpu, heap: number, block: number): number {
  return Math.max(0, loadLink(m, cpu, block, heap, heap + m.layout.heap.keys, m.heapKeys));
}

export function blockSetNextHeap(m: Mi, cpu: Cpu, heap: number, block: number, next: number): void {
  storeLink(m, cpu, block, next, heap, heap + m.layout.heap.keys, m.heapKeys);
}

/** internal.h mi_is_in_same_page: q lies in the block area of p's page. */
export function inSamePage(m: Mi, cpu: Cpu, p: number, q: number): boolean {
  const segment = segmentOf(p);
  if (q <= 0 || segmentOf(q) !== segment) return false;
  const page = pageOf(m, cpu, segment, p);
  const bsize = blockSize(m, cpu, page);
  const start = pageStart(m, cpu, page, bsize);
  return q >= start && q < start + pageAreaSize(m, cpu, page, bsize);
}

// ---- clock and randomness ----

/** prim.c _mi_prim_clock_now via clock_gettime (vDSO): the thread's clock in ms. */
export function clockNow(m: Mi, cpu: Cpu): number {
  cpu.work(20);
  return Math.floor(cpu.now / m.cyclesPerMs);
}

/** Work of one ChaCha20 block (random.c chacha_block: 20 rounds of 16 quarter-round steps). */
const CHACHA_BLOCK_WORK = 350;

/**
 * random.c _mi_random_next on the heap's mi_random_ctx_t: take 8 bytes of buffered output, refilling
 * 64 bytes with a ChaCha20 block when empty. The bits come from the thread's seeded stream; the
 * cost is charged on the context's lines. Returns 32 random bits.
 */
export function heapRandomNext(m: Mi, cpu: Cpu, heap: number): number {
  const ctx = heap + m.layout.heap.random;
  let avail = cpu.load(ctx + RANDOM_AVAILABLE, 4);
  if (avail < 2) {
    cpu.work(CHACHA_BLOCK_WORK);
    cpu.touch(ctx, 128, true, ORIGIN_META);
    avail = 16;
  }
  cpu.load(ctx + 64 + (16 - avail) * 4, 8);
  cpu.store(ctx + RANDOM_AVAILABLE, avail - 2, 4);
  return cpu.random32();
}
