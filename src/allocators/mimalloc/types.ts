/**
 * mimalloc's geometry and struct layouts (include/mimalloc/types.h), as constants and byte offsets.
 *
 * Offsets are those of the real structs on x86-64 (gcc, release build), for the two v2 releases the
 * model follows: v2.1.2 (the mimalloc-bench `mi2` pin when the BatchIt paper was written; the paper
 * patched 2cca58, a v2.1-series commit) and v2.4.1 (the latest v2). MI_SECURE >= 3 adds the two
 * page keys, which shifts the later page fields by 16 bytes. The model keeps every mutable field at
 * these offsets in simulated memory, so which fields share a cache line is mimalloc's.
 */

/**
 * v2.1.2: the mimalloc-bench `mi2` pin; 2cca58: the commit the BatchIt paper patched (v2.1.2+106,
 * "Merge branch 'dev' into dev-slice", 2024-03-03): v2.1.2's structs and page/alloc code with
 * v2.1.4's arena-based abandonment and reclaim-on-free; v2.4.1: the latest v2.
 */
export type MiVersion = '2.1.2' | '2cca58' | '2.4.1';
export const MI_VERSIONS: readonly MiVersion[] = ['2.1.2', '2cca58', '2.4.1'];

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** types.h: MI_INTPTR_SIZE, MI_MAX_ALIGN_SIZE. */
export const WORD = 8;
export const MAX_ALIGN = 16;
/** types.h: 64 KiB slices, 32 MiB segments (512 slices), 512 KiB medium pages. */
export const SLICE_SHIFT = 16;
export const SLICE_SIZE = 1 << SLICE_SHIFT;
export const SEGMENT_SIZE = 32 * MiB;
export const SLICES_PER_SEGMENT = SEGMENT_SIZE / SLICE_SIZE;
export const SMALL_PAGE_SIZE = SLICE_SIZE;
export const MEDIUM_PAGE_SIZE = 8 * SLICE_SIZE;
/** types.h: MI_LARGE_OBJ_SIZE_MAX = MI_SEGMENT_SIZE/2 (16 MiB; the "32MiB" comment in v2.1.2 is stale). */
export const LARGE_OBJ_SIZE_MAX = SEGMENT_SIZE / 2;
/** include/mimalloc.h: MI_SMALL_SIZE_MAX = 128 words; requests up to this use pages_free_direct. */
export const SMALL_SIZE_MAX = 128 * WORD;
export const SMALL_WSIZE_MAX = 128;
/** types.h: MI_ALIGNMENT_MAX = MI_SEGMENT_SIZE/2; larger alignments need a dedicated huge segment. */
export const ALIGNMENT_MAX = SEGMENT_SIZE / 2;
/** types.h: MI_MAX_SLICE_OFFSET = (MI_ALIGNMENT_MAX / MI_SEGMENT_SLICE_SIZE) - 1: back offsets set in a page's first slices. */
export const MAX_SLICE_OFFSET = ALIGNMENT_MAX / SLICE_SIZE - 1;
/** types.h: MI_HUGE_BLOCK_SIZE, the xblock_size of blocks too big for 32 bits. */
export const HUGE_BLOCK_SIZE = 2 * GiB;
/** types.h: MI_BIN_HUGE, MI_BIN_FULL; 75 page queues. */
export const BIN_HUGE = 73;
export const BIN_FULL = BIN_HUGE + 1;
/** types.h: MI_SEGMENT_BIN_MAX, span queues 0..35. */
export const SEGMENT_BIN_MAX = 35;
/** types.h: commit masks have one bit per 64 KiB (MI_COMMIT_SIZE = slice), 512 bits = 8 words. */
export const COMMIT_SIZE = SLICE_SIZE;
export const COMMIT_MASK_BYTES = SLICES_PER_SEGMENT / 8;
/** types.h (MI_PADDING): mi_padding_t { u32 canary; u32 delta } after each block when MI_SECURE >= 3. */
export const PADDING_SIZE = 8;
/** types.h MI_DEBUG_PADDING: the byte the first padding bytes are filled with (MI_PADDING_CHECK). */
export const DEBUG_PADDING = 0xde;

/** types.h mi_delayed_t: the low 2 bits of `xthread_free`. */
export const USE_DELAYED_FREE = 0;
export const DELAYED_FREEING = 1;
export const NO_DELAYED_FREE = 2;
export const NEVER_DELAYED_FREE = 3;

/** types.h mi_segment_kind_t. */
export const SEGMENT_NORMAL = 0;
export const SEGMENT_HUGE = 1;
/** types.h mi_memkind_t (the ones used). */
export const MEM_OS = 3;
export const MEM_ARENA = 6;

/** Byte offsets of mi_page_t (one slice entry). */
export interface PageLayout {
  size: number;
  sliceCount: number; // u32
  sliceOffset: number; // u32
  bits: number; // u8: is_committed (bit 0), is_zero_init (bit 1)
  capacity: number; // u16
  reserved: number; // u16
  flags: number; // u8: in_full (bit 0), has_aligned (bit 1)
  retire: number; // u8: free_is_zero (bit 0), retire_expire (bits 1..7)
  free: number;
  used: number;
  usedSize: 2 | 4;
  blockSize: number;
  blockSizeSize: 4 | 8;
  localFree: number;
  /** v2.4.1 only: page_start (else -1). */
  pageStart: number;
  /** MI_ENCODE_FREELIST || MI_PADDING: two 8-byte keys (else -1). */
  keys: number;
  xthreadFree: number;
  xheap: number;
  next: number;
  prev: number;
}

/** Byte offsets of mi_segment_t. */
export interface SegmentLayout {
  size: number;
  memid: number; // mi_memid_t: arena block index @+0, arena id @+8 (u32), initially_zero @+18, memkind @+20
  allowDecommit: number;
  allowPurge: number;
  segmentSize: number;
  purgeExpire: number;
  purgeMask: number;
  commitMask: number;
  /** v2.1.2: abandoned_next (the abandoned list's link); later versions: `next` (unused by abandonment). */
  abandonedNext: number;
  /** 2cca58 and later: was_reclaimed (bool), else -1. */
  wasReclaimed: number;
  abandoned: number;
  abandonedVisits: number;
  used: number;
  cookie: number;
  segmentSlices: number;
  infoSlices: number;
  kind: number;
  sliceEntries: number;
  threadId: number;
  slices: number;
}

/** Byte offsets of mi_heap_t. */
export interface HeapLayout {
  size: number;
  tld: number;
  pagesFreeDirect: number;
  /** MI_PAGES_DIRECT = MI_SMALL_WSIZE_MAX + MI_PADDING_WSIZE + 1. */
  pagesDirect: number;
  pages: number;
  threadDelayedFree: number;
  threadId: number;
  cookie: number;
  keys: number;
  random: number;
  pageCount: number;
  retiredMin: number;
  retiredMax: number;
  /** v2.4.1 only (else -1). */
  genericCount: number;
  genericCollectCount: number;
}

/** Byte offsets of mi_tld_t (with mi_segments_tld_t inside). */
export interface TldLayout {
  size: number;
  heartbeat: number;
  heapBacking: number;
  /** segments.spans[36] of mi_span_queue_t {first, last, slice_count}. */
  spans: number;
  /** segments.count */
  segmentCount: number;
  /** segments.reclaim_count (2cca58 and later) */
  reclaimCount: number;
}

export interface Layout {
  page: PageLayout;
  segment: SegmentLayout;
  heap: HeapLayout;
  tld: TldLayout;
  /** mi_page_queue_t and mi_span_queue_t: {first @0, last @8, block_size/slice_count @16}. */
  queueSize: number;
}

/** Offsets inside mi_random_ctx_t (136 bytes): input[16] u32, output[16] u32, output_available. */
export const RANDOM_OUTPUT = 64;
export const RANDOM_AVAILABLE = 128;

function pageLayout(version: MiVersion, encoded: boolean): PageLayout {
  const k = encoded ? 16 : 0;
  if (version !== '2.4.1') {
    return {
      size: 80 + k,
      sliceCount: 0,
      sliceOffset: 4,
      bits: 8,
      capacity: 10,
      reserved: 12,
      flags: 14,
      retire: 15,
      free: 16,
      used: 24,
      usedSize: 4,
      blockSize: 28,
      blockSizeSize: 4,
      localFree: 32,
      pageStart: -1,
      keys: encoded ? 40 : -1,
      xthreadFree: 40 + k,
      xheap: 48 + k,
      next: 56 + k,
      prev: 64 + k,
    };
  }
  return {
    size: 96 + k,
    sliceCount: 0,
    sliceOffset: 4,
    bits: 8,
    capacity: 10,
    reserved: 12,
    flags: 14,
    retire: 15,
    free: 16,
    localFree: 24,
    used: 32,
    usedSize: 2,
    blockSize: 40,
    blockSizeSize: 8,
    pageStart: 48,
    keys: encoded ? 56 : -1,
    xthreadFree: 56 + k,
    xheap: 64 + k,
    next: 72 + k,
    prev: 80 + k,
  };
}

function segmentLayout(version: MiVersion, pageSize: number): SegmentLayout {
  if (version !== '2.4.1') {
    return {
      size: 264 + (SLICES_PER_SEGMENT + 1) * pageSize,
      memid: 0,
      allowDecommit: 24,
      allowPurge: 25,
      segmentSize: 32,
      purgeExpire: 40,
      purgeMask: 48,
      commitMask: 112,
      abandonedNext: 176,
      wasReclaimed: version === '2cca58' ? 184 : -1,
      abandoned: 192,
      abandonedVisits: 200,
      used: 208,
      cookie: 216,
      segmentSlices: 224,
      infoSlices: 232,
      kind: 240,
      sliceEntries: 248,
      threadId: 256,
      slices: 264,
    };
  }
  return {
    size: 288 + (SLICES_PER_SEGMENT + 1) * pageSize,
    memid: 0,
    allowDecommit: 24,
    allowPurge: 25,
    segmentSize: 32,
    purgeExpire: 48,
    purgeMask: 56,
    commitMask: 120,
    abandonedNext: 184,
    wasReclaimed: 192,
    abandoned: 200,
    abandonedVisits: 208,
    used: 216,
    cookie: 224,
    segmentSlices: 248,
    infoSlices: 256,
    kind: 264,
    sliceEntries: 272,
    threadId: 280,
    slices: 288,
  };
}

function heapLayout(version: MiVersion, padding: boolean): HeapLayout {
  const direct = SMALL_WSIZE_MAX + (padding ? 1 : 0) + 1;
  const queues = (BIN_FULL + 1) * 24;
  if (version !== '2.4.1') {
    const pages = 8 + direct * 8;
    const d = pages + queues; // thread_delayed_free follows the queues
    return {
      size: d + 224,
      tld: 0,
      pagesFreeDirect: 8,
      pagesDirect: direct,
      pages,
      threadDelayedFree: d,
      threadId: d + 8,
      cookie: d + 24,
      keys: d + 32,
      random: d + 48,
      pageCount: d + 184,
      retiredMin: d + 192,
      retiredMax: d + 200,
      genericCount: -1,
      genericCollectCount: -1,
    };
  }
  const pages = 256 + direct * 8;
  return {
    size: pages + queues,
    tld: 0,
    pagesFreeDirect: 256,
    pagesDirect: direct,
    pages,
    threadDelayedFree: 8,
    threadId: 16,
    cookie: 32,
    keys: 40,
    random: 56,
    pageCount: 192,
    retiredMin: 200,
    retiredMax: 208,
    genericCount: 224,
    genericCollectCount: 232,
  };
}

function tldLayout(version: MiVersion): TldLayout {
  const count = 32 + (SEGMENT_BIN_MAX + 1) * 24;
  const size = version === '2.1.2' ? 1600 : version === '2cca58' ? 1656 : 5120;
  return { size, heartbeat: 0, heapBacking: 16, spans: 32, segmentCount: count, reclaimCount: count + 32 };
}

/** The struct layouts of `version` (MI_SECURE >= 3 encodes free lists and pads blocks). */
export function layoutOf(version: MiVersion, secure: number): Layout {
  const encoded = secure >= 3;
  const page = pageLayout(version, encoded);
  return { page, segment: segmentLayout(version, page.size), heap: heapLayout(version, encoded), tld: tldLayout(version), queueSize: 24 };
}

/** Queue and span-queue fields. */
export const Q_FIRST = 0;
export const Q_LAST = 8;
export const Q_SIZE = 16;

/** mi_memid_t fields used (offsets inside the memid at segment offset 0, and in the arena struct). */
export const MEMID_BLOCK_INDEX = 0;
export const MEMID_ARENA_ID = 8;
export const MEMID_INITIALLY_ZERO = 18;
export const MEMID_KIND = 20;

export function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

export function alignDown(x: number, a: number): number {
  return Math.floor(x / a) * a;
}
