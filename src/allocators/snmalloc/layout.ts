/**
 * Where snmalloc's state sits in simulated memory: the fields of the pool-allocated `Allocator`
 * (src/snmalloc/mem/corealloc.h), of the 64-byte slab metadata (mem/metadata.h), of free-list
 * builders and iterators (mem/freelist.h), of the backend's per-thread LocalState
 * (backend/standard_range.h) and of the process-wide globals.
 *
 * Field order follows the C++ declarations; padding is chosen so each structure stays within the
 * measured sizeof (Allocator: 9216 B fast, 11008 B check; FrontendSlabMetadata: 40 B / 56 B in a
 * 64 B block). Offsets are not byte-exact copies of the compiler's layout; what matters for the
 * model is which fields share a cache line, and that is kept.
 */
import { NUM_SMALL_SIZECLASSES, REMOTE_MIN_ALIGN, type Build } from './config.ts';

/** freelist::Builder layout: LENGTH = 1, or 2 queues with `random_preserve`. */
export interface BuilderLayout {
  queues: 1 | 2;
  head(i: number): number;
  end(i: number): number;
  /** u16 length of queue i, or -1 when not tracked. */
  length(i: number): number;
  bytes: number;
}

export function builderLayout(queues: 1 | 2, trackLength: boolean): BuilderLayout {
  const lenOff = queues * 16;
  return {
    queues,
    head: (i) => i * 8,
    end: (i) => queues * 8 + i * 8,
    length: (i) => (trackLength ? lenOff + i * 2 : -1),
    bytes: trackLength ? lenOff + 8 : lenOff,
  };
}

/** freelist::Iter: `curr` only in fast builds; prev signature, curr, key_tweak with the backward edge. */
export interface IterLayout {
  curr: number;
  /** -1 when the build keeps no prev signature. */
  prev: number;
  tweak: number;
  bytes: number;
}

export function iterLayout(build: Build): IterLayout {
  return build === 'check' ? { prev: 0, curr: 8, tweak: 16, bytes: 24 } : { curr: 0, prev: -1, tweak: -1, bytes: 8 };
}

/** FrontendSlabMetadata (mem/metadata.h) inside its 64-byte block. */
export interface MetaLayout {
  /** SeqSet node: next at +0, prev at +8. */
  node: number;
  freeQueue: number;
  fq: BuilderLayout;
  needed: number;
  sleeping: number;
  large: number;
}

export function metaLayout(build: Build): MetaLayout {
  const fq = builderLayout(build === 'check' ? 2 : 1, build === 'check');
  const after = 16 + fq.bytes;
  return { node: 0, freeQueue: 16, fq, needed: after, sleeping: after + 2, large: after + 3 };
}

/** alignof(FrontendSlabMetadata): its words are pointers. */
export const SLAB_META_ALIGN = 8;

/**
 * FrontendSlabMetadata::as_key_tweak (mem/metadata.h): the slab metadata's address divided by its
 * alignment, the tweak of the keys of that slab's free lists.
 */
export function keyTweak(meta: number): number {
  return meta / SLAB_META_ALIGN;
}

/** One `alloc_classes[sc]` entry: SeqSet head node, then u16 unused and u16 length. */
export const ALLOC_CLASS_BYTES = 24;
export const AC_UNUSED = 16;
export const AC_LENGTH = 18;

/** RemoteAllocator = FreeListMPSCQ: `back` and `front` on separate lines, 256-byte aligned. */
export const MPSCQ_BACK = 0;
export const MPSCQ_FRONT = 64;
export const MPSCQ_BYTES = 256;

/** Bytes of a buddy allocator's state: 3-entry cache and a tree root per level, plus empty_at_or_above. */
export function buddyBytes(levels: number): number {
  return levels * 32 + 8;
}

export interface AllocatorLayout {
  fastLists: number;
  iter: IterLayout;
  /** Pooled<Allocator>: next, list_next, in_use. */
  poolNext: number;
  poolListNext: number;
  poolInUse: number;
  /** RemoteDeallocCache: the slot builders, the BatchIt state, the capacity budget. */
  slots: number;
  slotBuilder: BuilderLayout;
  batching: number;
  capacity: number;
  allocClasses: number;
  laden: number;
  entropy: number;
  /** The inline RemoteAllocator (inbox), REMOTE_MIN_ALIGN-aligned. */
  remote: number;
  /** The backend LocalState: small buddy, then the local large buddy (with requested_total). */
  localState: number;
  bytes: number;
}

/** LocalEntropy (mem/entropy.h): bit_source, local_key, local_counter, fresh_bits, count. */
export const ENTROPY_BYTES = 40;

/** Small buddy levels: MIN_BITS = log2(sizeof(FreeChunk)) = 4 up to MIN_CHUNK_BITS = 14. */
export const SMALL_BUDDY_LEVELS = 10;

/** LocalState bytes for a local large buddy with `levels` levels. */
export function localStateBytes(largeLevels: number): number {
  return buddyBytes(SMALL_BUDDY_LEVELS) + buddyBytes(largeLevels) + 8;
}

export function allocatorLayout(build: Build, slotBits: number, batchingBytes: number, largeLevels: number): AllocatorLayout {
  const iter = iterLayout(build);
  let off = 0;
  const take = (n: number, align = 8): number => {
    off = Math.ceil(off / align) * align;
    const at = off;
    off += n;
    return at;
  };
  const fastLists = take(NUM_SMALL_SIZECLASSES * iter.bytes);
  const poolNext = take(8);
  const poolListNext = take(8);
  const poolInUse = take(8);
  const slotBuilder = builderLayout(1, false);
  const slots = take((1 << slotBits) * slotBuilder.bytes, 64);
  const batching = take(batchingBytes);
  const capacity = take(8);
  const allocClasses = take(NUM_SMALL_SIZECLASSES * ALLOC_CLASS_BYTES, 64);
  const laden = take(16);
  const entropy = take(ENTROPY_BYTES);
  const remote = take(MPSCQ_BYTES, REMOTE_MIN_ALIGN);
  const localState = take(localStateBytes(largeLevels), 64);
  return {
    fastLists,
    iter,
    poolNext,
    poolListNext,
    poolInUse,
    slots,
    slotBuilder,
    batching,
    capacity,
    allocClasses,
    laden,
    entropy,
    remote,
    localState,
    bytes: off,
  };
}
