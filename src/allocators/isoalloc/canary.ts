/**
 * Canaries (src/iso_alloc.c write_canary / check_canary / check_big_canary).
 *
 * Every freed chunk gets the canary `(zone->canary_secret ^ p) & 0xffffffffffffff00` in its first
 * and last 8 bytes; canary chunks (bit pair 11) carry it for life. A chunk's canaries are checked
 * when it is handed out again and when a neighbour is freed. Big zones carry two canaries in their
 * metadata. The canary words live inside free chunks, so they are tagged ORIGIN_LINK (in-band
 * allocator data).
 */
import { ORIGIN_LINK, ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { halves } from '../shared/bits64.ts';
import { count, hex, isoAbort, type IsoCtx } from './context.ts';
import {
  B_CANARY_A,
  B_CANARY_B,
  B_USER_PAGES_START,
  CANARY_LOW_BYTE_MASK,
  R_BIG_ZONE_CANARY_SECRET,
  Z_CANARY_SECRET,
  Z_CHUNK_SIZE,
  Z_INDEX,
} from './layout.ts';

function canaryFor(cpu: Cpu, z: number, p: number): [number, number] {
  const slo = cpu.load64(z + Z_CANARY_SECRET);
  const shi = cpu.hi;
  const [plo, phi] = halves(p);
  return [((slo ^ plo) & CANARY_LOW_BYTE_MASK) >>> 0, (shi ^ phi) >>> 0];
}

/** write_canary(zone, p): head and tail of the chunk. */
export function writeCanary(cpu: Cpu, z: number, p: number): void {
  const [lo, hi] = canaryFor(cpu, z, p);
  const size = cpu.load(z + Z_CHUNK_SIZE, 4);
  cpu.store64(p, lo, hi, ORIGIN_LINK);
  cpu.store64(p + size - 8, lo, hi, ORIGIN_LINK);
}

/** check_canary(zone, p): aborts with IsoAlloc's message when either canary was overwritten. */
export function checkCanary(ctx: IsoCtx, cpu: Cpu, z: number, p: number): void {
  ctx.counters.add('canaryChecks');
  const [lo, hi] = canaryFor(cpu, z, p);
  const size = cpu.load(z + Z_CHUNK_SIZE, 4);
  for (const [where, at] of [
    ['beginning', p],
    ['end', p + size - 8],
  ] as const) {
    const vlo = cpu.load64(at, ORIGIN_LINK);
    const vhi = cpu.hi;
    if (vlo !== lo || vhi !== hi) {
      const index = cpu.load(z + Z_INDEX, 2);
      isoAbort(
        'check_canary',
        `Canary at ${where} of chunk ${hex(p)} in zone[${index}][${size} byte chunks] has been corrupted! Value: ${word(vlo, vhi)} Expected: ${word(lo, hi)}`,
        at,
      );
    }
  }
}

function word(lo: number, hi: number): string {
  return `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
}

// ---- big zones: canary = big ^ bswap64(user_pages_start) ^ _root->big_zone_canary_secret ----

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** An 8-byte value at an address of any alignment, as two 4-byte accesses (the metadata sits at a random byte offset). */
function load64u(cpu: Cpu, a: number): [number, number] {
  return [cpu.load(a, 4), cpu.load(a + 4, 4)];
}

function store64u(cpu: Cpu, a: number, lo: number, hi: number): void {
  cpu.store(a, lo, 4, ORIGIN_META);
  cpu.store(a + 4, hi, 4, ORIGIN_META);
}

function bigCanary(cpu: Cpu, root: number, big: number, user: number): [number, number] {
  const slo = cpu.load64(root + R_BIG_ZONE_CANARY_SECRET);
  const shi = cpu.hi;
  const [blo, bhi] = halves(big);
  const [ulo, uhi] = halves(user);
  return [(blo ^ bswap32(uhi) ^ slo) >>> 0, (bhi ^ bswap32(ulo) ^ shi) >>> 0];
}

export function writeBigCanaries(cpu: Cpu, root: number, big: number, user: number): void {
  const [lo, hi] = bigCanary(cpu, root, big, user);
  store64u(cpu, big + B_CANARY_A, lo, hi);
  store64u(cpu, big + B_CANARY_B, lo, hi);
}

/** check_big_canary(big). */
export function checkBigCanary(ctx: IsoCtx, cpu: Cpu, root: number, big: number): void {
  count(ctx, cpu, 'canaryChecks');
  const [ulo, uhi] = load64u(cpu, big + B_USER_PAGES_START);
  const [lo, hi] = bigCanary(cpu, root, big, uhi * 4294967296 + ulo);
  const [alo, ahi] = load64u(cpu, big + B_CANARY_A);
  if (alo !== lo || ahi !== hi) {
    isoAbort(
      'check_big_canary',
      `Big zone ${hex(big)} bottom canary has been corrupted! Value: ${word(alo, ahi)} Expected: ${word(lo, hi)}`,
      big,
    );
  }
  const [blo, bhi] = load64u(cpu, big + B_CANARY_B);
  if (blo !== lo || bhi !== hi) {
    isoAbort(
      'check_big_canary',
      `Big zone ${hex(big)} top canary has been corrupted! Value: ${word(blo, bhi)} Expected: ${word(lo, hi)}`,
      big,
    );
  }
}

export { load64u, store64u };
