/**
 * snmalloc's size classes (src/snmalloc/ds/sizeclasstable.h, src/snmalloc/ds_core/bits.h
 * from_exp_mant, src/snmalloc/mitigations/allocconfig.h MIN_OBJECT_COUNT).
 *
 * 44 small classes: each power-of-two interval is split into 2^INTERMEDIATE_BITS = 4 steps with a
 * 16-byte step at the bottom (16, 32, 48, 64, 80, 96, 112, 128, 160, ... 65536). A class's slab is
 * max(next_pow2(MIN_OBJECT_COUNT x size), 16 KiB); capacity = slab / size; a sleeping slab wakes
 * after `waking` frees: min(capacity / 4, 32) in fast builds, capacity / 4 in check builds.
 *
 * The tables live where snmalloc keeps them, in read-only static data: the 4096-entry byte table
 * `sizeclass_lookup` indexed by (size - 1) >> 4, and `sizeclass_metadata` (fast part: size,
 * slab_mask, div_mult, mod_zero_mult per full sizeclass; slow part: capacity, waking). The model
 * charges a load of the line it reads; the values also sit in JS arrays (a pure table).
 */
import type { Machine } from '../../machine/machine.ts';
import type { SizeClass } from '../kit/contract.ts';
import {
  INTERMEDIATE_BITS,
  MAX_SMALL_SIZE,
  MIN_ALLOC_STEP_BITS,
  MIN_CHUNK_BITS,
  NUM_SMALL_SIZECLASSES,
  SIZECLASS_TAG,
  nextPow2Bits,
  type Build,
} from './config.ts';

/** bits::from_exp_mant<INTERMEDIATE_BITS, MIN_ALLOC_STEP_BITS>(sc): the object size of class sc. */
export function sizeclassToSize(sc: number): number {
  const me = sc + 1;
  const m = me & ((1 << INTERMEDIATE_BITS) - 1);
  const e = me >> INTERMEDIATE_BITS;
  const b = e === 0 ? 0 : 1;
  return (m + (b << INTERMEDIATE_BITS)) * 2 ** (e - b + MIN_ALLOC_STEP_BITS);
}

/** Byte offsets inside the read-only image. */
const LOOKUP_OFF = 0;
const LOOKUP_SIZE = MAX_SMALL_SIZE >> MIN_ALLOC_STEP_BITS; // 4096 entries
const FAST_OFF = LOOKUP_OFF + LOOKUP_SIZE;
const FAST_ENTRY = 32; // size, slab_mask, div_mult, mod_zero_mult
const SLOW_OFF = FAST_OFF + 128 * FAST_ENTRY;
const SLOW_ENTRY = 4; // capacity u16, waking u16
export const SIZECLASS_RODATA_BYTES = SLOW_OFF + 128 * SLOW_ENTRY;

export class SizeClassTable {
  readonly sizes: number[] = [];
  readonly slabBits: number[] = [];
  readonly capacity: number[] = [];
  readonly waking: number[] = [];
  /** MIN_OBJECT_COUNT (allocconfig.h). */
  readonly minObjectCount: number;
  /** MAX_SLAB_SPAN_BITS (allocconfig.h): next_pow2_bits((MIN_OBJECT_COUNT - 1) * 64 KiB). */
  readonly maxSlabSpanBits: number;
  /** sizeclass_lookup: (size - 1) >> 4 -> small class (sizes below minAllocSize map to its class). */
  private readonly lookup = new Uint8Array(LOOKUP_SIZE);
  /** Address of the read-only image, once placed. */
  base = 0;

  constructor(
    readonly build: Build,
    readonly minAllocSize: number,
  ) {
    this.minObjectCount = build === 'check' ? 13 : 4;
    for (let sc = 0; sc < NUM_SMALL_SIZECLASSES; sc++) {
      const size = sizeclassToSize(sc);
      const bits = Math.max(nextPow2Bits(this.minObjectCount * size), MIN_CHUNK_BITS);
      const cap = Math.floor(2 ** bits / size);
      this.sizes.push(size);
      this.slabBits.push(bits);
      this.capacity.push(cap);
      this.waking.push(build === 'check' ? Math.floor(cap / 4) : Math.min(Math.floor(cap / 4), 32));
    }
    this.maxSlabSpanBits = nextPow2Bits((this.minObjectCount - 1) * MAX_SMALL_SIZE);
    // SizeClassLookup constructor: classes below the minimum allocation size map to its class.
    const minClass = this.sizes.findIndex((s) => s >= minAllocSize);
    let curr = 1;
    for (let sc = 0; sc < NUM_SMALL_SIZECLASSES; sc++) {
      for (; curr <= (this.sizes[sc] as number); curr += 1 << MIN_ALLOC_STEP_BITS) {
        const i = (curr - 1) >> MIN_ALLOC_STEP_BITS;
        if (i === LOOKUP_SIZE) break;
        this.lookup[i] = Math.max(sc, minClass);
      }
    }
  }

  /** size_to_sizeclass for 1 <= size <= 64 KiB. */
  classOf(size: number): number {
    return this.lookup[(size - 1) >> MIN_ALLOC_STEP_BITS] as number;
  }

  /** round_size (sizeclasstable.h): the class size, next_pow2 above 64 KiB, size 0 as 1. */
  roundSize(size: number): number {
    if (size === 0) return this.sizes[this.classOf(1)] as number;
    if (size <= MAX_SMALL_SIZE) return this.sizes[this.classOf(size)] as number;
    return 2 ** nextPow2Bits(size);
  }

  slabSize(sc: number): number {
    return 2 ** (this.slabBits[sc] as number);
  }

  /** Address of the lookup byte for `size` (1 <= size <= 64 KiB). */
  lookupAddr(size: number): number {
    return this.base + LOOKUP_OFF + ((size - 1) >> MIN_ALLOC_STEP_BITS);
  }

  /** Address of sizeclass_metadata.fast[raw] (its first word is the object size). */
  fastAddr(raw: number): number {
    return this.base + FAST_OFF + raw * FAST_ENTRY;
  }

  /** Address of sizeclass_metadata.slow[raw] (capacity u16, waking u16). */
  slowAddr(raw: number): number {
    return this.base + SLOW_OFF + raw * SLOW_ENTRY;
  }

  /** Writes the read-only tables into the model's static data (a binary's .rodata). */
  place(machine: Machine, base: number): void {
    this.base = base;
    for (let i = 0; i < LOOKUP_SIZE; i++) machine.poke(base + LOOKUP_OFF + i, this.lookup[i] as number, 1);
    for (let sc = 0; sc < NUM_SMALL_SIZECLASSES; sc++) {
      const raw = SIZECLASS_TAG + sc;
      machine.poke(this.fastAddr(raw), this.sizes[sc] as number);
      machine.poke(this.fastAddr(raw) + 8, this.slabSize(sc) - 1);
      machine.poke(this.slowAddr(raw), this.capacity[sc] as number, 2);
      machine.poke(this.slowAddr(raw) + 2, this.waking[sc] as number, 2);
    }
    // Large classes: raw r encodes a 2^(64 - r) byte chunk; only sizes below 2^48 exist here.
    for (let r = 17; r < SIZECLASS_TAG; r++) {
      machine.poke(this.fastAddr(r), 2 ** (64 - r));
      machine.poke(this.fastAddr(r) + 8, 2 ** (64 - r) - 1);
    }
  }

  /** Object size of a full sizeclass (sizeclass_full_to_size), from the JS table. */
  sizeOfFull(raw: number): number {
    if (raw >= SIZECLASS_TAG) return this.sizes[raw - SIZECLASS_TAG] as number;
    return raw === 0 ? 0 : 2 ** (64 - raw);
  }

  /** The 44 rows for describe(). */
  rows(): SizeClass[] {
    return this.sizes.map((size, index) => ({
      index,
      size,
      slabBytes: this.slabSize(index),
      capacity: this.capacity[index] as number,
      wakeThreshold: this.waking[index] as number,
    }));
  }
}

/** Full sizeclass of a small class (sizeclass_t::from_small_class). */
export function fullSmall(sc: number): number {
  return SIZECLASS_TAG + sc;
}

/** Full sizeclass of a large chunk of 2^bits bytes (from_large_class(clz(size - 1))). */
export function fullLarge(bits: number): number {
  return 64 - bits;
}

/** is_start_of_object: the offset within the slab is a multiple of the object size. */
export function isStartOfObject(addr: number, size: number, slabSize: number): boolean {
  return (addr % slabSize) % size === 0;
}
