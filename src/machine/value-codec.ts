/**
 * The one codec between JS numbers and the bytes of simulated memory: little-endian words in the
 * address space's per-page buffers. An 8-byte value is a signed 64-bit integer, exact within ±2^53
 * (addresses and sizes always fit); smaller sizes are unsigned. Used by the Cpu (charged accesses)
 * and by the Machine's uncharged peek/poke.
 */
import type { AddressSpace } from './address-space.ts';
import * as K from './sizes.ts';

// A module's own constant is folded into optimized code; an imported live binding is reloaded.
const PAGE_SIZE = K.PAGE_SIZE;
const TWO32 = 4294967296;

export type AccessSize = 1 | 2 | 4 | 8;

/** `v` wrapped to an unsigned `size`-byte integer (8 bytes: unchanged). */
export function wrap(v: number, size: AccessSize): number {
  if (size === 8) return v;
  const m = size === 4 ? TWO32 : size === 2 ? 65536 : 256;
  return ((v % m) + m) % m;
}

/**
 * Reads a value from page slot `s` (within the page). The aligned word cases come first and the
 * rest is out of line, so that callers can inline this.
 */
export function readValue(as: AddressSpace, s: number, addr: number, size: number): number {
  const d = as.pdata32[s];
  if (d === null || d === undefined) return 0;
  const off = addr & (PAGE_SIZE - 1);
  if ((off & 3) === 0 && size >= 4) {
    const i = off >> 2;
    return size === 8 ? ((d[i + 1] as number) | 0) * TWO32 + (d[i] as number) : (d[i] as number);
  }
  return readBytes(as.pdata8[s] as Uint8Array, off, size);
}

function readBytes(b: Uint8Array, off: number, size: number): number {
  if (size === 8) {
    // Two halves, the high one signed, as the aligned path: exact within ±2^53 (a byte-wise sum of
    // 8 bytes would round a negative value such as -1 before its sign is restored).
    const lo = (b[off] as number) | ((b[off + 1] as number) << 8) | ((b[off + 2] as number) << 16) | ((b[off + 3] as number) << 24);
    const hi = (b[off + 4] as number) | ((b[off + 5] as number) << 8) | ((b[off + 6] as number) << 16) | ((b[off + 7] as number) << 24);
    return hi * TWO32 + (lo >>> 0);
  }
  let v = 0;
  for (let k = size - 1; k >= 0; k--) v = v * 256 + (b[off + k] as number);
  return v;
}

/** Writes a value into page slot `s` (within the page); aligned words inline, the rest out of line. */
export function writeValue(as: AddressSpace, s: number, addr: number, value: number, size: number): void {
  const d = as.words(s);
  const off = addr & (PAGE_SIZE - 1);
  if ((off & 3) === 0 && size >= 4) {
    const i = off >> 2;
    if (size === 8) {
      const hi = Math.floor(value / TWO32);
      d[i] = value - hi * TWO32;
      d[i + 1] = hi;
    } else {
      d[i] = value;
    }
    return;
  }
  writeBytes(as.pdata8[s] as Uint8Array, off, value, size);
}

function writeBytes(b: Uint8Array, off: number, value: number, size: number): void {
  const bytes = toBytes(value, size);
  for (let k = 0; k < size; k++) b[off + k] = bytes[k] as number;
}

/** The `size` little-endian bytes of `value` (an 8-byte value as two halves, the high one signed). */
export function toBytes(value: number, size: number): number[] {
  const out: number[] = [];
  const hi = Math.floor(value / TWO32);
  const lo = value - hi * TWO32;
  for (let k = 0; k < Math.min(size, 4); k++) out.push((lo >>> (8 * k)) & 255);
  for (let k = 4; k < size; k++) out.push((hi >>> (8 * (k - 4))) & 255);
  return out;
}

/** Joins a value read as two 4-byte halves (low unsigned, high signed), as an aligned 8-byte read does. */
export function joinHalves(lo: number, hi: number): number {
  return (hi | 0) * TWO32 + lo;
}
