/**
 * Encoded free-list links (MI_ENCODE_FREELIST, MI_SECURE >= 3): include/mimalloc/internal.h
 * mi_ptr_encode / mi_ptr_decode, rotl(p ^ k1, k0) + k0 with two per-page (or per-heap) 64-bit keys,
 * where NULL is encoded as the page (heap) address itself.
 *
 * An encoded word is a full 64-bit value, which a JS number cannot hold, so links are read and
 * written as two 32-bit halves (Cpu.load64/store64) and the arithmetic is done on halves.
 */
const TWO32 = 4294967296;

/** Two 64-bit keys as halves: k0 = (k0lo, k0hi), k1 = (k1lo, k1hi). */
export interface Keys {
  k0lo: number;
  k0hi: number;
  k1lo: number;
  k1hi: number;
}

export function newKeys(): Keys {
  return { k0lo: 0, k0hi: 0, k1lo: 0, k1hi: 0 };
}

/** Result registers of the last encode/decode (halves), to avoid allocating. */
export const out = { lo: 0, hi: 0 };

function rotl(lo: number, hi: number, s: number): void {
  let l = lo;
  let h = hi;
  let n = s & 63;
  if (n >= 32) {
    const t = l;
    l = h;
    h = t;
    n -= 32;
  }
  if (n === 0) {
    out.lo = l;
    out.hi = h;
    return;
  }
  out.hi = ((h << n) | (l >>> (32 - n))) >>> 0;
  out.lo = ((l << n) | (h >>> (32 - n))) >>> 0;
}

function rotr(lo: number, hi: number, s: number): void {
  rotl(lo, hi, 64 - (s & 63));
}

/** mi_ptr_encode(null, p, keys): the halves of the encoded word land in `out`. */
export function encode(nullValue: number, p: number, k: Keys): void {
  const x = p === 0 ? nullValue : p;
  const xhi = Math.floor(x / TWO32);
  const xlo = x - xhi * TWO32;
  rotl((xlo ^ k.k1lo) >>> 0, (xhi ^ k.k1hi) >>> 0, k.k0lo);
  const lo = out.lo + k.k0lo;
  const carry = lo >= TWO32 ? 1 : 0;
  out.lo = lo - carry * TWO32;
  out.hi = (out.hi + k.k0hi + carry) % TWO32;
}

/**
 * mi_ptr_decode(null, (lo, hi), keys): the pointer, or 0 for the encoded NULL. A word that decodes
 * to a value beyond 2^53 (corruption) comes back as -1, which no page contains.
 */
export function decode(nullValue: number, lo: number, hi: number, k: Keys): number {
  let l = lo - k.k0lo;
  const borrow = l < 0 ? 1 : 0;
  l += borrow * TWO32;
  const h = (hi - k.k0hi - borrow + 2 * TWO32) % TWO32;
  rotr(l, h, k.k0lo);
  const plo = (out.lo ^ k.k1lo) >>> 0;
  const phi = (out.hi ^ k.k1hi) >>> 0;
  if (phi >= 1 << 21) return -1;
  const p = phi * TWO32 + plo;
  return p === nullValue ? 0 : p;
}
