/**
 * xoroshiro::p128r32 of snmalloc's test suite (src/test/xoroshiro.h): xoroshiro128+ on two 64-bit
 * words with rotations 55/14/36, returning the top 32 bits of x + y; the constructor draws once.
 * The snmalloc benchmarks (msgpass, ...) seed it per thread with fixed values; `perturb` lets a run
 * seed other than 1 shift the stream (seed 1 reproduces the source exactly).
 */
const M64 = (1n << 64n) - 1n;

function rotl(x: bigint, k: bigint): bigint {
  return ((x << k) | (x >> (64n - k))) & M64;
}

export class XoroshiroP128R32 {
  private x: bigint;
  private y: bigint;

  constructor(x: number | bigint, y: number | bigint) {
    this.x = BigInt(x) & M64;
    this.y = BigInt(y) & M64;
    if (this.x === 0n && this.y === 0n) throw new RangeError('xoroshiro: both state words are zero');
    this.next();
  }

  /** The next 32-bit output (an unsigned integer). */
  next(): number {
    const r = (this.x + this.y) & M64;
    this.y ^= this.x;
    this.x = rotl(this.x, 55n) ^ this.y ^ ((this.y << 14n) & M64);
    this.y = rotl(this.y, 36n);
    return Number(r >> 32n);
  }

  /** The source's seeding (x, y) for run seed 1; other seeds add (seed - 1) x golden ratio to y. */
  static seeded(x: number, y: number, runSeed: number): XoroshiroP128R32 {
    return new XoroshiroP128R32(x, BigInt(y) + BigInt(runSeed - 1) * 0x9e3779b97f4a7c15n);
  }
}
