/**
 * Zone retirement (src/iso_alloc.c _iso_alloc_destroy_zone_unlocked with replace=true): once a zone
 * of chunks below 16 KiB is empty after 32 × chunk_count allocations, its user pages and bitmap are
 * released and a fresh zone of the same size is built in the same slot (new secrets, new canaries,
 * new random slot order). Root locked.
 */
import { ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import type { IsoCtx } from './context.ts';
import {
  BITMAP_RECORD_SIZE,
  BM_BUCKET,
  BM_IN_USE,
  PAGE,
  R_BITMAPS,
  R_CHUNK_LOOKUP_TABLE,
  SMALL_BITMAP_SIZES,
  Z_BITMAP_SIZE,
  Z_CHUNK_SIZE,
  Z_INDEX,
  Z_PREALLOCATED_BITMAP_IDX,
  ZONE_USER_SIZE,
  addrToChunkTable,
} from './layout.ts';
import { newZone } from './zone.ts';
import { bitmapStart, toggleMask, userPagesStart } from './zone-fields.ts';

export function destroyZone(ctx: IsoCtx, cpu: Cpu, root: number, z: number, replace: boolean): void {
  cpu.path(ctx.paths.retire);
  toggleMask(cpu, z);
  const user = userPagesStart(cpu, z);
  const bitmap = bitmapStart(cpu, z);
  cpu.store(cpu.load(root + R_CHUNK_LOOKUP_TABLE) + 2 * addrToChunkTable(user), 0, 2);
  const bitmapSize = cpu.load(z + Z_BITMAP_SIZE, 2);
  const pre = cpu.load(z + Z_PREALLOCATED_BITMAP_IDX, 1);
  if (pre === 255) {
    cpu.munmap(bitmap - PAGE, bitmapSize + 2 * PAGE);
  } else {
    for (let i = 0; i < SMALL_BITMAP_SIZES.length - 1; i++) {
      const rec = root + R_BITMAPS + i * BITMAP_RECORD_SIZE;
      if (cpu.load(rec + BM_BUCKET, 4) !== bitmapSize) continue;
      cpu.store(rec + BM_IN_USE, (cpu.load(rec + BM_IN_USE, 4) & ~(1 << pre)) >>> 0, 4);
      cpu.fill(bitmap, bitmapSize, 0, ORIGIN_META);
      break;
    }
  }
  cpu.munmap(user - PAGE, ZONE_USER_SIZE + 2 * PAGE);
  ctx.counters.add('zonesRetired');
  if (replace) newZone(ctx, cpu, root, cpu.load(z + Z_CHUNK_SIZE, 4), true, cpu.load(z + Z_INDEX, 2));
}
