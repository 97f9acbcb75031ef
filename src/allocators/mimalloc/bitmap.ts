/**
 * Atomic bitmaps of 64-bit fields (mimalloc src/bitmap.c), used by the arenas for their in-use,
 * dirty, committed and purge bits.
 *
 * A 64-bit mask does not fit a JS number, so each field is operated on as two 32-bit words; a bit
 * run that lies in one word costs one atomic, as in mimalloc, and a run crossing the word boundary
 * costs two (the real code does one 64-bit CAS there). Runs never cross a 64-bit field (the model
 * does not use the `_across` variants; docs/models/mimalloc.md).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { RELAXED } from '../../machine/memory-order.ts';
import { ORIGIN_META } from '../../machine/origin-counters.ts';

export const FIELD_BITS = 64;

/** The (word offset, mask) pieces of bits [bit, bit+count) of one field. */
function pieces(bit: number, count: number, fn: (off: number, mask: number) => boolean | void): boolean {
  let b = bit;
  let left = count;
  let ok = true;
  while (left > 0) {
    const pos = b % 32;
    const n = Math.min(left, 32 - pos);
    const mask = (n === 32 ? 0xffffffff : ((1 << n) - 1) << pos) >>> 0;
    if (fn(b >= 32 ? 4 : 0, mask) === false) ok = false;
    b += n;
    left -= n;
  }
  return ok;
}

/** bitmap.c _mi_bitmap_try_find_claim_field over every field: claims `count` zero bits; returns the bit index or -1. */
export function bitmapTryFindClaim(cpu: Cpu, bitmap: number, fields: number, count: number): number {
  for (let f = 0; f < fields; f++) {
    const field = bitmap + f * 8;
    const lo = cpu.atomicLoad(field, 4);
    const hi = cpu.load(field + 4, 4, ORIGIN_META, RELAXED);
    if (lo === 0xffffffff && hi === 0xffffffff) continue;
    for (let bit = 0; bit + count <= FIELD_BITS; bit++) {
      let free = true;
      pieces(bit, count, (off, mask) => {
        if (((off === 0 ? lo : hi) & mask) !== 0) free = false;
      });
      if (!free) continue;
      // Claim with a CAS per word (the words were read just above, so the CAS succeeds: operations are linearised).
      pieces(bit, count, (off, mask) => {
        const old = off === 0 ? lo : hi;
        cpu.cas(field + off, old, (old | mask) >>> 0, 4);
      });
      return f * FIELD_BITS + bit;
    }
  }
  return -1;
}

/** bitmap.c _mi_bitmap_claim: sets the bits (fetch_or); returns whether they were all zero before. */
export function bitmapClaim(cpu: Cpu, bitmap: number, idx: number, count: number): boolean {
  const field = bitmap + Math.floor(idx / FIELD_BITS) * 8;
  return pieces(idx % FIELD_BITS, count, (off, mask) => (cpu.fetchOr(field + off, mask) & mask) === 0);
}

/** bitmap.c _mi_bitmap_unclaim: clears the bits (fetch_and); returns whether they were all set before. */
export function bitmapUnclaim(cpu: Cpu, bitmap: number, idx: number, count: number): boolean {
  const field = bitmap + Math.floor(idx / FIELD_BITS) * 8;
  return pieces(idx % FIELD_BITS, count, (off, mask) => (cpu.fetchAnd(field + off, ~mask >>> 0) & mask) >>> 0 === mask);
}

/** bitmap.c _mi_bitmap_try_claim: sets the bits only if all are zero (CAS). */
export function bitmapTryClaim(cpu: Cpu, bitmap: number, idx: number, count: number): boolean {
  const field = bitmap + Math.floor(idx / FIELD_BITS) * 8;
  const bit = idx % FIELD_BITS;
  const lo = cpu.atomicLoad(field, 4);
  const hi = cpu.load(field + 4, 4, ORIGIN_META, RELAXED);
  const free = pieces(bit, count, (off, mask) => ((off === 0 ? lo : hi) & mask) === 0);
  if (!free) return false;
  pieces(bit, count, (off, mask) => {
    const old = off === 0 ? lo : hi;
    cpu.cas(field + off, old, (old | mask) >>> 0, 4);
  });
  return true;
}

/** bitmap.c _mi_bitmap_is_claimed: are all the bits set? */
export function bitmapIsClaimed(cpu: Cpu, bitmap: number, idx: number, count: number): boolean {
  const field = bitmap + Math.floor(idx / FIELD_BITS) * 8;
  return pieces(idx % FIELD_BITS, count, (off, mask) => (cpu.load(field + off, 4, ORIGIN_META, RELAXED) & mask) >>> 0 === mask);
}

/** Is bit `idx` set? (a relaxed read) */
export function bitmapTest(cpu: Cpu, bitmap: number, idx: number): boolean {
  const w = cpu.load(bitmap + Math.floor(idx / 32) * 4, 4, ORIGIN_META, RELAXED);
  return ((w >>> (idx % 32)) & 1) === 1;
}
