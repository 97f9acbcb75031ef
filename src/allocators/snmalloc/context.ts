/**
 * The parts of one simulated snmalloc process, wired together: configuration, the read-only size
 * class tables, the process-wide statics (in the model's static data, as in snmalloc's .bss), the
 * pagemap, the backend, the free-list codec, the message queue, the outbox and the BatchIt cache.
 * The allocator paths (corealloc.ts, dealloc.ts, inbox.ts, threadalloc.ts) take this context and
 * an Allocator's address.
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { Machine } from '../../machine/machine.ts';
import { PAGE_SIZE } from '../../machine/sizes.ts';
import type { Counters } from '../kit/model-counters.ts';
import { BatchItCache } from '../shared/batchit/index.ts';
import { StructLayout } from '../shared/struct-layout.ts';
import { Backend, GLOBAL_BUDDY_BYTES, type BackendStatics } from './backend/backend.ts';
import { MAX_CAPACITY_BITS, MIN_CHUNK_BITS, type SnmallocConfig } from './config.ts';
import { FreeList, KEY_BYTES } from './freelist.ts';
import { FreeListQueue } from './freelist-queue.ts';
import { type AllocatorLayout, allocatorLayout, keyTweak, localStateBytes, metaLayout, type MetaLayout } from './layout.ts';
import { ENTRY_BYTES, Pagemap } from './pagemap.ts';
import { RemoteCache } from './remotecache.ts';
import { RemoteMessages } from './remotemessage.ts';
import { SIZECLASS_RODATA_BYTES, SizeClassTable } from './sizeclasstable.ts';
import type { BatchItStat } from '../shared/batchit/batchit.ts';
import type { BackendStat } from './backend/ranges.ts';

/** The counters this model reports (as mimalloc's mi_stat_* fields): a misspelt name fails to compile. */
export type SnmallocStat =
  | 'allocators.created'
  | 'allocators.reused'
  | 'globalInit'
  | 'inbox.drains'
  | 'inbox.objectsFreed'
  | 'largeAllocs'
  | 'largeFrees'
  | 'posts'
  | 'queue.elementsForwarded'
  | 'queue.elementsProcessed'
  | 'queue.segmentsPosted'
  | 'remoteFrees'
  | 'slabs.opened'
  | 'slabs.returned'
  | 'slabs.reused'
  | 'slabs.slept'
  | 'slabs.woken'
  | BackendStat
  | BatchItStat;

/** Process-wide statics (each lock on its own 64-byte line). */
export interface Statics extends BackendStatics {
  bodyPtr: number;
  zeroEntry: number;
  initialised: number;
  keyRoot: number;
  keyGlobal: number;
  initLock: number;
  poolLock: number;
  poolFront: number;
  poolBack: number;
  poolList: number;
  /** The constant-initialised dummy allocator every thread starts with (threadalloc.h default_alloc). */
  defaultAlloc: number;
}

function placeStatics(machine: Machine, cfg: SnmallocConfig, largeLevels: number): Statics {
  // Each lock, and each structure written by many threads, starts a 64-byte line of its own.
  const LINE = 64;
  const l = new StructLayout();
  // Offsets from the start of the area first, then addresses.
  const s: Statics = {
    bodyPtr: l.field(8),
    zeroEntry: l.field(ENTRY_BYTES, 16),
    initialised: l.field(8),
    keyRoot: l.field(KEY_BYTES, LINE),
    keyGlobal: l.field(KEY_BYTES),
    initLock: l.field(LINE, LINE),
    poolLock: l.field(LINE, LINE),
    poolFront: l.field(8, LINE),
    poolBack: l.field(8),
    poolList: l.field(8),
    globalLock: l.field(LINE, LINE),
    metaLock: l.field(LINE, LINE),
    statsCurrent: l.field(8, LINE),
    statsPeak: l.field(8),
    globalBuddy: l.field(GLOBAL_BUDDY_BYTES, LINE),
    metaInstance: l.field(localStateBytes(largeLevels), LINE),
    defaultAlloc: l.field(cfg.allocatorSize, PAGE_SIZE),
  };
  const base = machine.staticData(l.size, 'snmalloc.bss');
  for (const k of Object.keys(s) as Array<keyof Statics>) s[k] += base;
  // FlatPagemap::body is constant-initialised to its default_value (a zero entry).
  machine.poke(s.bodyPtr, s.zeroEntry);
  return s;
}

/** Path ids for the per-path profile (cpu.path). */
export interface PathIds {
  allocFast: number;
  allocRefill: number;
  allocNewSlab: number;
  allocLarge: number;
  deallocLocal: number;
  deallocLocalSlow: number;
  deallocRemote: number;
  post: number;
  inbox: number;
  init: number;
  flush: number;
  backend: number;
}

export class Ctx {
  readonly table: SizeClassTable;
  readonly statics: Statics;
  readonly layout: AllocatorLayout;
  readonly metaLayout: MetaLayout;
  readonly freeList: FreeList;
  readonly pagemap: Pagemap;
  readonly backend: Backend;
  readonly queue: FreeListQueue;
  readonly msgs: RemoteMessages;
  readonly batchit: BatchItCache | null;
  readonly outbox: RemoteCache;
  readonly paths: PathIds;

  constructor(
    readonly machine: Machine,
    readonly cfg: SnmallocConfig,
    readonly counters: Counters<SnmallocStat>,
  ) {
    this.table = new SizeClassTable(cfg.build, cfg.minAllocSize);
    this.table.place(machine, machine.staticData(SIZECLASS_RODATA_BYTES, 'snmalloc.rodata'));
    const largeLevels = cfg.localCacheBits - MIN_CHUNK_BITS;
    this.statics = placeStatics(machine, cfg, largeLevels);
    this.metaLayout = metaLayout(cfg.build);
    this.freeList = new FreeList(cfg);
    const hooks = {
      initNode: (cpu: Cpu, obj: number) => this.freeList.initNode(cpu, obj),
      link: (cpu: Cpu, prevTail: number, obj: number, key: number) =>
        this.freeList.storeLinked(cpu, prevTail, obj, this.statics.keyRoot, keyTweak(key)),
    };
    this.batchit =
      cfg.batchit === null ? null : new BatchItCache(cfg.batchit, hooks, counters, cfg.mit.randomPreserve ? MAX_CAPACITY_BITS : 0);
    this.layout = allocatorLayout(cfg.build, cfg.remoteSlotBits, this.batchit?.stateBytes ?? 0, largeLevels);
    if (this.layout.bytes > cfg.allocatorSize)
      throw new Error(`snmalloc layout (${this.layout.bytes} B) exceeds sizeof(Allocator) ${cfg.allocatorSize}`);
    this.pagemap = new Pagemap(cfg, this.statics.bodyPtr, this.statics.zeroEntry);
    this.backend = new Backend(cfg, this.pagemap, this.statics, counters);
    this.queue = new FreeListQueue(this.freeList, this.statics.keyGlobal, cfg.mit.backwardEdge);
    this.msgs = new RemoteMessages(this.freeList, this.batchit !== null, cfg.mit.backwardEdge, this.statics.keyRoot);
    this.outbox = new RemoteCache(
      cfg,
      this.layout,
      this.freeList,
      this.pagemap,
      this.table,
      this.msgs,
      this.queue,
      this.batchit,
      this.statics.keyGlobal,
      counters,
    );
    const id = (p: string): number => machine.paths.id(`${cfg.name}::${p}`);
    this.paths = {
      allocFast: id('alloc_fast'),
      allocRefill: id('alloc_refill'),
      allocNewSlab: id('alloc_new_slab'),
      allocLarge: id('alloc_large'),
      deallocLocal: id('dealloc_local'),
      deallocLocalSlow: id('dealloc_local_slow'),
      deallocRemote: id('dealloc_remote'),
      post: id('post'),
      inbox: id('inbox'),
      init: id('init'),
      flush: id('flush'),
      backend: id('backend'),
    };
  }

  /** The address of an allocator's inbox (its RemoteAllocator), which is also its id. */
  remoteOf(a: number): number {
    return a + this.layout.remote;
  }

  /** The allocator that owns inbox `remote`. */
  allocOfRemote(remote: number): number {
    return remote - this.layout.remote;
  }

  localState(a: number): number {
    return a + this.layout.localState;
  }
}
