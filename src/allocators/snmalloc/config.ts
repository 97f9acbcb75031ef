/**
 * snmalloc's build configuration as the model sees it: the fast and the check ("secure") builds,
 * the mitigations each turns on, the constants with their source files, and the model parameters.
 *
 * Sources (microsoft/snmalloc): src/snmalloc/mitigations/mitigations.h (full_checks),
 * src/snmalloc/mitigations/allocconfig.h (REMOTE_*, DEALLOC_BATCH_*, MAX_CAPACITY_BITS),
 * src/snmalloc/ds_core/sizeclassconfig.h (MIN_CHUNK_BITS, MIN_ALLOC_SIZE),
 * src/snmalloc/backend/base_constants.h (LocalCacheSizeBits, GlobalCacheSizeBits).
 */
import { batchitParams, shapeFromParams, SNMALLOC_BATCHIT_SHAPE, type BatchItShape } from '../shared/batchit/index.ts';
import { bool, num, str, ParamError, type ParamSpec, type Params } from '../../lib/params.ts';

export type Build = 'fast' | 'check';

/** The mitigations of mitigations.h that change what the model does (all on in check builds). */
export interface Mitigations {
  /** Free-list `next` stored XOR key_next XOR tweak (freelist.h code_next). */
  forwardEdge: boolean;
  /** Successor's word 1 holds a signature of the link, checked on take (freelist.h signed_prev). */
  backwardEdge: boolean;
  /** New slabs' free lists are a random cyclic permutation (corealloc.h alloc_new_list, Sattolo). */
  randomInitial: boolean;
  /** Two free queues per slab, chosen by a random bit on each free (freelist.h Builder<true>). */
  randomPreserve: boolean;
  /** MIN_OBJECT_COUNT 13 and waking threshold capacity/4 without the cap of 32 (sizeclasstable.h). */
  randomLargerThresholds: boolean;
  /** With one available slab, a coin flip opens a new one instead (corealloc.h small_refill). */
  randomExtraSlab: boolean;
  /** Reuse the oldest available slab (pop_back) instead of the newest (corealloc.h small_refill). */
  reuseLifo: boolean;
  /** Zero `next` and `prev` of each object on allocation (freelist.h cleanup). */
  clearMeta: boolean;
  /** is_start_of_object and backend-owned checks on frees (corealloc.h dealloc paths). */
  sanityChecks: boolean;
  /** Walk the whole free list when a slab is returned and at flush (corealloc.h clear_slab). */
  teardownValidate: boolean;
  /** Reserve PROT_NONE, mprotect on commit and decommit (pal/pal_posix.h, pal/pal_linux.h). */
  palEnforceAccess: boolean;
  /** Place the pagemap at a random offset inside a 5x larger reservation (ds/pagemap.h init). */
  randomPagemap: boolean;
}

export function mitigationsFor(build: Build): Mitigations {
  const on = build === 'check';
  return {
    forwardEdge: on,
    backwardEdge: on,
    randomInitial: on,
    randomPreserve: on,
    randomLargerThresholds: on,
    randomExtraSlab: on,
    reuseLifo: on,
    clearMeta: on,
    sanityChecks: on,
    teardownValidate: on,
    palEnforceAccess: on,
    randomPagemap: on,
  };
}

// ---- constants (64-bit Linux, x86-64) ----

/** MIN_CHUNK_BITS (ds_core/sizeclassconfig.h): pagemap granularity and the smallest slab. */
export const MIN_CHUNK_BITS = 14;
export const MIN_CHUNK_SIZE = 1 << MIN_CHUNK_BITS;
/** MAX_SMALL_SIZECLASS_BITS (ds_core/sizeclassconfig.h): objects up to 64 KiB are small. */
export const MAX_SMALL_SIZECLASS_BITS = 16;
export const MAX_SMALL_SIZE = 1 << MAX_SMALL_SIZECLASS_BITS;
/** MIN_ALLOC_STEP_SIZE = 2 * sizeof(void*) (ds_core/sizeclassconfig.h). */
export const MIN_ALLOC_STEP_BITS = 4;
/** INTERMEDIATE_BITS (ds_core/sizeclassconfig.h): 4 classes per power of two. */
export const INTERMEDIATE_BITS = 2;
/** NUM_SMALL_SIZECLASSES for the defaults above (ds/sizeclasstable.h; measured by printing the table from a snmalloc 0.7 build). */
export const NUM_SMALL_SIZECLASSES = 44;
/** MAX_CAPACITY_BITS (mitigations/allocconfig.h): ring lengths and slab capacities fit in 11 bits. */
export const MAX_CAPACITY_BITS = 11;
/** sizeof(Allocator) in fast and check builds (mem/corealloc.h; measured with sizeof in snmalloc 0.7 builds, see docs/models/snmalloc.md). */
export const ALLOCATOR_SIZE: Record<Build, number> = { fast: 9216, check: 11008 };
/** REMOTE_MIN_ALIGN (mem/metadata.h): RemoteAllocator alignment, leaving 8 low bits for the sizeclass. */
export const REMOTE_MIN_ALIGN = 256;
/** REMOTE_BACKEND_MARKER (mem/metadata.h): bit 7 of pagemap word 2 marks backend-owned entries. */
export const REMOTE_BACKEND_MARKER = 0x80;
/** SIZECLASS_REP_SIZE (ds/sizeclasstable.h): the small-class tag is bit 6 of the full sizeclass. */
export const SIZECLASS_TAG = 64;
/** Slab metadata allocation: next_pow2(sizeof(FrontendSlabMetadata)) = 64 B (backend/backend.h). */
export const SLAB_META_SIZE = 64;
/** OS page size (pal/pal_linux.h). */
export const OS_PAGE_SIZE = 4096;

export interface SnmallocConfig {
  /** Variant name (registry name). */
  name: string;
  build: Build;
  mit: Mitigations;
  /** MIN_ALLOC_SIZE (SNMALLOC_MIN_ALLOC_SIZE): 16, or 32 for BatchIt in check builds. */
  minAllocSize: number;
  /** The BatchIt shape, or null when DEALLOC_BATCH_RING_ASSOC is 0. */
  batchit: BatchItShape | null;
  /** REMOTE_CACHE budget of the outbox in bytes (allocconfig.h; USE_REMOTE_CACHE). */
  remoteCache: number;
  /** REMOTE_SLOT_BITS (allocconfig.h). */
  remoteSlotBits: number;
  /** REMOTE_BATCH_LIMIT in bytes; 0 = unbounded inbox processing (0.7.0). */
  inboxBound: number;
  /** `Aal::prefetch` as a fetch the thread does not wait for ('on'), or dropped ('off', an ablation). */
  prefetch: 'on' | 'off';
  /** Return slabs when unused > returnMinUnused and unused > length >> returnLengthShift (corealloc.h). */
  returnMinUnused: number;
  returnLengthShift: number;
  /** LocalCacheSizeBits: the per-thread large buddy holds blocks below 2^bits (base_constants.h). */
  localCacheBits: number;
  /** GlobalCacheSizeBits: the global buddy refills at least 2^bits from the OS (base_constants.h). */
  globalCacheBits: number;
  /** sizeof(Allocator), whose next_pow2 bits shift the slot hash (remotecache.h get_slot). */
  allocatorSize: number;
}

const SRC_ALLOCCONFIG = 'src/snmalloc/mitigations/allocconfig.h';

/** The parameters every snmalloc variant takes; `defaults` differ per variant. */
export function snmallocParams(d: { minAllocSize: number; batchit: boolean }): ParamSpec[] {
  return [
    {
      name: 'batchit',
      type: 'bool',
      default: d.batchit,
      description: 'BatchIt on (DEALLOC_BATCH_RING_ASSOC > 0)',
      source: SRC_ALLOCCONFIG,
    },
    {
      name: 'minAllocSize',
      type: 'int',
      default: d.minAllocSize,
      min: 16,
      max: 32,
      description: 'MIN_ALLOC_SIZE (16 or 32); BatchIt in the check build needs 32',
      source: 'src/snmalloc/ds_core/sizeclassconfig.h',
    },
    {
      name: 'remoteCache',
      type: 'int',
      default: MIN_CHUNK_SIZE,
      min: 0,
      description: 'REMOTE_CACHE: outbox budget in bytes before a post',
      source: SRC_ALLOCCONFIG,
    },
    {
      name: 'remoteSlotBits',
      type: 'int',
      default: 8,
      min: 1,
      max: 12,
      description: 'REMOTE_SLOT_BITS: the outbox has 2^bits slots',
      source: SRC_ALLOCCONFIG,
    },
    {
      name: 'inboxBound',
      type: 'int',
      default: 1 << 20,
      min: 0,
      description: 'REMOTE_BATCH_LIMIT: bytes of owned frees per inbox pass; 0 = unbounded (0.7.0)',
      source: 'src/snmalloc/mem/corealloc.h',
    },
    {
      name: 'prefetch',
      type: 'enum',
      default: 'on',
      choices: ['on', 'off'],
      description: "Aal::prefetch of the next free object / queue element: 'on' fetches without waiting, 'off' drops it (ablation)",
      source: 'src/snmalloc/mem/freelist.h',
    },
    {
      name: 'returnMinUnused',
      type: 'int',
      default: 2,
      min: 0,
      description: 'return slabs when unused > this ...',
      source: 'src/snmalloc/mem/corealloc.h',
    },
    {
      name: 'returnLengthShift',
      type: 'int',
      default: 2,
      min: 0,
      max: 16,
      description: '... and unused > length >> this',
      source: 'src/snmalloc/mem/corealloc.h',
    },
    {
      name: 'localCacheBits',
      type: 'int',
      default: 21,
      min: 15,
      max: 30,
      description: 'per-thread buddy keeps blocks below 2^bits; a coalesced 2^bits block goes to the global range',
      source: 'src/snmalloc/backend/base_constants.h',
    },
    {
      name: 'globalCacheBits',
      type: 'int',
      default: 24,
      min: 16,
      max: 40,
      description: 'global buddy refills max(2^bits, 2 x request) from the OS',
      source: 'src/snmalloc/backend/base_constants.h',
    },
    ...batchitParams(SNMALLOC_BATCHIT_SHAPE, 'src/snmalloc/mem/remotecache.h'),
  ];
}

export function configFromParams(name: string, build: Build, p: Params): SnmallocConfig {
  const mit = mitigationsFor(build);
  const minAllocSize = num(p, 'minAllocSize');
  if (minAllocSize !== 16 && minAllocSize !== 32) {
    throw new ParamError(`allocator ${name}: minAllocSize=${minAllocSize} must be 16 or 32`);
  }
  const on = bool(p, 'batchit');
  // allocconfig.h: BatchIt needs room for a BatchedRemoteMessage (two free-list nodes) in the
  // smallest object: 2 words, or 4 with the backward-edge signature of check builds.
  const minWords = mit.backwardEdge ? 4 : 2;
  if (on && minAllocSize < minWords * 8) {
    throw new ParamError(
      `allocator ${name}: batchit=true needs minAllocSize=${minWords * 8} in the ${build} build (a BatchedRemoteMessage is ${minWords * 8} bytes); pass minAllocSize=${minWords * 8} or batchit=false`,
    );
  }
  return {
    name,
    build,
    mit,
    minAllocSize,
    batchit: on ? shapeFromParams(p) : null,
    remoteCache: num(p, 'remoteCache'),
    remoteSlotBits: num(p, 'remoteSlotBits'),
    inboxBound: num(p, 'inboxBound'),
    prefetch: str(p, 'prefetch') as 'on' | 'off',
    returnMinUnused: num(p, 'returnMinUnused'),
    returnLengthShift: num(p, 'returnLengthShift'),
    localCacheBits: num(p, 'localCacheBits'),
    globalCacheBits: num(p, 'globalCacheBits'),
    allocatorSize: ALLOCATOR_SIZE[build],
  };
}

/** Smallest power of two >= n (n >= 1). */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** log2 of the smallest power of two >= n. */
export function nextPow2Bits(n: number): number {
  let b = 0;
  while (2 ** b < n) b++;
  return b;
}
