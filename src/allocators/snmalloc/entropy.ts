/**
 * LocalEntropy (src/snmalloc/mem/entropy.h): the per-allocator random source behind the check
 * build's randomisation (free-queue choice, Sattolo shuffle, extra slabs, early ring closes).
 *
 * State at `e` (in the Allocator): bit_source, local_key, local_counter, fresh_bits, count. The
 * model keeps the fields and their loads and stores; the 64-bit Feistel mix of `get_next` is
 * replaced by 32-bit draws from the thread's seeded stream (cpu.random32), and `bit_source` and
 * `fresh_bits` hold 32 bits.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { nextPow2Bits } from './config.ts';

const BIT_SOURCE = 0;
const FRESH_BITS = 24;
const COUNT = 32;

/** init: two 64-bit getrandom draws (local_key, local_counter), then the first bit source. */
export function entropyInit(cpu: Cpu, e: number): void {
  cpu.store(e + 8, cpu.getrandom());
  cpu.getrandom();
  cpu.store(e + 16, cpu.random32());
  cpu.store(e + BIT_SOURCE, cpu.random32());
}

/** next_bit: rotate the bit source by one and return its bottom bit. */
export function nextBit(cpu: Cpu, e: number): number {
  const s = cpu.load(e + BIT_SOURCE, 4);
  const r = ((s >>> 1) | ((s & 1) << 31)) >>> 0;
  cpu.store(e + BIT_SOURCE, r, 4);
  return r & 1;
}

/** refresh_bits: a new bit source. */
export function refreshBits(cpu: Cpu, e: number): void {
  cpu.work(6);
  cpu.store(e + BIT_SOURCE, cpu.random32(), 4);
}

/** next_fresh_bits(n): n bits (n <= 16) from a word refilled when it runs low. */
export function nextFreshBits(cpu: Cpu, e: number, n: number): number {
  let count = cpu.load(e + COUNT, 4);
  let bits = cpu.load(e + FRESH_BITS, 4);
  if (count <= n) {
    cpu.work(6);
    bits = cpu.random32();
    count = 32;
  }
  const r = bits & ((1 << n) - 1);
  cpu.store(e + FRESH_BITS, bits >>> n, 4);
  cpu.store(e + COUNT, count - n, 4);
  return r;
}

/** sample(n): roughly uniform in [0, n), overflowing draws folded onto the top of the range. */
export function sample(cpu: Cpu, e: number, n: number): number {
  const bits = nextFreshBits(cpu, e, nextPow2Bits(n));
  return bits >= n ? n - (1 + bits - n) : bits;
}
