/**
 * xoroshiro::p128r32 of snmalloc's test suite (src/test/xoroshiro.h): xoroshiro128+ on two 64-bit
 * words with rotations 55/14/36, returning the top 32 bits of x + y; the constructor draws once.
 * The snmalloc benchmarks (msgpass, ...) seed it per thread with fixed values; `perturb` lets a run
 * seed other than 1 shift the stream (seed 1 reproduces the source exactly).
 *
 * Each 64-bit word is kept as two unsigned 32-bit halves (plain numbers): the same arithmetic as
 * on BigInts, without allocating one per step (msgpass draws on every message).
 */
const M64 = (1n << 64n) - 1n;

export class XoroshiroP128R32 {
  private xh: number;
  private xl: number;
  private yh: number;
  private yl: number;

  constructor(x: number | bigint, y: number | bigint) {
    const bx = BigInt(x) & M64;
    const by = BigInt(y) & M64;
    if (bx === 0n && by === 0n) throw new RangeError('xoroshiro: both state words are zero');
    this.xh = Number(bx >> 32n);
    this.xl = Number(bx & 0xffffffffn);
    this.yh = Number(by >> 32n);
    this.yl = Number(by & 0xffffffffn);
    this.next();
  }

  /** The next 32-bit output (an unsigned integer). */
  next(): number {
    const { xh, xl } = this;
    // The high half of x + y (mod 2^64): the halves' sums with the low half's carry.
    const lo = xl + this.yl;
    const r = (xh + this.yh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    // y ^= x
    const yh = (this.yh ^ xh) >>> 0;
    const yl = (this.yl ^ xl) >>> 0;
    // x = rotl(x, 55) ^ y ^ (y << 14); rotl by 55 is the halves swapped, then rotl by 23.
    const rh = ((xl << 23) | (xh >>> 9)) >>> 0;
    const rl = ((xh << 23) | (xl >>> 9)) >>> 0;
    this.xh = (rh ^ yh ^ ((yh << 14) | (yl >>> 18))) >>> 0;
    this.xl = (rl ^ yl ^ (yl << 14)) >>> 0;
    // y = rotl(y, 36): the halves swapped, then rotl by 4.
    this.yh = ((yl << 4) | (yh >>> 28)) >>> 0;
    this.yl = ((yh << 4) | (yl >>> 28)) >>> 0;
    return r;
  }

  /** The source's seeding (x, y) for run seed 1; other seeds add (seed - 1) x golden ratio to y. */
  static seeded(x: number, y: number, runSeed: number): XoroshiroP128R32 {
    return new XoroshiroP128R32(x, BigInt(y) + BigInt(runSeed - 1) * 0x9e3779b97f4a7c15n);
  }
}
