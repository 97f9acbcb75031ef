/**
 * 64-bit bitmap words as two unsigned 32-bit halves (lo, hi), the form `cpu.load64` / `cpu.store64`
 * and `cpu.fetchOr64` use: a JS number cannot hold 64 arbitrary bits. Pure functions for the
 * allocators that keep bitmaps (IsoAlloc's zone bitmaps, feoramalloc's slab sectors).
 */

/** Count of trailing zero bits of a 32-bit value (32 for 0). */
export function ctz32(x: number): number {
  if (x === 0) return 32;
  return 31 - Math.clz32(x & -x);
}

/** Trailing zeros of the 64-bit word (lo, hi); 64 when zero. */
export function ctz64(lo: number, hi: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/** Set bits of a 32-bit value. */
export function popcount32(x: number): number {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function popcount64(lo: number, hi: number): number {
  return popcount32(lo) + popcount32(hi);
}

/** Bit k (0..63) of (lo, hi). */
export function bit64(lo: number, hi: number, k: number): number {
  return k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1;
}

/** (lo, hi) with bit k set: returns the new halves as [lo, hi]. */
export function setBit64(lo: number, hi: number, k: number): [number, number] {
  return k < 32 ? [(lo | (1 << k)) >>> 0, hi] : [lo, (hi | (1 << (k - 32))) >>> 0];
}

/** (lo, hi) with bit k cleared. */
export function clearBit64(lo: number, hi: number, k: number): [number, number] {
  return k < 32 ? [(lo & ~(1 << k)) >>> 0, hi] : [lo, (hi & ~(1 << (k - 32))) >>> 0];
}

/** The mask with only bit k set, as halves. */
export function mask64(k: number): [number, number] {
  return k < 32 ? [(1 << k) >>> 0, 0] : [0, (1 << (k - 32)) >>> 0];
}

/** The low `n` bits set (n in 0..64), as halves. */
export function lowBits64(n: number): [number, number] {
  if (n >= 64) return [0xffffffff, 0xffffffff];
  if (n >= 32) return [0xffffffff, n === 32 ? 0 : (2 ** (n - 32) - 1) >>> 0];
  return [n === 0 ? 0 : (2 ** n - 1) >>> 0, 0];
}

/** Splits a non-negative integer below 2^53 into halves. */
export function halves(v: number): [number, number] {
  const hi = Math.floor(v / 4294967296);
  return [v - hi * 4294967296, hi];
}

/** Joins halves into a number (exact when hi < 2^21). */
export function join64(lo: number, hi: number): number {
  return (hi >>> 0) * 4294967296 + (lo >>> 0);
}
