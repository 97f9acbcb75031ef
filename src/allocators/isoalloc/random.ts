/**
 * IsoAlloc's randomness (src/iso_alloc_random.c): `rand_uint64()` is a getrandom(2) call;
 * `us_rand_uint64(&_root->seed)` is wyrand over the 64-bit seed kept in the root, so every draw
 * reads and writes the root's seed word.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { R_SEED } from './layout.ts';

const M64 = (1n << 64n) - 1n;

/** rand_uint64(): one getrandom(2) for 8 bytes (the machine's call returns 4; the other 4 come from the same stream). */
export function randUint64(cpu: Cpu): bigint {
  const lo = cpu.getrandom();
  const hi = cpu.random32();
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Stores a 64-bit value as two halves at an 8-byte-aligned address. */
export function store64n(cpu: Cpu, addr: number, v: bigint): void {
  cpu.store64(addr, Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn));
}

export function load64n(cpu: Cpu, addr: number): bigint {
  const lo = cpu.load64(addr);
  return (BigInt(cpu.hi) << 32n) | BigInt(lo);
}

/** us_rand_uint64(&_root->seed): wyrand (src/iso_alloc_random.c). */
export function usRand(cpu: Cpu, root: number): bigint {
  const seed = (load64n(cpu, root + R_SEED) + 0x5d6447c8df9375b5n) & M64;
  store64n(cpu, root + R_SEED, seed);
  cpu.work(12);
  let tmp = seed * 0x3c5829f2fb3c3eefn;
  const m1 = ((tmp >> 64n) ^ tmp) & M64;
  tmp = m1 * 0x4f38e4ccc1b0ea59n;
  return ((tmp >> 64n) ^ tmp) & M64;
}

/** `_root->seed = rand_uint64()`: refreshes the wyrand seed with one getrandom(2). */
export function refreshSeed(cpu: Cpu, root: number): void {
  store64n(cpu, root + R_SEED, randUint64(cpu));
}
