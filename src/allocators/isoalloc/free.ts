/**
 * Freeing (src/iso_alloc.c _iso_free, flush_chunk_quarantine, _iso_free_internal_unlocked,
 * iso_free_chunk_from_zone, iso_find_zone_range, _iso_free_size, _iso_chunk_size).
 *
 * free() only appends the pointer to the global 64-entry quarantine under the root lock; when it
 * is full, the next free first releases all 64 in one go (still under the lock). Only then is each
 * chunk's double-free check, canary writing and neighbour canary check done, so a double free is
 * detected at the flush that processes the second copy.
 */
import { ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { bit64 } from '../shared/bits64.ts';
import { findBigZone, freeBigZone } from './big-zone.ts';
import { checkCanary, writeCanary } from './canary.ts';
import { hex, isoAbort, lockRoot, rootOf, unlockRoot, type IsoCtx } from './context.ts';
import {
  B_SIZE,
  CHUNK_QUARANTINE_SZ,
  R_CHUNK_LOOKUP_TABLE,
  R_CHUNK_QUARANTINE,
  R_CHUNK_QUARANTINE_COUNT,
  R_ZERO_ALLOC_PAGE,
  R_ZONES_USED,
  SMALL_SIZE_MAX,
  Z_AF_COUNT,
  Z_CHUNK_COUNT,
  Z_CHUNK_SIZE,
  Z_INDEX,
  Z_MAX_BITMAP_IDX,
  ZONE_USER_SIZE,
  addrToChunkTable,
} from './layout.ts';
import { ensureRoot } from './root.ts';
import { destroyZone } from './retire.ts';
import { insertFreeBitSlot, isZoneRetired } from './zone.ts';
import { cachedZones } from './zone-cache.ts';
import { bitmapStart, userPagesStart, zoneAt } from './zone-fields.ts';

/** _iso_free(p, false): alignment check, then into the quarantine (flushing it first when full). */
export function isoFree(ctx: IsoCtx, cpu: Cpu, p: number): void {
  if (p === 0) return;
  cpu.path(ctx.paths.free);
  if (p % 8 !== 0) isoAbort('_iso_free', `Chunk at ${hex(p)} is not 32 byte aligned`, p);
  if (ctx.noZeroAllocations) {
    const r = rootOf(ctx, cpu);
    if (r !== 0 && p === cpu.load(r + R_ZERO_ALLOC_PAGE)) return;
  }
  lockRoot(ctx, cpu);
  const root = ensureRoot(ctx, cpu);
  const count = cpu.load(root + R_CHUNK_QUARANTINE_COUNT);
  let n = count;
  if (count >= CHUNK_QUARANTINE_SZ) {
    flushChunkQuarantine(ctx, cpu, root);
    n = 0;
  }
  cpu.store(cpu.load(root + R_CHUNK_QUARANTINE) + 8 * n, p);
  cpu.store(root + R_CHUNK_QUARANTINE_COUNT, n + 1);
  cpu.work(10);
  unlockRoot(ctx, cpu);
}

/** flush_chunk_quarantine(): free every quarantined chunk, then clear the array. Root locked. */
export function flushChunkQuarantine(ctx: IsoCtx, cpu: Cpu, root: number): void {
  cpu.path(ctx.paths.flush);
  ctx.counters.add('quarantineFlushes');
  const q = cpu.load(root + R_CHUNK_QUARANTINE);
  const count = cpu.load(root + R_CHUNK_QUARANTINE_COUNT);
  for (let i = 0; i < count; i++) freeInternalUnlocked(ctx, cpu, root, cpu.load(q + 8 * i), 0);
  cpu.fill(q, CHUNK_QUARANTINE_SZ * 8, 0, ORIGIN_META);
  cpu.store(root + R_CHUNK_QUARANTINE_COUNT, 0);
  cpu.path(ctx.paths.free);
}

/** _iso_free_internal_unlocked(p, false, zone): free into its zone (and retire it if due), or as a big zone. */
export function freeInternalUnlocked(ctx: IsoCtx, cpu: Cpu, root: number, p: number, knownZone: number): number {
  const z = knownZone !== 0 ? knownZone : findZoneRange(cpu, root, p);
  if (z !== 0) {
    freeChunkFromZone(ctx, cpu, z, p);
    if (isZoneRetired(cpu, root, z)) destroyZone(ctx, cpu, root, z, true);
    return z;
  }
  const big = findBigZone(ctx, cpu, root, p, true);
  if (big === 0) isoAbort('_iso_free_internal_unlocked', `Could not find any zone for allocation at ${hex(p)}`, p);
  freeBigZone(ctx, cpu, root, big);
  return 0;
}

/**
 * iso_find_zone_range(p): chunk_lookup_table[(p >> 22) & 0xffff] (a miss for the part of a zone
 * past a 4 MiB boundary, since zones are only page-aligned), then the thread's zone cache, then
 * every zone. Returns 0 for pointers of no small zone.
 */
export function findZoneRange(cpu: Cpu, root: number, p: number): number {
  const idx = cpu.load(cpu.load(root + R_CHUNK_LOOKUP_TABLE) + 2 * addrToChunkTable(p), 2);
  const zonesUsed = cpu.load(root + R_ZONES_USED, 2);
  if (idx > zonesUsed) isoAbort('search_chunk_lookup_table', `Pointer to zone lookup table corrupted at position ${addrToChunkTable(p)}`);
  const inZone = (z: number): boolean => {
    const u = userPagesStart(cpu, z);
    return u <= p && p < u + ZONE_USER_SIZE;
  };
  let z = zoneAt(cpu, root, idx);
  if (inZone(z)) return z;
  for (const c of cachedZones(cpu)) if (inZone(c)) return c;
  for (let i = 0; i < zonesUsed; i++) {
    z = zoneAt(cpu, root, i);
    cpu.work(2);
    if (inZone(z)) return z;
  }
  return 0;
}

/**
 * iso_free_chunk_from_zone(zone, p, false): the offset must be a multiple of the chunk size; a clear
 * in-use bit is a double free; the pair becomes 01, the slot is offered to the slot cache, both
 * canaries are written, and both neighbours' canaries are verified when their was-used bit is set.
 */
function freeChunkFromZone(ctx: IsoCtx, cpu: Cpu, z: number, p: number): void {
  cpu.path(ctx.paths.freeChunk);
  const user = userPagesStart(cpu, z);
  const offset = p - user;
  const chunk = cpu.load(z + Z_CHUNK_SIZE, 4);
  const number = Math.floor(offset / chunk);
  const bitSlot = number * 2;
  const dword = Math.floor(bitSlot / 64);
  const index = (): number => cpu.load(z + Z_INDEX, 2);
  if (offset % chunk !== 0) {
    isoAbort(
      'iso_free_chunk_from_zone',
      `Chunk ${offset} at ${hex(p)} is not a multiple of zone[${index()}] chunk size ${chunk}. Off by ${offset % chunk} bits`,
      p,
    );
  }
  if (dword > cpu.load(z + Z_MAX_BITMAP_IDX, 2))
    isoAbort('iso_free_chunk_from_zone', `Cannot calculate this chunks location in the bitmap ${hex(p)}`, p);
  const which = bitSlot % 64;
  const bitmap = bitmapStart(cpu, z);
  const w = bitmap + 8 * dword;
  let lo = cpu.load64(w);
  let hi = cpu.hi;
  if (bit64(lo, hi, which) === 0) {
    isoAbort(
      'iso_free_chunk_from_zone',
      `Double free of chunk ${hex(p)} detected from zone[${index()}] dwords_to_bit_slot=${dword} bit_slot=${bitSlot}`,
      p,
    );
  }
  // Pair 10 -> 01 (bit slots are even, so both bits are in the same half).
  if (which < 32) lo = ((lo | (1 << (which + 1))) & ~(1 << which)) >>> 0;
  else hi = ((hi | (1 << (which - 31))) & ~(1 << (which - 32))) >>> 0;
  insertFreeBitSlot(cpu, z, bitSlot);
  cpu.store64(w, lo, hi);
  cpu.store(z + Z_AF_COUNT, (cpu.load(z + Z_AF_COUNT, 4) - 1) >>> 0, 4);
  writeCanary(cpu, z, p);
  if (number + 1 !== cpu.load(z + Z_CHUNK_COUNT, 4)) checkNeighbour(ctx, cpu, z, bitmap, number + 1, p + chunk);
  if (number !== 0) checkNeighbour(ctx, cpu, z, bitmap, number - 1, p - chunk);
  cpu.work(25);
}

function checkNeighbour(ctx: IsoCtx, cpu: Cpu, z: number, bitmap: number, number: number, q: number): void {
  const slot = number * 2;
  const lo = cpu.load64(bitmap + 8 * Math.floor(slot / 64));
  if (bit64(lo, cpu.hi, (slot % 64) + 1) === 1) checkCanary(ctx, cpu, z, q);
}

/** _iso_free_size(p, size), used by realloc: frees at once, bypassing the quarantine. */
export function isoFreeSize(ctx: IsoCtx, cpu: Cpu, p: number, size: number): void {
  if (p === 0) return;
  if (ctx.noZeroAllocations) {
    const r = rootOf(ctx, cpu);
    const zero = r === 0 ? -1 : cpu.load(r + R_ZERO_ALLOC_PAGE);
    if (p === zero && size !== 0) isoAbort('_iso_free_size', `Zero sized chunk (${hex(p)}) with non-zero (${size}) size passed to free`, p);
    if (p === zero) return;
  }
  if (size > SMALL_SIZE_MAX) {
    const root = rootOf(ctx, cpu);
    const big = findBigZone(ctx, cpu, root, p, true);
    if (big === 0) isoAbort('_iso_free_size', `Could not find any zone for allocation at ${hex(p)}`, p);
    if (cpu.load(big + B_SIZE, 8) < size) isoAbort('_iso_free_size', `Invalid big zone size for chunk ${hex(p)}`, p);
    freeBigZone(ctx, cpu, root, big);
    return;
  }
  lockRoot(ctx, cpu);
  const root = ensureRoot(ctx, cpu);
  const z = findZoneRange(cpu, root, p);
  if (z === 0) isoAbort('_iso_free_size', `Could not find zone for ${hex(p)}`, p);
  const chunk = cpu.load(z + Z_CHUNK_SIZE, 4);
  if (chunk < size) isoAbort('_iso_free_size', `Invalid size (expected ${chunk}, got ${size}) for chunk ${hex(p)}`, p);
  freeInternalUnlocked(ctx, cpu, root, p, z);
  unlockRoot(ctx, cpu);
}

/** _iso_chunk_size(p): the zone's chunk size, or a big zone's size. */
export function isoChunkSize(ctx: IsoCtx, cpu: Cpu, p: number): number {
  if (p === 0) return 0;
  const r = rootOf(ctx, cpu);
  if (ctx.noZeroAllocations && r !== 0 && p === cpu.load(r + R_ZERO_ALLOC_PAGE)) return 0;
  lockRoot(ctx, cpu);
  const root = ensureRoot(ctx, cpu);
  const z = findZoneRange(cpu, root, p);
  if (z === 0) {
    unlockRoot(ctx, cpu);
    const big = findBigZone(ctx, cpu, root, p, false);
    if (big === 0) isoAbort('_iso_chunk_size', `Could not find any zone for allocation at ${hex(p)}`, p);
    return cpu.load(big + B_SIZE, 8);
  }
  unlockRoot(ctx, cpu);
  return cpu.load(z + Z_CHUNK_SIZE, 4);
}
