/**
 * 64-bit generators of the mimalloc-bench programs, on BigInt (called a few times per simulated
 * allocation, so their cost is small beside the simulation's).
 */
const MASK64 = (1n << 64n) - 1n;

/** alloc-test's PRNG (Arvid Gerstmann's xorshift variant; bench/alloc-test/allocator_tester.h). */
export class AllocTestPrng {
  private s: bigint;

  constructor(seed: number) {
    this.s = BigInt(seed) & MASK64;
  }

  rng32(): number {
    const ret = (this.s * 0xd989bcacc137dcd5n) & MASK64;
    this.s ^= this.s >> 11n;
    this.s = (this.s ^ (this.s << 31n)) & MASK64;
    this.s ^= this.s >> 18n;
    return Number(ret >> 32n);
  }

  rng64(): bigint {
    const hi = BigInt(this.rng32());
    return (hi << 32n) + BigInt(this.rng32());
  }
}

/** mstress's pick(): the splitmix64 finaliser iterated on its own state (bench/mstress/mstress.c). */
export class SplitMixPick {
  private x: bigint;

  constructor(seed: number) {
    this.x = BigInt(seed) & MASK64;
  }

  /** The next value modulo `m` (the program always reduces with %). */
  pick(m: number): number {
    let x = this.x;
    x ^= x >> 30n;
    x = (x * 0xbf58476d1ce4e5b9n) & MASK64;
    x ^= x >> 27n;
    x = (x * 0x94d049bb133111ebn) & MASK64;
    x ^= x >> 31n;
    this.x = x;
    return Number(x % BigInt(m));
  }

  /** chance(perc): pick() % 100 <= perc, so perc + 1 percent. */
  chance(perc: number): boolean {
    return this.pick(100) <= perc;
  }
}
