/**
 * The snmalloc model (microsoft/snmalloc, 0.7 line) and its four registered variants:
 *
 *   snmalloc                 fast build, BatchIt off (DEALLOC_BATCH_RING_ASSOC=0)
 *   snmalloc+batchit         fast build, BatchIt on (the 0.7 default: 8 sets x 2 ways)
 *   snmalloc-secure          check build (SNMALLOC_CHECK_CLIENT), BatchIt off (its default)
 *   snmalloc-secure+batchit  check build with MIN_ALLOC_SIZE=32, which turns BatchIt on
 *
 * The entry points follow src/snmalloc/global/globalalloc.h and global/libc.h: malloc (aligned via
 * aligned_size), calloc (memset of round_size), realloc (kept when the size class is unchanged),
 * free, malloc_usable_size (alloc_size: one pagemap lookup), and thread teardown.
 * Fidelity notes: docs/models/snmalloc.md.
 */
import { ORIGIN_APP } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { BaseModel } from '../kit/base-model.ts';
import type { HeapRegion, ModelDescription, ModelEnv, ModelInfo } from '../kit/contract.ts';
import {
  ALLOCATOR_SIZE,
  MAX_CAPACITY_BITS,
  MIN_CHUNK_SIZE,
  NUM_SMALL_SIZECLASSES,
  configFromParams,
  nextPow2Bits,
  snmallocParams,
  type Build,
} from './config.ts';
import { Ctx } from './context.ts';
import { alloc } from './corealloc.ts';
import { dealloc } from './dealloc.ts';
import { heapWalk } from './heapwalk.ts';
import { Pagemap } from './pagemap.ts';
import { currentAlloc, teardown } from './threadalloc.ts';

export const SNMALLOC_SOURCES = [
  'src/snmalloc/mem/corealloc.h',
  'src/snmalloc/mem/metadata.h',
  'src/snmalloc/mem/freelist.h',
  'src/snmalloc/mem/freelist_queue.h',
  'src/snmalloc/mem/remotecache.h',
  'src/snmalloc/mem/remoteallocator.h',
  'src/snmalloc/mem/entropy.h',
  'src/snmalloc/ds/sizeclasstable.h',
  'src/snmalloc/ds/pagemap.h',
  'src/snmalloc/ds/pool.h',
  'src/snmalloc/ds_aal/seqset.h',
  'src/snmalloc/backend/backend.h',
  'src/snmalloc/backend/standard_range.h',
  'src/snmalloc/backend_helpers/buddy.h',
  'src/snmalloc/backend_helpers/largebuddyrange.h',
  'src/snmalloc/backend_helpers/smallbuddyrange.h',
  'src/snmalloc/backend_helpers/commitrange.h',
  'src/snmalloc/global/threadalloc.h',
  'src/snmalloc/global/libc.h',
  'src/snmalloc/mitigations/allocconfig.h',
  'src/snmalloc/pal/pal_linux.h',
];

export class Snmalloc extends BaseModel {
  /** The process's snmalloc state (exposed for tests and reports). */
  readonly ctx: Ctx;

  constructor(env: ModelEnv, name: string, build: Build) {
    super(env);
    this.ctx = new Ctx(env.machine, configFromParams(name, build, env.params), env.counters);
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    const a = currentAlloc(this.ctx, cpu);
    if (align <= 16) return alloc(this.ctx, cpu, a, size, false);
    // aligned_size (ds/sizeclasstable.h): ((alignment - 1) | (size - 1)) + 1. For size 0 that wraps
    // to 0 and snmalloc serves a 16-byte object; the model serves aligned_size(align, 1) instead so
    // the block is aligned as asked (docs/models/snmalloc.md, deviations).
    return alloc(this.ctx, cpu, a, Math.ceil(Math.max(size, 1) / align) * align, false);
  }

  override calloc(cpu: Cpu, n: number, size: number): number {
    const total = n * size;
    if (!Number.isSafeInteger(total) || total > 2 ** 47) return 0;
    return alloc(this.ctx, cpu, currentAlloc(this.ctx, cpu), total, true);
  }

  free(cpu: Cpu, ptr: number): void {
    dealloc(this.ctx, cpu, currentAlloc(this.ctx, cpu), ptr);
  }

  /** libc.h realloc: free on size 0, keep the block when the size class does not change. */
  override realloc(cpu: Cpu, ptr: number, size: number): number {
    if (size === 0 && ptr !== 0) {
      this.free(cpu, ptr);
      return 0;
    }
    if (ptr === 0) return this.malloc(cpu, size === 0 ? 1 : size);
    const sz = this.usableSize(cpu, ptr);
    if (sz === this.ctx.table.roundSize(size)) return ptr;
    const p = this.malloc(cpu, size);
    if (p !== 0) {
      const n = Math.min(size, sz);
      if (n > 0) cpu.copy(p, ptr, n, ORIGIN_APP);
      this.free(cpu, ptr);
    }
    return p;
  }

  /** alloc_size: the size of the object's class, from one pagemap lookup. */
  usableSize(cpu: Cpu, ptr: number): number {
    if (ptr === 0) return 0;
    const ras = this.ctx.pagemap.loadRas(cpu, this.ctx.pagemap.entry(cpu, ptr));
    const sc = Pagemap.sizeclassOf(ras);
    return cpu.load(this.ctx.table.fastAddr(sc));
  }

  threadExit(cpu: Cpu): void {
    teardown(this.ctx, cpu);
  }

  heapWalk(cpu: Cpu): HeapRegion[] {
    return heapWalk(this.ctx, cpu);
  }

  describe(): ModelDescription {
    const c = this.ctx.cfg;
    const t = this.ctx.table;
    return {
      name: c.name,
      summary: `snmalloc 0.7 ${c.build} build, BatchIt ${c.batchit === null ? 'off' : 'on'}`,
      sizeClasses: t.rows(),
      constants: {
        build: c.build,
        numSmallSizeclasses: NUM_SMALL_SIZECLASSES,
        minAllocSize: c.minAllocSize,
        minObjectCount: t.minObjectCount,
        maxSlabSpanBits: t.maxSlabSpanBits,
        maxCapacityBits: MAX_CAPACITY_BITS,
        minChunkSize: MIN_CHUNK_SIZE,
        pagemapEntryBytes: 16,
        slabMetadataBytes: 64,
        allocatorBytes: ALLOCATOR_SIZE[c.build],
        remoteCacheBytes: c.remoteCache,
        remoteSlots: 2 ** c.remoteSlotBits,
        remoteSlotShift: nextPow2Bits(c.allocatorSize),
        inboxBoundBytes: c.inboxBound,
        returnSlabsRule: `unused > ${c.returnMinUnused} and unused > length >> ${c.returnLengthShift}`,
        localBuddyMaxBlockBytes: 2 ** (c.localCacheBits - 1),
        localOverflowBytes: 2 ** c.localCacheBits,
        globalRefillBytes: 2 ** c.globalCacheBits,
        batchit:
          c.batchit === null
            ? 'off'
            : `${c.batchit.sets} sets x ${c.batchit.ways} ways, ${c.batchit.hash}, evict ${c.batchit.policy}, ${c.batchit.layout} layout`,
        batchitRings: this.ctx.batchit?.rings ?? 0,
        remoteMessageLinkOffset: this.ctx.msgs.linkOffset,
        prefetch: c.prefetch,
      },
      sources: SNMALLOC_SOURCES,
    };
  }
}

function variant(name: string, summary: string, build: Build, minAllocSize: number, batchit: boolean): ModelInfo {
  return {
    name,
    summary,
    family: 'production',
    params: snmallocParams({ minAllocSize, batchit }),
    doc: 'docs/models/snmalloc.md',
    create: (env) => new Snmalloc(env, name, build),
  };
}

export const snmallocModels: ModelInfo[] = [
  variant(
    'snmalloc',
    'snmalloc 0.7, fast build, BatchIt off: message-passing frees through per-thread outboxes and inboxes',
    'fast',
    16,
    false,
  ),
  variant('snmalloc+batchit', 'snmalloc 0.7, fast build, BatchIt on: remote frees batched per slab before posting', 'fast', 16, true),
  variant(
    'snmalloc-secure',
    'snmalloc 0.7 check build (free-list encoding and signatures, randomisation), BatchIt off',
    'check',
    16,
    false,
  ),
  variant('snmalloc-secure+batchit', 'snmalloc 0.7 check build with MIN_ALLOC_SIZE=32, BatchIt on', 'check', 32, true),
];
