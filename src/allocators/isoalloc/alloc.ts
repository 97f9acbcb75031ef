/**
 * Allocation (src/iso_alloc.c _iso_alloc, _iso_alloc_bitslot_from_zone, _iso_calloc).
 *
 *   pre-lock: newest thread-cached zone whose chunk size fits
 *   LOCK_ROOT
 *     cached zone usable? -> else find_suitable_zone -> else _iso_new_zone
 *     claim next_free_bit_slot: check canaries if was-used, bit pair -> 10
 *   UNLOCK_ROOT, push the zone into the thread's cache
 *
 * Requests above 64 KiB take the lock only to learn the root is set, then go to big zones.
 */
import { ORIGIN_LINK } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { bit64 } from '../shared/bits64.ts';
import { bigAlloc } from './big-zone.ts';
import { checkCanary } from './canary.ts';
import { hex, isoAbort, lockRoot, rootOf, unlockRoot, type IsoCtx } from './context.ts';
import {
  BAD_BIT_SLOT,
  BIG_SZ_MAX,
  R_ZERO_ALLOC_PAGE,
  SMALL_SIZE_MAX,
  SMALLEST_CHUNK_SZ,
  Z_AF_COUNT,
  Z_ALLOC_COUNT,
  Z_CHUNK_SIZE,
  Z_INDEX,
  Z_NEXT_FREE_BIT_SLOT,
  ZONE_USER_SIZE,
  alignSzUp,
  roundRequest,
} from './layout.ts';
import { ensureRoot } from './root.ts';
import { newZone } from './zone.ts';
import { cachedZoneFor, populateZoneCache } from './zone-cache.ts';
import { findSuitableZone, isZoneUsable } from './zone-select.ts';
import { bitmapStart, toggleMask, userPagesStart } from './zone-fields.ts';

/**
 * _iso_alloc(NULL, size). `align` > 32 comes from posix_memalign (size raised to the alignment);
 * with memalign=checked the model also rounds the size to a multiple of it and only uses zones whose
 * chunk size is one (see docs/models/isoalloc.md).
 */
export function isoAlloc(ctx: IsoCtx, cpu: Cpu, request: number, align = 0): number {
  if (ctx.noZeroAllocations && request === 0) {
    const root = rootOf(ctx, cpu);
    if (root !== 0) return cpu.load(root + R_ZERO_ALLOC_PAGE);
  }
  let size = roundRequest(request);
  if (align > 32 && ctx.memalign === 'checked') size = Math.ceil(size / align) * align;
  const cached = size <= SMALL_SIZE_MAX ? cachedZoneFor(cpu, size) : 0;

  lockRoot(ctx, cpu);
  const root = ensureRoot(ctx, cpu);
  if (size > SMALL_SIZE_MAX) {
    unlockRoot(ctx, cpu);
    return bigAlloc(ctx, cpu, root, size);
  }
  let z = 0;
  if (cached !== 0 && isZoneUsable(ctx, cpu, root, cached, size, align)) {
    z = cached;
    ctx.counters.add('zoneCacheHits');
  }
  if (z === 0) z = findSuitableZone(ctx, cpu, root, size, align);
  if (z === 0) z = newZone(ctx, cpu, root, size, true, -1);
  cpu.path(ctx.paths.allocCached);
  const slot = cpu.load(z + Z_NEXT_FREE_BIT_SLOT, 8);
  if (slot === BAD_BIT_SLOT) isoAbort('_iso_alloc', 'Allocated a new zone with no free bit slots');
  toggleMask(cpu, z);
  cpu.store(z + Z_NEXT_FREE_BIT_SLOT, BAD_BIT_SLOT, 8);
  const p = allocBitslotFromZone(ctx, cpu, z, slot);
  toggleMask(cpu, z);
  unlockRoot(ctx, cpu);
  populateZoneCache(cpu, z);
  return p;
}

/**
 * _iso_alloc_bitslot_from_zone(): one read-modify-write of the 64-bit bitmap word; a chunk that
 * was used before (or a canary chunk) has its canaries checked and its first word zeroed.
 */
function allocBitslotFromZone(ctx: IsoCtx, cpu: Cpu, z: number, bitSlot: number): number {
  const user = userPagesStart(cpu, z);
  const chunk = cpu.load(z + Z_CHUNK_SIZE, 4);
  const p = user + Math.floor(bitSlot / 2) * chunk;
  const bitmap = bitmapStart(cpu, z);
  const w = bitmap + 8 * Math.floor(bitSlot / 64);
  const which = bitSlot % 64;
  let lo = cpu.load64(w);
  let hi = cpu.hi;
  if (p >= user + ZONE_USER_SIZE) {
    isoAbort(
      '_iso_alloc_bitslot_from_zone',
      `Allocating an address ${hex(p)} from zone[${cpu.load(z + Z_INDEX, 2)}], bit slot ${bitSlot} outside zones user pages`,
    );
  }
  if (bit64(lo, hi, which) !== 0) {
    isoAbort(
      '_iso_alloc_bitslot_from_zone',
      `Zone[${cpu.load(z + Z_INDEX, 2)}] for chunk size ${chunk} cannot return allocated chunk at ${hex(p)} bitmap location @ ${hex(w)}. bit slot was ${bitSlot}, bit number was ${which}`,
      p,
    );
  }
  if (bit64(lo, hi, which + 1) === 1) {
    checkCanary(ctx, cpu, z, p);
    cpu.store(p, 0, 8, ORIGIN_LINK);
    ctx.counters.add('reusedChunks');
  }
  cpu.store(z + Z_AF_COUNT, (cpu.load(z + Z_AF_COUNT, 4) + 1) >>> 0, 4);
  cpu.store(z + Z_ALLOC_COUNT, (cpu.load(z + Z_ALLOC_COUNT, 4) + 1) >>> 0, 4);
  // Pair -> 10 (in use, was-used bit cleared so it is not mistaken for a canary).
  if (which < 32) lo = ((lo | (1 << which)) & ~(1 << (which + 1))) >>> 0;
  else hi = ((hi | (1 << (which - 32))) & ~(1 << (which - 31))) >>> 0;
  cpu.store64(w, lo, hi);
  cpu.work(20);
  return p;
}

/** _iso_calloc(): the element size is rounded like a request, the product memset. */
export function isoCalloc(ctx: IsoCtx, cpu: Cpu, n: number, elem: number): number {
  const size = elem < SMALLEST_CHUNK_SZ ? SMALLEST_CHUNK_SZ : alignSzUp(elem);
  const res = n * size;
  if (!Number.isSafeInteger(res) || res > BIG_SZ_MAX) return 0;
  const p = isoAlloc(ctx, cpu, res);
  if (p === 0 || res === 0) return p;
  cpu.fill(p, res, 0);
  return p;
}
