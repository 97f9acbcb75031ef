/**
 * `isoalloc`: IsoAlloc, the security-hardened allocator (struct/isoalloc), as its malloc hooks
 * drive it (src/malloc_hook.c, src/iso_alloc_interfaces.c).
 *
 *   zones: 4 MiB of same-size chunks (multiples of 32) between guard pages, 2-bit-per-chunk bitmap,
 *          255-entry shuffled free slot cache; 9 default zones made by the constructor
 *   every small malloc, free and size query: the one global root mutex
 *   free: into a 64-entry global quarantine, released in bulk with double-free and canary checks
 *   > 64 KiB: big zones with their own mappings, canaried metadata and two more mutexes
 *
 * Fidelity notes and sources: docs/models/isoalloc.md.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { ORIGIN_APP } from '../../machine/cache-hierarchy.ts';
import { bool, str } from '../../lib/params.ts';
import type { AllocatorModel, HeapRegion, ModelDescription, ModelEnv, ModelInfo, SizeClass } from '../kit/contract.ts';
import { isoAlloc, isoCalloc } from './alloc.ts';
import type { IsoCtx } from './context.ts';
import { isoChunkSize, isoFree, isoFreeSize } from './free.ts';
import { isoHeapWalk } from './heap-walk.ts';
import {
  CANARY_COUNT_DIV,
  CHUNK_QUARANTINE_SZ,
  DEFAULT_ZONES,
  MAX_DEFAULT_ZONE_SZ,
  MAX_ZONES,
  SMALL_SIZE_MAX,
  STATICS_SIZE,
  ZONE_CACHE_SZ,
  ZONE_FREE_LIST_SZ,
  ZONE_USER_SIZE,
} from './layout.ts';
import { ensureRoot } from './root.ts';

const SOURCES = [
  'struct/isoalloc @ 65998115db95: src/iso_alloc.c (zones, slot cache, alloc, free, quarantine, canaries, retirement, big zones)',
  'include/conf.h, include/iso_alloc_internal.h, include/iso_alloc_ds.h (constants, bit layout, structures)',
  'src/iso_alloc_util.c (mmap hints, guard pages, madvise, mlock), src/iso_alloc_random.c (getrandom, wyrand)',
  'src/iso_alloc_interfaces.c, src/malloc_hook.c (realloc, calloc, posix_memalign, malloc_usable_size)',
  'Makefile (default build switches), PERFORMANCE.md',
];

class IsoAlloc implements AllocatorModel {
  readonly counters;
  private readonly ctx: IsoCtx;

  constructor(env: ModelEnv) {
    this.counters = env.counters;
    const id = (n: string): number => env.machine.paths.id(`isoalloc::${n}`);
    this.ctx = {
      statics: env.machine.staticData(STATICS_SIZE, 'isoalloc.bss'),
      prePopulate: bool(env.params, 'prePopulatePages'),
      noZeroAllocations: bool(env.params, 'noZeroAllocations'),
      memalign: str(env.params, 'memalign') as 'checked' | 'faithful',
      counters: env.counters,
      paths: {
        allocCached: id('alloc_bitslot'),
        findZone: id('find_suitable_zone'),
        newZone: id('new_zone'),
        fillSlots: id('fill_free_bit_slots'),
        free: id('free_quarantine'),
        flush: id('flush_chunk_quarantine'),
        freeChunk: id('free_chunk_from_zone'),
        bigAlloc: id('big_alloc'),
        bigFree: id('big_free'),
        retire: id('retire_zone'),
      },
    };
  }

  /** The library constructor runs before the first thread's first call (AUTO_CTOR_DTOR=1). */
  threadStart(cpu: Cpu): void {
    ensureRoot(this.ctx, cpu);
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    // posix_memalign: the size is raised to the alignment; every chunk is at least 32-byte aligned.
    if (align > 32) return isoAlloc(this.ctx, cpu, Math.max(size, align), align);
    return isoAlloc(this.ctx, cpu, size);
  }

  calloc(cpu: Cpu, n: number, size: number): number {
    return isoCalloc(this.ctx, cpu, n, size);
  }

  free(cpu: Cpu, ptr: number): void {
    isoFree(this.ctx, cpu, ptr);
  }

  /** iso_realloc(): always moves: allocate, ask the old chunk's size, copy, free the old at once. */
  realloc(cpu: Cpu, ptr: number, size: number): number {
    if (size === 0) {
      isoFree(this.ctx, cpu, ptr);
      return 0;
    }
    const r = isoAlloc(this.ctx, cpu, size);
    if (r === 0) return 0;
    const chunk = ptr === 0 ? 0 : isoChunkSize(this.ctx, cpu, ptr);
    if (ptr !== 0) cpu.copy(r, ptr, Math.min(size, chunk), ORIGIN_APP);
    isoFreeSize(this.ctx, cpu, ptr, chunk);
    return r;
  }

  usableSize(cpu: Cpu, ptr: number): number {
    return isoChunkSize(this.ctx, cpu, ptr);
  }

  heapWalk(cpu: Cpu): HeapRegion[] {
    return isoHeapWalk(this.ctx, cpu);
  }

  describe(): ModelDescription {
    const sizeClasses: SizeClass[] = DEFAULT_ZONES.map((size, index) => {
      const chunks = ZONE_USER_SIZE / size;
      return {
        index,
        size,
        chunksPerZone: chunks,
        bitmapBytes: Math.max(8, chunks / 4),
        canaryAttempts: size > MAX_DEFAULT_ZONE_SZ ? 0 : chunks >> CANARY_COUNT_DIV,
        defaultZone: true,
      };
    });
    return {
      name: 'isoalloc',
      summary: 'IsoAlloc: isolated 4 MiB zones per chunk size, 2-bit bitmaps, one global lock, quarantine, canaries',
      sizeClasses,
      constants: {
        zoneUserSize: ZONE_USER_SIZE,
        chunkSizeMultiple: 32,
        smallSizeMax: SMALL_SIZE_MAX,
        maxZones: MAX_ZONES,
        freeSlotCache: ZONE_FREE_LIST_SZ,
        quarantine: CHUNK_QUARANTINE_SZ,
        threadZoneCache: ZONE_CACHE_SZ,
        retireAfterAllocsTimesChunks: 32,
        bigZoneWasteBytes: 16384,
        bigZoneFreeListMax: 64,
        bigZoneRetireUses: 16,
        prePopulatePages: this.ctx.prePopulate,
        noZeroAllocations: this.ctx.noZeroAllocations,
        memalign: this.ctx.memalign,
      },
      sources: SOURCES,
    };
  }
}

export const isoallocModel: ModelInfo = {
  name: 'isoalloc',
  summary: 'IsoAlloc: hardened allocator with isolated size zones, bitmaps, a global lock, a quarantine and canaries',
  family: 'production',
  params: [
    {
      name: 'prePopulatePages',
      type: 'bool',
      default: false,
      source: 'Makefile PRE_POPULATE_PAGES (0 today; user zones were populated in 2020, 69d488e)',
      description: 'MAP_POPULATE on the root, tables, quarantine and bitmaps, and on user zones as in the 2020 version',
    },
    {
      name: 'noZeroAllocations',
      type: 'bool',
      default: false,
      source: 'Makefile NO_ZERO_ALLOCATIONS (1 in the Makefile)',
      description: 'malloc(0) returns one shared PROT_NONE page (off: the invariant checker requires a usable byte)',
    },
    {
      name: 'memalign',
      type: 'enum',
      default: 'checked',
      choices: ['checked', 'faithful'],
      source: 'src/malloc_hook.c posix_memalign',
      description:
        'alignment > 32: faithful = size raised to the alignment only (may be under-aligned); checked = also only zones whose chunk size is a multiple',
    },
  ],
  doc: 'docs/models/isoalloc.md',
  create: (env) => new IsoAlloc(env),
};
