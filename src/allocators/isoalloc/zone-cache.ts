/**
 * The thread-local zone cache (src/iso_alloc.c zone_cache / populate_zone_cache): 8 recently used
 * {chunk_size, zone} pairs per thread, scanned newest first before the root lock is taken. It is
 * IsoAlloc's only per-thread state.
 */
import { ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { T_ZONE_CACHE, T_ZONE_CACHE_COUNT, TZC_ENTRY, Z_CHUNK_SIZE, Z_INTERNAL, ZONE_CACHE_SZ } from './layout.ts';

/** Pre-lock hot path of _iso_alloc: the newest cached zone whose chunk size fits, or 0. */
export function cachedZoneFor(cpu: Cpu, size: number): number {
  const tls = cpu.tls;
  const count = cpu.load(tls + T_ZONE_CACHE_COUNT);
  for (let i = count - 1; i >= 0; i--) {
    cpu.work(2);
    if (cpu.load(tls + T_ZONE_CACHE + i * TZC_ENTRY) >= size) return cpu.load(tls + T_ZONE_CACHE + i * TZC_ENTRY + 8);
  }
  return 0;
}

/** The cached zones, oldest first (iso_find_zone_range's second chance). */
export function cachedZones(cpu: Cpu): number[] {
  const tls = cpu.tls;
  const count = cpu.load(tls + T_ZONE_CACHE_COUNT);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(cpu.load(tls + T_ZONE_CACHE + i * TZC_ENTRY + 8));
  return out;
}

/** populate_zone_cache(zone): push unless it is the newest entry; evict the oldest by memmove. */
export function populateZoneCache(cpu: Cpu, z: number): void {
  const tls = cpu.tls;
  const count = cpu.load(tls + T_ZONE_CACHE_COUNT);
  if (count !== 0 && cpu.load(tls + T_ZONE_CACHE + (count - 1) * TZC_ENTRY + 8) === z) return;
  if (cpu.load(z + Z_INTERNAL, 1) === 0) return;
  let at = count;
  if (count >= ZONE_CACHE_SZ) {
    cpu.copy(tls + T_ZONE_CACHE, tls + T_ZONE_CACHE + TZC_ENTRY, (ZONE_CACHE_SZ - 1) * TZC_ENTRY, ORIGIN_META);
    at = ZONE_CACHE_SZ - 1;
  }
  cpu.store(tls + T_ZONE_CACHE + at * TZC_ENTRY + 8, z);
  cpu.store(tls + T_ZONE_CACHE + at * TZC_ENTRY, cpu.load(z + Z_CHUNK_SIZE, 4));
  cpu.store(tls + T_ZONE_CACHE_COUNT, at + 1);
}
