/**
 * Layout of a boundary-tag heap (Knuth's boundary tags as taught in CS:APP 3e §9.9.11 and the
 * UW CSE 351 / CMU 15-213 malloc labs): every block carries its size and an in-use bit in a header
 * word and again in a footer word, so free() can find and merge both neighbours in O(1).
 *
 *   chunk (mapped, aligned to its size):
 *   +0 next chunk | +8 length | +16 owning heap | +24 prologue hdr | +32 prologue ftr | blocks ... | epilogue hdr
 *
 *   allocated block              free block
 *   +0      [ size | 1 ]         +0      [ size | 0 ]
 *   +8      payload ...          +8      next free  (in-band link)
 *                                +16     prev free  (in-band link)
 *   +size-8 [ size | 1 ]         +size-8 [ size | 0 ]
 *
 * Blocks start at 8 mod 16 so payloads are 16-byte aligned; sizes are multiples of 16, at least 32
 * (header, two links, footer). The prologue and epilogue are allocated sentinels, so coalescing
 * never runs off a chunk.
 */
import { roundUp } from '../direct-map.ts';

export const WORD = 8;
/** Header + footer. */
export const TAG_BYTES = 16;
/** Header, next, prev, footer. */
export const MIN_BLOCK = 32;
export const INUSE = 1;
/** Set in the header of a block mapped directly from the OS (glibc's IS_MMAPPED, 0x2). */
export const MMAPPED = 2;

// Heap state (one per heap: the freelist's globals, each arena, tcache's global heap).
export const HS_LOCK = 0;
export const HS_FREE = 8;
export const HS_CHUNKS = 16;
export const HEAP_STATE_BYTES = 64;

// Chunk header.
export const CH_NEXT = 0;
export const CH_LEN = 8;
export const CH_HEAP = 16;
export const CH_PROLOGUE = 24;
export const CH_FIRST_BLOCK = 40;
/** Chunk header, prologue and epilogue: what a chunk spends besides its blocks. */
export const CHUNK_OVERHEAD = 48;

// In-band links of a free block.
export const LINK_NEXT = 8;
export const LINK_PREV = 16;

/** Block size for a request of n bytes: payload plus both tags, 16-byte multiple, at least MIN_BLOCK. */
export function blockSizeFor(n: number): number {
  return Math.max(MIN_BLOCK, roundUp(n + TAG_BYTES, 16));
}

/** Size field of a tag (its low 4 bits are flags). */
export function tagSize(tag: number): number {
  return tag - (tag % 16);
}

/**
 * Work charged per step, in simple instructions of the C code path (the machine charges the
 * memory accesses separately, as they happen).
 */
export const WORK = {
  entry: 6, // size rounding, threshold test, call
  fitStep: 4, // load size, compare, branch, follow link
  place: 6,
  split: 6,
  free: 6, // decode tag, read both neighbours' tags
  merge: 6,
  listOp: 4,
  insertStep: 3,
  grow: 30,
} as const;
