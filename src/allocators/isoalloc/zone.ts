/**
 * Zones (src/iso_alloc.c): a zone is 4 MiB of same-size chunks between two guard pages, a bitmap
 * with 2 bits per chunk (00 never used, 10 in use, 01 used and now free, 11 canary chunk) and a
 * 255-entry cache of free bit slots. This file creates, refills, scans and retires zones.
 */
import { ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { ctz64 } from '../shared/bits64.ts';
import { writeCanary } from './canary.ts';
import { isoAbort, type IsoCtx } from './context.ts';
import {
  BAD_BIT_SLOT,
  BITMAP_RECORD_SIZE,
  BM_BITMAP,
  BM_BUCKET,
  BM_IN_USE,
  CANARY_COUNT_DIV,
  FREE_LIST_SHF,
  MAX_DEFAULT_ZONE_SZ,
  MAX_ZONES,
  MIN_BITMAP_IDX,
  MIN_RAND_FREELIST,
  PAGE,
  R_BITMAPS,
  R_CHUNK_LOOKUP_TABLE,
  R_ZONE_LOOKUP_TABLE,
  R_ZONE_RETIREMENT_SHF,
  R_ZONES_USED,
  SMALL_BITMAP_SIZES,
  Z_AF_COUNT,
  Z_ALLOC_COUNT,
  Z_BITMAP_SIZE,
  Z_CANARY_SECRET,
  Z_CHUNK_COUNT,
  Z_CHUNK_SIZE,
  Z_FREE_BIT_SLOTS,
  Z_FREE_BIT_SLOTS_INDEX,
  Z_FREE_BIT_SLOTS_USABLE,
  Z_INDEX,
  Z_INTERNAL,
  Z_IS_FULL,
  Z_MAX_BITMAP_IDX,
  Z_NEXT_FREE_BIT_SLOT,
  Z_NEXT_SZ_INDEX,
  Z_POINTER_MASK,
  Z_PREALLOCATED_BITMAP_IDX,
  ZONE_FREE_LIST_SZ,
  ZONE_STRUCT_SIZE,
  ZONE_USER_SIZE,
  addrToChunkTable,
  alignSzDown,
  roundRequest,
} from './layout.ts';
import { createGuardPage, mmapGuardedRwPages, mmapPages } from './os.ts';
import { refreshSeed, store64n, usRand } from './random.ts';
import { setSlot, slotAt, storeMaskedPointers, zoneAt } from './zone-fields.ts';

/** _iso_new_zone(size, internal, index): a new zone, or the replacement of a retired one in slot `index`. Root locked. */
export function newZone(ctx: IsoCtx, cpu: Cpu, root: number, requested: number, internal: boolean, index: number): number {
  cpu.path(ctx.paths.newZone);
  const zonesUsed = cpu.load(root + R_ZONES_USED, 2);
  if (zonesUsed >= MAX_ZONES || index >= MAX_ZONES) {
    isoAbort('_iso_new_zone', `Cannot allocate additional zones. I have already allocated ${zonesUsed} zones`);
  }
  refreshSeed(cpu, root);
  const size = roundRequest(requested);
  const slot = index >= 0 ? index : zonesUsed;
  const z = zoneAt(cpu, root, slot);
  const nextSz = cpu.load(z + Z_NEXT_SZ_INDEX, 2);
  cpu.fill(z, ZONE_STRUCT_SIZE, 0, ORIGIN_META);
  cpu.store(z + Z_NEXT_SZ_INDEX, nextSz, 2);
  cpu.store(z + Z_INTERNAL, internal ? 1 : 0, 1);
  cpu.store(z + Z_CHUNK_SIZE, size, 4);
  const chunkCount = Math.floor(ZONE_USER_SIZE / size);
  cpu.store(z + Z_CHUNK_COUNT, chunkCount, 4);
  const bitmapSize = Math.max(8, Math.floor((chunkCount * 2) / 8));
  cpu.store(z + Z_BITMAP_SIZE, bitmapSize, 2);
  const maxBitmapIdx = bitmapSize >> 3;
  cpu.store(z + Z_MAX_BITMAP_IDX, maxBitmapIdx, 2);

  const bitmap = placeBitmap(ctx, cpu, root, z, bitmapSize);
  const p = mmapPages(
    ctx,
    cpu,
    ZONE_USER_SIZE + 2 * PAGE,
    true,
    undefined,
    internal ? 'isoalloc internal user zone' : 'isoalloc private user zone',
  );
  createGuardPage(ctx, cpu, p);
  const user = p + PAGE;
  createGuardPage(ctx, cpu, p + PAGE + ZONE_USER_SIZE);

  // "if(index > 0)": replacing retired zone 0 takes index zones_used, as in the real code.
  const zoneIndex = index > 0 ? index : zonesUsed;
  cpu.store(z + Z_INDEX, zoneIndex, 2);
  store64n(cpu, z + Z_CANARY_SECRET, usRand(cpu, root));
  store64n(cpu, z + Z_POINTER_MASK, usRand(cpu, root));

  createCanaryChunks(ctx, cpu, root, z, user, bitmap, size, chunkCount, maxBitmapIdx);
  fillFreeBitSlots(ctx, cpu, root, z, bitmap);
  getNextFreeBitSlot(cpu, z);

  cpu.store(cpu.load(root + R_CHUNK_LOOKUP_TABLE) + 2 * addrToChunkTable(user), zoneIndex, 2);
  if (internal) registerInLookupTable(cpu, root, z, size, zoneIndex, index);
  storeMaskedPointers(cpu, z, user, bitmap);
  if (index < 0) cpu.store(root + R_ZONES_USED, zonesUsed + 1, 2);
  ctx.counters.add('zonesCreated');
  cpu.work(60);
  return z;
}

/** zone_lookup_table: new zones are prepended to the chain of their size (src/iso_alloc.c _iso_new_zone). */
function registerInLookupTable(cpu: Cpu, root: number, z: number, size: number, zoneIndex: number, index: number): void {
  const head = root + R_ZONE_LOOKUP_TABLE + 2 * (size >> 4);
  const current = cpu.load(head, 2);
  if (current === 0) {
    cpu.store(head, zoneIndex, 2);
    cpu.store(z + Z_NEXT_SZ_INDEX, 0, 2);
  } else if (index < 0) {
    cpu.store(head, zoneIndex, 2);
    cpu.store(z + Z_NEXT_SZ_INDEX, current, 2);
  }
}

/**
 * Bitmaps of at most a page share the preallocated pages of `_root->bitmaps` when one of their size
 * has a free slot (`in_use` is a uint32, so at most 32 slots per page are ever used); others get
 * their own guarded mapping.
 */
function placeBitmap(ctx: IsoCtx, cpu: Cpu, root: number, z: number, bitmapSize: number): number {
  if (PAGE >= bitmapSize) {
    for (let i = 0; i < SMALL_BITMAP_SIZES.length - 1; i++) {
      const rec = root + R_BITMAPS + i * BITMAP_RECORD_SIZE;
      if (cpu.load(rec + BM_BUCKET, 4) !== bitmapSize) continue;
      const inUse = cpu.load(rec + BM_IN_USE, 4);
      const base = cpu.load(rec + BM_BITMAP);
      const slots = inUse === 0 ? 1 : PAGE / bitmapSize;
      for (let s = 0; s < slots; s++) {
        // GET_BIT/SET_BIT on a uint32: the shift count wraps at 32 on x86, as JS's does.
        if (((inUse >>> s) & 1) === 0) {
          cpu.store(rec + BM_IN_USE, (inUse | (1 << s)) >>> 0, 4);
          cpu.store(z + Z_PREALLOCATED_BITMAP_IDX, s, 1);
          return base + bitmapSize * s;
        }
      }
    }
  }
  cpu.store(z + Z_PREALLOCATED_BITMAP_IDX, 255, 1); // -1
  return mmapGuardedRwPages(ctx, cpu, bitmapSize, true, 'isoalloc zone bitmap');
}

/**
 * create_canary_chunks(): zones of at most 8 KiB chunks get chunk_count >> 7 placement attempts.
 * ALIGN_SZ_DOWN aligns the random bitmap word down to a multiple of 32, so only chunks whose index
 * is a multiple of 1024 can become canaries.
 */
function createCanaryChunks(
  ctx: IsoCtx,
  cpu: Cpu,
  root: number,
  z: number,
  user: number,
  bitmap: number,
  size: number,
  chunkCount: number,
  maxBitmapIdx: number,
): void {
  if (size > MAX_DEFAULT_ZONE_SZ) return;
  const maxIdx = maxBitmapIdx - 1;
  const attempts = chunkCount >> CANARY_COUNT_DIV;
  for (let i = 0; i < attempts; i++) {
    let bmIdx = alignSzDown(Number(usRand(cpu, root) % BigInt(maxIdx)));
    if (bmIdx < 0) bmIdx = 0;
    const w = bitmap + 8 * bmIdx;
    const lo = cpu.load64(w);
    const hi = cpu.hi;
    if ((lo & 1) !== 0) continue;
    cpu.store64(w, (lo | 3) >>> 0, hi);
    writeCanary(cpu, z, user + bmIdx * 32 * size);
    ctx.counters.add('canaryChunks');
  }
}

/**
 * fill_free_bit_slots(): refresh the seed (one getrandom), start at a random bitmap word when the
 * bitmap has more than 8 words, collect up to 255 free slots (never used or used-and-free, not
 * canaries) without wrapping, then Fisher-Yates shuffle them (RANDOMIZE_FREELIST=1).
 */
export function fillFreeBitSlots(ctx: IsoCtx, cpu: Cpu, root: number, z: number, bitmap: number): void {
  cpu.path(ctx.paths.fillSlots);
  ctx.counters.add('slotCacheRefills');
  refreshSeed(cpu, root);
  const maxBitmapIdx = cpu.load(z + Z_MAX_BITMAP_IDX, 2);
  let bmIdx = 0;
  if (maxBitmapIdx > MIN_BITMAP_IDX) bmIdx = Number(usRand(cpu, root) & 0xffffffffn) & (maxBitmapIdx - 1);
  cpu.fill(z + Z_FREE_BIT_SLOTS, 8 * ZONE_FREE_LIST_SZ, 0xff, ORIGIN_META); // BAD_BIT_SLOT in every entry
  cpu.store(z + Z_FREE_BIT_SLOTS_USABLE, 0, 2);
  let n = 0;
  for (; n < ZONE_FREE_LIST_SZ; bmIdx++) {
    if (bmIdx >= maxBitmapIdx) break;
    const lo = cpu.load64(bitmap + 8 * bmIdx);
    const hi = cpu.hi;
    const base = bmIdx * 64;
    // Free chunks have their even (in-use) bit clear and are not canaries: ~word & 0x5555...
    let flo = ~lo & 0x55555555;
    let fhi = ~hi & 0x55555555;
    while ((flo | fhi) !== 0 && n < ZONE_FREE_LIST_SZ) {
      const k = ctz64(flo >>> 0, fhi >>> 0);
      setSlot(cpu, z, n++, base + k);
      if (k < 32) flo &= flo - 1;
      else fhi &= fhi - 1;
    }
    cpu.work(6);
  }
  if (n > MIN_RAND_FREELIST) {
    for (let i = n - 1; i > 0; i--) {
      const j = ((Number(usRand(cpu, root) & 0xffffn) * i) >>> FREE_LIST_SHF) & 0xffff;
      const t = slotAt(cpu, z, j);
      setSlot(cpu, z, j, slotAt(cpu, z, i));
      setSlot(cpu, z, i, t);
    }
  }
  cpu.store(z + Z_FREE_BIT_SLOTS_INDEX, n, 2);
}

/** get_next_free_bit_slot(): FIFO pop from the slot cache into next_free_bit_slot. */
export function getNextFreeBitSlot(cpu: Cpu, z: number): number {
  const usable = cpu.load(z + Z_FREE_BIT_SLOTS_USABLE, 2);
  const filled = cpu.load(z + Z_FREE_BIT_SLOTS_INDEX, 2);
  if (usable >= ZONE_FREE_LIST_SZ || usable >= filled) return BAD_BIT_SLOT;
  const slot = slotAt(cpu, z, usable);
  cpu.store(z + Z_NEXT_FREE_BIT_SLOT, slot, 8);
  setSlot(cpu, z, usable, BAD_BIT_SLOT);
  cpu.store(z + Z_FREE_BIT_SLOTS_USABLE, usable + 1, 2);
  return slot;
}

/** insert_free_bit_slot(): append a freed slot while the cache has room (it is never wrapped). */
export function insertFreeBitSlot(cpu: Cpu, z: number, slot: number): void {
  const filled = cpu.load(z + Z_FREE_BIT_SLOTS_INDEX, 2);
  if (filled >= ZONE_FREE_LIST_SZ) return;
  setSlot(cpu, z, filled, slot);
  cpu.store(z + Z_FREE_BIT_SLOTS_INDEX, filled + 1, 2);
  cpu.store(z + Z_IS_FULL, 0, 1);
}

/** iso_scan_zone_free_slot(): the first all-free 128-bit bitmap word (x86-64 __int128 path). */
export function scanZoneFreeSlot(cpu: Cpu, bitmap: number, maxBitmapIdx: number): number {
  const max = maxBitmapIdx >> 1;
  for (let i = 0; i < max; i++) {
    const lo = cpu.load64(bitmap + 16 * i);
    const hi = cpu.hi;
    const lo2 = cpu.load64(bitmap + 16 * i + 8);
    if ((lo | hi | lo2 | cpu.hi) === 0) return i * 128;
  }
  return BAD_BIT_SLOT;
}

/**
 * iso_scan_zone_free_slot_slow(): the first free chunk, 128 bits at a time, then a tail loop that
 * (as written) starts at word max_bitmap_idx/2 and so rescans the upper half 64 bits at a time.
 */
export function scanZoneFreeSlotSlow(cpu: Cpu, bitmap: number, maxBitmapIdx: number): number {
  const max = maxBitmapIdx >> 1;
  for (let i = 0; i < max; i++) {
    for (let half = 0; half < 2; half++) {
      const lo = cpu.load64(bitmap + 16 * i + 8 * half);
      const hi = cpu.hi;
      const flo = ~lo & 0x55555555;
      const fhi = ~hi & 0x55555555;
      if ((flo | fhi) !== 0) return i * 128 + half * 64 + ctz64(flo >>> 0, fhi >>> 0);
    }
  }
  for (let i = max; i < maxBitmapIdx; i++) {
    const lo = cpu.load64(bitmap + 8 * i);
    const hi = cpu.hi;
    const flo = ~lo & 0x55555555;
    const fhi = ~hi & 0x55555555;
    if ((flo | fhi) !== 0) return i * 64 + ctz64(flo >>> 0, fhi >>> 0);
  }
  return BAD_BIT_SLOT;
}

/** _is_zone_retired(): empty, past 32 × chunk_count allocations, internal, chunks below 16 KiB. */
export function isZoneRetired(cpu: Cpu, root: number, z: number): boolean {
  if (cpu.load(z + Z_AF_COUNT, 4) !== 0) return false;
  const shf = cpu.load(root + R_ZONE_RETIREMENT_SHF, 4);
  const chunkCount = cpu.load(z + Z_CHUNK_COUNT, 4);
  if (cpu.load(z + Z_ALLOC_COUNT, 4) <= (chunkCount << shf) >>> 0) return false;
  return cpu.load(z + Z_INTERNAL, 1) === 1 && cpu.load(z + Z_CHUNK_SIZE, 4) < MAX_DEFAULT_ZONE_SZ * 2;
}
