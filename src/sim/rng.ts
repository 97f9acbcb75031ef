/**
 * Seeded random numbers for the simulation.
 *
 * One run seed drives everything. Each consumer (a simulated thread, a workload's setup, an allocator's
 * entropy source) asks for its own stream with `Rng.stream(seed, streamId)`, so adding a random draw
 * in one thread never shifts the numbers another thread sees. Streams are xoroshiro128+ generators
 * (pure-rand) seeded from (seed, stream) through a splitmix-style mixer.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** 32-bit mixer (the finaliser of MurmurHash3 / splitmix32): spreads small seeds over all bits. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Derives the seed of stream `stream` of run seed `seed` (both non-negative integers). */
export function streamSeed(seed: number, stream: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  return mix32(mix32(lo ^ mix32(hi + 0x9e3779b9)) + Math.imul(stream + 1, 0x9e3779b9)) | 0;
}

export class Rng {
  private readonly gen: RandomGenerator;

  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
  }

  /** An independent stream for (seed, stream); stream ids are small integers chosen by the caller. */
  static stream(seed: number, stream: number): Rng {
    return new Rng(streamSeed(seed, stream));
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  next32(): number {
    return this.gen.next() >>> 0;
  }

  /** A uniformly distributed integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }

  /** A uniformly distributed integer in [0, n). */
  below(n: number): number {
    return uniformInt(this.gen, 0, n - 1);
  }

  /** A float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.next32() >>> 5; // 27 bits
    const lo = this.next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }
}
