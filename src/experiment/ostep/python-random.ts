/**
 * Python's `random` module, reproduced exactly: the Mersenne Twister MT19937 as CPython's
 * Modules/_randommodule.c runs it, seeded from an integer the way `random.seed(n)` does, with
 * `random()`, `getrandbits(k)`, and `randrange`/`randint` through Lib/random.py's `_randbelow`.
 *
 * It exists so that tools written against Python's generator (OSTEP's homework simulators, such as
 * vm-freespace/malloc.py) give the same answers for the same seed in allocsim. It is not the
 * simulation's own generator (that is rng.ts).
 *
 * Sources (CPython 3.11): Modules/_randommodule.c `init_genrand`, `init_by_array`,
 * `genrand_uint32`, `random_seed` (an int seed: its absolute value, split into 32-bit words,
 * least significant first, at least one word), `random_random` (53 bits from two draws),
 * `_random_Random_getrandbits_impl`; Lib/random.py `_randbelow_with_getrandbits`, `randrange`.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class PythonRandom {
  private readonly mt = new Uint32Array(N);
  private mti = N + 1;

  /** `random.Random(seed)`; the seed is an integer (a bigint for values beyond 2^53). */
  constructor(seed: number | bigint = 0) {
    this.seed(seed);
  }

  /** `random.seed(n)` for an integer n. */
  seed(seed: number | bigint): void {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) throw new RangeError(`seed ${seed} is not an integer`);
    let n = BigInt(seed);
    if (n < 0n) n = -n;
    const key: number[] = [];
    while (n > 0n) {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    }
    if (key.length === 0) key.push(0);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] as number;
      mt[i] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + i) >>> 0;
    }
    this.mti = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] as number;
      mt[i] = (((mt[i] as number) ^ Math.imul((prev ^ (prev >>> 30)) >>> 0, 1664525)) + (key[j] as number) + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1] as number;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] as number;
      mt[i] = (((mt[i] as number) ^ Math.imul((prev ^ (prev >>> 30)) >>> 0, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1] as number;
        i = 1;
      }
    }
    mt[0] = 0x80000000; // MSB is 1, assuring a non-zero initial array
  }

  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    for (; kk < N - M; kk++) {
      const y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK);
      mt[kk] = ((mt[kk + M] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    for (; kk < N - 1; kk++) {
      const y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK);
      mt[kk] = ((mt[kk + (M - N)] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    const y = ((mt[N - 1] as number) & UPPER_MASK) | ((mt[0] as number) & LOWER_MASK);
    mt[N - 1] = ((mt[M - 1] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    this.mti = 0;
  }

  /** genrand_uint32: the next 32 random bits. */
  uint32(): number {
    if (this.mti >= N) this.twist();
    let y = this.mt[this.mti++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random.random()`: a float in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `random.getrandbits(k)`: k random bits, least significant 32-bit word drawn first. */
  getrandbits(k: number): bigint {
    if (!Number.isInteger(k) || k < 0) throw new RangeError('number of bits must be non-negative');
    if (k === 0) return 0n;
    if (k <= 32) return BigInt(this.uint32() >>> (32 - k));
    let r = 0n;
    let shift = 0n;
    for (let left = k; left > 0; left -= 32) {
      let w = this.uint32();
      if (left < 32) w >>>= 32 - left;
      r |= BigInt(w) << shift;
      shift += 32n;
    }
    return r;
  }

  /** Lib/random.py `_randbelow_with_getrandbits`: uniform in [0, n), by rejection. */
  randbelow(n: bigint | number): bigint {
    const bn = BigInt(n);
    if (bn <= 0n) return 0n;
    const k = bn.toString(2).length;
    let r = this.getrandbits(k);
    while (r >= bn) r = this.getrandbits(k);
    return r;
  }

  /** `random.randrange(start, stop)` (step 1). */
  randrange(start: number, stop: number): number {
    if (!(stop > start)) throw new RangeError(`empty range for randrange(${start}, ${stop})`);
    return start + Number(this.randbelow(stop - start));
  }

  /** `random.randint(a, b)`: uniform in [a, b], both included. */
  randint(a: number, b: number): number {
    return this.randrange(a, b + 1);
  }
}
