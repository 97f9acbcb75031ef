/**
 * The shape of a BatchIt cache (sets, ways, hash, eviction policy, ring layout) and the parameters
 * that expose it, shared by every model that plugs BatchIt in (snmalloc, mimalloc), so a sweep
 * such as `--param batchit.sets=2,4,8 --param batchit.ways=1,2,4` means the same everywhere.
 */
import { num, str, type ParamSpec, type Params } from '../../../lib/params.ts';

export type EvictionPolicy = 'largest' | 'lru' | 'fifo';
/**
 * `multiply-shift`: snmalloc's ring_set, ((key / 8) * 0x7EFB352D) >> 16 masked to the set bits
 * (snmalloc src/snmalloc/mem/remotecache.h; the constant is from hash-prospector).
 * `address-bits`: the key's bits above its 64-byte alignment, (key >> 6) & mask — a naive hash.
 */
export type RingHash = 'multiply-shift' | 'address-bits';
/**
 * `overlap`: way w of set s uses ring s + w, as snmalloc's code is written (sets share rings and
 * only 2^setBits + ways - 1 rings are used). `clean`: ring s * ways + w, a plain set-associative array.
 */
export type RingLayout = 'overlap' | 'clean';

export interface BatchItShape {
  sets: number;
  ways: number;
  hash: RingHash;
  policy: EvictionPolicy;
  layout: RingLayout;
}

export const SNMALLOC_BATCHIT_SHAPE: BatchItShape = { sets: 8, ways: 2, hash: 'multiply-shift', policy: 'largest', layout: 'overlap' };

/** ParamSpecs `batchit.*` with the given defaults. */
export function batchitParams(defaults: BatchItShape, source: string): ParamSpec[] {
  return [
    {
      name: 'batchit.sets',
      type: 'int',
      default: defaults.sets,
      min: 1,
      max: 1024,
      description: 'sets of the remote-free cache (a power of two)',
      source,
    },
    { name: 'batchit.ways', type: 'int', default: defaults.ways, min: 1, max: 64, description: 'ways per set', source },
    {
      name: 'batchit.hash',
      type: 'enum',
      default: defaults.hash,
      choices: ['multiply-shift', 'address-bits'],
      description: 'slab-to-set hash',
      source,
    },
    {
      name: 'batchit.policy',
      type: 'enum',
      default: defaults.policy,
      choices: ['largest', 'lru', 'fifo'],
      description: 'which way a miss evicts from a full set',
      source,
    },
    {
      name: 'batchit.layout',
      type: 'enum',
      default: defaults.layout,
      choices: ['overlap', 'clean'],
      description: 'ring index of (set, way): s+w as snmalloc writes it, or s*ways+w',
      source,
    },
  ];
}

export function shapeFromParams(p: Params): BatchItShape {
  const sets = num(p, 'batchit.sets');
  if ((sets & (sets - 1)) !== 0) throw new RangeError(`batchit.sets=${sets} must be a power of two`);
  return {
    sets,
    ways: num(p, 'batchit.ways'),
    hash: str(p, 'batchit.hash') as RingHash,
    policy: str(p, 'batchit.policy') as EvictionPolicy,
    layout: str(p, 'batchit.layout') as RingLayout,
  };
}

/** Number of rings the shape allocates (with `overlap`, the highest index used plus one). */
export function ringCount(s: BatchItShape): number {
  return s.layout === 'overlap' ? s.sets + s.ways - 1 : s.sets * s.ways;
}

/** Ring index of way `w` of set `set`. */
export function ringIndex(s: BatchItShape, set: number, w: number): number {
  return s.layout === 'overlap' ? set + w : set * s.ways + w;
}

/** The set a slab key maps to. Keys are addresses (slab metadata or page), at least 8-byte aligned. */
export function setOf(s: BatchItShape, key: number): number {
  const mask = s.sets - 1;
  if (s.hash === 'address-bits') return Math.floor(key / 64) & mask;
  // Bits 16.. of the 64-bit product (key/8) * 0x7EFB352D: only the low 32 bits of the product are
  // needed, and Math.imul gives exactly those.
  const lo = Math.floor(key / 8) % 4294967296;
  return (Math.imul(lo | 0, 0x7efb352d) >>> 16) & mask;
}
