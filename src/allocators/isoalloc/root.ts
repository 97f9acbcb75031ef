/**
 * The library constructor (src/iso_alloc.c _iso_alloc_initialize / iso_alloc_initialize_global_root):
 * the guarded, mlock'd root; the zone metadata array (MAX_ZONES records); the global quarantine;
 * the chunk-to-zone lookup table; the default zones; the shared pages for small bitmaps; the secrets.
 */
import { PROT_NONE } from '../../machine/page-table.ts';
import type { Cpu } from '../../machine/cpu.ts';
import type { IsoCtx } from './context.ts';
import {
  BITMAP_RECORD_SIZE,
  BM_BITMAP,
  BM_BUCKET,
  CHUNK_QUARANTINE_SZ,
  CHUNK_TO_ZONE_TABLE_SZ,
  DEFAULT_ZONES,
  MAX_ZONES,
  PAGE,
  R_BIG_ZONE_CANARY_SECRET,
  R_BIG_ZONE_NEXT_MASK,
  R_BITMAPS,
  R_CHUNK_LOOKUP_TABLE,
  R_CHUNK_QUARANTINE,
  R_SEED,
  R_ZERO_ALLOC_PAGE,
  R_ZONE_HANDLE_MASK,
  R_ZONE_RETIREMENT_SHF,
  R_ZONES,
  R_ZONES_SIZE,
  ROOT_STRUCT_SIZE,
  S_ROOT,
  SMALL_BITMAP_SIZES,
  ZONE_ALLOC_RETIRE_SHIFT,
  ZONE_STRUCT_SIZE,
} from './layout.ts';
import { mlock, mmapGuardedRwPages, mmapPages, roundUpPage } from './os.ts';
import { randUint64, store64n, usRand } from './random.ts';
import { newZone } from './zone.ts';

/** Runs the constructor once (AUTO_CTOR_DTOR=1); returns the root. */
export function ensureRoot(ctx: IsoCtx, cpu: Cpu): number {
  const existing = cpu.load(ctx.statics + S_ROOT);
  if (existing !== 0) return existing;
  const root = mmapGuardedRwPages(ctx, cpu, ROOT_STRUCT_SIZE, true, 'isoalloc root');
  cpu.store(ctx.statics + S_ROOT, root);
  // MLOCK(&_root, sizeof(iso_alloc_root)): the address of the pointer variable, as written.
  mlock(cpu, ctx.statics + S_ROOT, ROOT_STRUCT_SIZE);
  cpu.store(root + R_ZONE_RETIREMENT_SHF, ZONE_ALLOC_RETIRE_SHIFT, 4);

  const zonesSize = roundUpPage(MAX_ZONES * ZONE_STRUCT_SIZE + 2 * PAGE);
  cpu.store(root + R_ZONES_SIZE, zonesSize);
  const zones = mmapGuardedRwPages(ctx, cpu, zonesSize, false, 'isoalloc zone metadata');
  cpu.store(root + R_ZONES, zones);
  mlock(cpu, zones, zonesSize);

  const qSize = roundUpPage(CHUNK_QUARANTINE_SZ * 8);
  const quarantine = mmapGuardedRwPages(ctx, cpu, qSize, true);
  cpu.store(root + R_CHUNK_QUARANTINE, quarantine);
  mlock(cpu, quarantine, qSize);

  const table = mmapGuardedRwPages(ctx, cpu, CHUNK_TO_ZONE_TABLE_SZ, true);
  cpu.store(root + R_CHUNK_LOOKUP_TABLE, table);
  mlock(cpu, table, CHUNK_TO_ZONE_TABLE_SZ);

  // The default zones are made before the shared bitmap pages exist, so each gets its own bitmap mapping.
  for (const size of DEFAULT_ZONES) newZone(ctx, cpu, root, size, true, -1);

  for (let i = 0; i < SMALL_BITMAP_SIZES.length - 2; i++) {
    const rec = root + R_BITMAPS + i * BITMAP_RECORD_SIZE;
    cpu.store(rec + BM_BITMAP, mmapPages(ctx, cpu, PAGE, false, undefined, 'isoalloc small bitmaps'));
    cpu.store(rec + BM_BUCKET, SMALL_BITMAP_SIZES[i] as number, 4);
  }
  store64n(cpu, root + R_SEED, randUint64(cpu));
  // _iso_big_alloc draws the metadata's random offset from _root->seed before it takes any lock
  // (iso_alloc.c): the PRNG state races by design, harmless for a random number.
  cpu.machine.race?.benign(root + R_SEED, 8);
  store64n(cpu, root + R_ZONE_HANDLE_MASK, randUint64(cpu));
  store64n(cpu, root + R_BIG_ZONE_NEXT_MASK, usRand(cpu, root));
  store64n(cpu, root + R_BIG_ZONE_CANARY_SECRET, usRand(cpu, root));
  if (ctx.noZeroAllocations) cpu.store(root + R_ZERO_ALLOC_PAGE, mmapPages(ctx, cpu, PAGE, false, PROT_NONE, 'isoalloc zero page'));
  ctx.counters.add('constructorRuns');
  return root;
}
