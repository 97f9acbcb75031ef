/**
 * Choosing a zone for a request (src/iso_alloc.c is_zone_usable / find_suitable_zone). Root locked.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { isoAbort, type IsoCtx } from './context.ts';
import {
  BAD_BIT_SLOT,
  R_ZONE_LOOKUP_TABLE,
  R_ZONES_USED,
  WASTED_SZ_MULTIPLIER_SHIFT,
  Z_CHUNK_SIZE,
  Z_FREE_BIT_SLOTS_INDEX,
  Z_FREE_BIT_SLOTS_USABLE,
  Z_INDEX,
  Z_INTERNAL,
  Z_IS_FULL,
  Z_MAX_BITMAP_IDX,
  Z_NEXT_FREE_BIT_SLOT,
  Z_NEXT_SZ_INDEX,
  ZONE_1024,
  alignSzUp,
} from './layout.ts';
import { fillFreeBitSlots, getNextFreeBitSlot, scanZoneFreeSlot, scanZoneFreeSlotSlow } from './zone.ts';
import { bitmapStart, toggleMask, zoneAt } from './zone-fields.ts';

/**
 * is_zone_usable(zone, size): rejects full zones and zones far larger than the request, then makes
 * sure `next_free_bit_slot` is primed: from the slot cache (refilled only when drained), else by a
 * bitmap scan; a zone with nothing free is marked full. `align` > 32 is the model's extension
 * (memalign=checked): the chunk size must be a multiple of it.
 */
export function isZoneUsable(ctx: IsoCtx, cpu: Cpu, root: number, z: number, size: number, align = 0): boolean {
  cpu.work(8);
  if (cpu.load(z + Z_IS_FULL, 1) === 1) return false;
  const chunk = cpu.load(z + Z_CHUNK_SIZE, 4);
  if (align > 32 && ctx.memalign === 'checked' && chunk % align !== 0) return false;
  if (size > ZONE_1024 && chunk >= size * 2 ** WASTED_SZ_MULTIPLIER_SHIFT) return false;
  if (size <= ZONE_1024 && chunk > ZONE_1024) return false;
  if (cpu.load(z + Z_NEXT_FREE_BIT_SLOT, 8) !== BAD_BIT_SLOT) return true;

  toggleMask(cpu, z);
  const bitmap = bitmapStart(cpu, z);
  if (cpu.load(z + Z_FREE_BIT_SLOTS_USABLE, 2) >= cpu.load(z + Z_FREE_BIT_SLOTS_INDEX, 2)) fillFreeBitSlots(ctx, cpu, root, z, bitmap);
  let slot = getNextFreeBitSlot(cpu, z);
  if (slot !== BAD_BIT_SLOT) {
    toggleMask(cpu, z);
    return true;
  }
  const maxIdx = cpu.load(z + Z_MAX_BITMAP_IDX, 2);
  ctx.counters.add('bitmapScans');
  slot = scanZoneFreeSlot(cpu, bitmap, maxIdx);
  if (slot === BAD_BIT_SLOT) {
    slot = scanZoneFreeSlotSlow(cpu, bitmap, maxIdx);
    toggleMask(cpu, z);
    if (slot === BAD_BIT_SLOT) {
      cpu.store(z + Z_IS_FULL, 1, 1);
      ctx.counters.add('zonesFull');
      return false;
    }
    cpu.store(z + Z_NEXT_FREE_BIT_SLOT, slot, 8);
    return true;
  }
  cpu.store(z + Z_NEXT_FREE_BIT_SLOT, slot, 8);
  toggleMask(cpu, z);
  return true;
}

/**
 * find_suitable_zone(size): the size's chain in zone_lookup_table (for sizes up to 1 KiB the size
 * is bumped until a chain exists; a table entry of 0 reads as "no chain", so zone 0 — the 32-byte
 * zone — is only found by the scan), then a linear scan of every zone. Returns 0 when none fits.
 */
export function findSuitableZone(ctx: IsoCtx, cpu: Cpu, root: number, origSize: number, align = 0): number {
  cpu.path(ctx.paths.findZone);
  ctx.counters.add('findSuitableZone');
  const zonesUsed = cpu.load(root + R_ZONES_USED, 2);
  const table = root + R_ZONE_LOOKUP_TABLE;
  let size = origSize;
  while (size <= ZONE_1024) {
    cpu.work(3);
    if (cpu.load(table + 2 * (size >> 4), 2) === 0) size += alignSzUp(size + 1);
    else break;
  }
  let i = cpu.load(table + 2 * (size >> 4), 2);
  if (i !== 0) {
    while (i < zonesUsed) {
      const z = zoneAt(cpu, root, i);
      const chunk = cpu.load(z + Z_CHUNK_SIZE, 4);
      if (chunk !== size) {
        isoAbort(
          'find_suitable_zone',
          `Zone lookup table failed to match sizes for zone[${cpu.load(z + Z_INDEX, 2)}](${chunk}) for chunk size (${size})`,
        );
      }
      if (cpu.load(z + Z_INTERNAL, 1) === 0) isoAbort('find_suitable_zone', 'Lookup table should never contain private zones');
      if (isZoneUsable(ctx, cpu, root, z, size, align)) return z;
      const next = cpu.load(z + Z_NEXT_SZ_INDEX, 2);
      if (next === 0) break;
      i = next;
    }
  }
  for (i = 0; i < zonesUsed; i++) {
    const z = zoneAt(cpu, root, i);
    cpu.work(3);
    if (cpu.load(z + Z_CHUNK_SIZE, 4) < origSize || cpu.load(z + Z_INTERNAL, 1) === 0) continue;
    if (isZoneUsable(ctx, cpu, root, z, origSize, align)) return z;
  }
  return 0;
}
