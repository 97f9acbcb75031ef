/**
 * `mimalloc` (microsoft/mimalloc v2; Leijen, Zorn, de Moura, "Mimalloc: Free List Sharding in
 * Action", 2019), with and without BatchIt, in release and secure (MI_SECURE = 4) builds.
 *
 * The model follows mimalloc's sources file by file (alloc.ts = src/alloc.c, free.ts = free.c,
 * page.ts / page-generic.ts = page.c, page-queue.ts = page-queue.c, segment*.ts = segment.c,
 * arena.ts = arena.c, os.ts = os.c + prim/unix/prim.c, heap.ts = heap.c + init.c, types.ts =
 * include/mimalloc/types.h, internal.ts = internal.h); docs/models/mimalloc.md has the fidelity notes.
 */
import { BatchItCache } from '../shared/batchit/index.ts';
import type { AllocatorModel, HeapRegion, ModelDescription, ModelEnv, ModelInfo } from '../kit/contract.ts';
import type { Cpu } from '../../machine/cpu.ts';
import type { Counters } from '../kit/model-counters.ts';
import type { MimallocStat } from './internal.ts';
import { contractSize, malloc, mallocZero, usableSize } from './alloc.ts';
import { batchHooks, batchSink } from './batchit.ts';
import { binSizes, sizeClassTable } from './bins.ts';
import { newKeys } from './encode.ts';
import { free } from './free.ts';
import { threadDone } from './heap.ts';
import { heapWalk } from './heap-walk.ts';
import { G_HEAP_MAIN_COOKIE, STATIC_BYTES, type Mi, type MiPaths } from './internal.ts';
import { ORIGIN_APP } from '../../machine/cache-hierarchy.ts';
import { configFrom, mimallocParams, type MiConfig } from './options.ts';
import { mimallocInvariants } from './invariants.ts';
import {
  LARGE_OBJ_SIZE_MAX,
  MEDIUM_PAGE_SIZE,
  SEGMENT_SIZE,
  SLICE_SIZE,
  SMALL_PAGE_SIZE,
  SMALL_SIZE_MAX,
  alignUp,
  layoutOf,
} from './types.ts';

const SOURCES = [
  'microsoft/mimalloc v2.1.2 and v2.4.1: include/mimalloc/types.h, include/mimalloc/internal.h',
  'src/alloc.c, src/alloc-aligned.c, src/free.c (v2.4.1), src/page.c, src/page-queue.c, src/segment.c',
  'src/heap.c, src/init.c, src/arena.c, src/bitmap.c, src/os.c, src/options.c, src/prim/unix/prim.c',
  'Filardo & Parkinson, BatchIt (ISMM 2024), section 3.1',
];

function pathsOf(cpuPaths: (name: string) => number, name: string): MiPaths {
  const id = (p: string): number => cpuPaths(`${name}::${p}`);
  return {
    malloc: id('malloc'),
    free: id('free'),
    realloc: id('realloc'),
    calloc: id('calloc'),
    generic: id('malloc_generic'),
    freeMt: id('free_mt'),
    freeDelayed: id('free_delayed_mt'),
    collect: id('page_collect'),
    delayedFree: id('heap_delayed_free'),
    extend: id('page_extend'),
    segment: id('segment'),
    arena: id('arena'),
    purge: id('purge'),
    batchit: id('batchit_add'),
    batchitEvict: id('batchit_evict'),
    threadDone: id('thread_done'),
    reclaim: id('segment_reclaim'),
  };
}

export class Mimalloc implements AllocatorModel {
  readonly counters: Counters<MimallocStat>;
  /** The model's context (layouts, static addresses): for tests and tools that look inside. */
  readonly m: Mi;

  constructor(
    env: ModelEnv,
    private readonly name: string,
  ) {
    this.counters = env.counters;
    const cfg = configFrom(env.params);
    const L = layoutOf(cfg.version, cfg.secure);
    const machine = env.machine;
    const g = machine.staticData(STATIC_BYTES, `${name}.bss`);
    // _mi_heap_main.cookie, set once at process start (init.c _mi_heap_main_init)
    machine.poke(g + G_HEAP_MAIN_COOKIE, (Math.imul(env.seed, 0x9e3779b1) >>> 0) | 1, 4);
    let self: Mi | null = null;
    const batch = cfg.batchit
      ? new BatchItCache(
          cfg.shape,
          batchHooks(() => self as Mi),
          env.counters,
        )
      : null;
    const tdTld = alignUp(L.heap.size, 8);
    const tdBatch = alignUp(tdTld + L.tld.size + 24, 64);
    const mi: Mi = {
      cfg,
      layout: L,
      counters: env.counters,
      machine,
      statics: g,
      binSize: binSizes(),
      paths: pathsOf((n) => machine.paths.id(n), name),
      batch,
      batchSink: null,
      tdTld,
      tdBatch,
      tdSize: alignUp(tdBatch + (batch?.stateBytes ?? 0), 4096),
      cyclesPerMs: machine.spec.ghz * 1e6,
      pageKeys: newKeys(),
      heapKeys: newKeys(),
      curPath: -1,
      batchPage: 0,
      valid: mimallocInvariants(() => self as Mi),
    };
    if (batch !== null) mi.batchSink = batchSink(mi);
    self = mi;
    this.m = mi;
  }

  /** The driver has entered this operation's path (`NAME::malloc`, ...): nested paths return to it. */
  private at(id: number): void {
    this.m.curPath = id;
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    this.at(this.m.paths.malloc);
    return malloc(this.m, cpu, size, align);
  }

  free(cpu: Cpu, ptr: number): void {
    this.at(this.m.paths.free);
    free(this.m, cpu, ptr);
  }

  calloc(cpu: Cpu, n: number, size: number): number {
    this.at(this.m.paths.calloc);
    const total = n * size;
    if (!Number.isSafeInteger(total) || total > 2 ** 47) return 0;
    return mallocZero(this.m, cpu, contractSize(this.m, total), true);
  }

  /** alloc.c _mi_heap_realloc_zero: in place when the new size fits and wastes at most half; else malloc, copy, free. */
  realloc(cpu: Cpu, ptr: number, size: number): number {
    this.at(this.m.paths.realloc);
    const old = ptr === 0 ? 0 : usableSize(this.m, cpu, ptr);
    if (size <= old && size >= old / 2 && size > 0) return ptr;
    const q = malloc(this.m, cpu, size, 16);
    if (q === 0) return 0;
    if (ptr !== 0) {
      cpu.copy(q, ptr, Math.min(old, size), ORIGIN_APP);
      this.at(this.m.paths.realloc);
      free(this.m, cpu, ptr);
    }
    return q;
  }

  usableSize(cpu: Cpu, ptr: number): number {
    return usableSize(this.m, cpu, ptr);
  }

  threadExit(cpu: Cpu): void {
    this.m.curPath = -1;
    threadDone(this.m, cpu);
  }

  heapWalk(cpu: Cpu): HeapRegion[] {
    return heapWalk(this.m, cpu);
  }

  describe(): ModelDescription {
    return describeMimalloc(this.name, this.m.cfg);
  }
}

function describeMimalloc(name: string, cfg: MiConfig): ModelDescription {
  return {
    name,
    summary: `mimalloc v${cfg.version}${cfg.secure > 0 ? ` (MI_SECURE=${cfg.secure})` : ''}${cfg.batchit ? ' with BatchIt' : ''}: free-list sharding per page, message passing by CAS on each page's thread-free list`,
    sizeClasses: sizeClassTable(cfg.smallObjSizeMax, cfg.mediumObjSizeMax, cfg.padding),
    constants: {
      version: cfg.version,
      secure: cfg.secure,
      wordBytes: 8,
      smallSizeMax: SMALL_SIZE_MAX,
      paddingBytes: cfg.padding,
      segmentBytes: SEGMENT_SIZE,
      sliceBytes: SLICE_SIZE,
      'page.small.bytes': SMALL_PAGE_SIZE,
      'page.small.maxBlock': cfg.smallObjSizeMax,
      'page.medium.bytes': MEDIUM_PAGE_SIZE,
      'page.medium.maxBlock': cfg.mediumObjSizeMax,
      'page.large.bytes': 'one block: request rounded to 4K/64K/256K/1M, then to 64 KiB (512 KiB above 512 KiB)',
      'page.large.maxBlock': LARGE_OBJ_SIZE_MAX,
      'page.huge.bytes': 'a dedicated segment per block',
      binHuge: 73,
      binFull: 74,
      purgeDelayMs: cfg.purgeDelay,
      arenaReserveBytes: cfg.arenaReserve,
      batchit: cfg.batchit,
      'batchit.shape': cfg.batchit
        ? `${cfg.shape.sets} sets x ${cfg.shape.ways} ways, ${cfg.shape.hash}, evict ${cfg.shape.policy}`
        : 'off',
      'batchit.carryLength': cfg.carryLength,
    },
    sources: SOURCES,
  };
}

function variant(name: string, summary: string, secure: number, batchit: boolean): ModelInfo {
  return {
    name,
    summary,
    family: 'production',
    params: mimallocParams(secure, batchit),
    doc: 'docs/models/mimalloc.md',
    create: (env) => new Mimalloc(env, name),
  };
}

export const mimallocModels: ModelInfo[] = [
  variant('mimalloc', 'mimalloc v2: per-page free lists, remote frees by one CAS per object', 0, false),
  variant('mimalloc+batchit', 'mimalloc v2 with BatchIt: remote frees batched per page in the freeing thread', 0, true),
  variant('mimalloc-secure', 'mimalloc v2, MI_SECURE=4: encoded free lists, padding canaries, guard pages, double-free checks', 4, false),
  variant('mimalloc-secure+batchit', 'mimalloc v2, MI_SECURE=4, with BatchIt', 4, true),
];
