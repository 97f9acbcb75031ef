/**
 * `tcache`: per-thread caches in front of one locked global heap. A small free goes onto the
 * freeing thread's cache bin (no lock); a small malloc pops from the caller's bin (no lock) and
 * only on a miss locks the global boundary-tag heap. When a bin grows past its limit, its older
 * half is flushed back to the global heap under one lock acquisition, where it coalesces.
 *
 *   thread 1 TLS: bin 0 [3] -> a -> b -> c       global heap (locked): free list, chunks
 *   thread 2 TLS: bin 0 [7] -> ...  -- free #8 -> flush the 4 oldest --^
 *
 * A remote free (by a thread that did not allocate the block) lands in the freeing thread's cache,
 * as in glibc, which never checks who owns a chunk on its tcache path (malloc/malloc.c __libc_free
 * -> _int_free -> tcache_put). Thread exit flushes every bin (tcache_thread_shutdown).
 * The flush at a limit is the course's "Plan A" (18-advanced-malloc/notes.md) and tcmalloc's
 * ThreadCache::ListTooLong -> ReleaseToCentralCache; glibc instead stops caching at 7 per bin.
 */
import { ORIGIN_LINK } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { num } from '../../lib/params.ts';
import { BaseModel } from '../kit/base-model.ts';
import { AllocatorAbort, type HeapRegion, type ModelDescription, type ModelEnv, type ModelInfo } from '../kit/contract.ts';
import type { TagHeap } from '../shared/boundary-tags/heap.ts';
import { blockSizeFor, HEAP_STATE_BYTES, TAG_BYTES, tagSize } from '../shared/boundary-tags/layout.ts';
import { TAG_HEAP_PARAMS, tagHeapConstants, tagHeapFrom } from '../shared/boundary-tags/params.ts';
import { examineTagHeap, walkTagHeap } from '../shared/boundary-tags/walk.ts';
import { CacheLayout } from './cache.ts';
import { pathIds } from '../shared/model-support.ts';
import type { TagHeapStat } from '../shared/boundary-tags/heap.ts';

/** The counters this model reports. */
export type TcacheStat = 'cacheHits' | 'cacheMisses' | 'flushedBlocks' | 'flushes' | 'frees' | 'mallocs' | TagHeapStat;

// Static data: the global heap state (its lock first), then the tcache key and the list of caches.
const G_HEAP = 0;
const G_KEY = HEAP_STATE_BYTES;
const G_CACHES = HEAP_STATE_BYTES + 8;
const WORK = { lookup: 4, put: 4, get: 4, flushStep: 3 } as const;

export class Tcache extends BaseModel<TcacheStat> {
  private readonly heap: TagHeap;
  private readonly globals: number;
  readonly layout: CacheLayout;
  readonly binLimit: number;
  private readonly paths: { get: number; put: number; flush: number };

  constructor(env: ModelEnv) {
    super(env);
    this.heap = tagHeapFrom(env, 'tcache');
    this.globals = env.machine.staticData(HEAP_STATE_BYTES + 64, 'tcache.bss');
    this.layout = new CacheLayout(num(env.params, 'bins'));
    this.binLimit = num(env.params, 'binLimit');
    this.paths = pathIds(env.machine, 'tcache', { get: 'cache_get', put: 'cache_put', flush: 'flush' });
  }

  private get globalHeap(): number {
    return this.globals + G_HEAP;
  }

  /** The calling thread's cache, set up on first use (glibc MAYBE_INIT_TCACHE). */
  private cacheOf(cpu: Cpu): number {
    const tc = cpu.tls;
    if (cpu.load(tc + this.layout.registeredOff) === 0) this.initCache(cpu, tc);
    return tc;
  }

  private initCache(cpu: Cpu, tc: number): void {
    if (cpu.load(this.globals + G_KEY) === 0) cpu.store(this.globals + G_KEY, cpu.getrandom() + 1); // glibc tcache_key_initialize
    cpu.store(tc + this.layout.ownerOff, cpu.thread);
    cpu.store(tc + this.layout.registeredOff, 1);
    this.heap.lock(cpu, this.globalHeap);
    cpu.store(tc + this.layout.nextOff, cpu.load(this.globals + G_CACHES));
    cpu.store(this.globals + G_CACHES, tc);
    this.heap.unlock(cpu, this.globalHeap);
  }

  threadStart(cpu: Cpu): void {
    this.cacheOf(cpu);
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    this.counters.add('mallocs');
    if (this.heap.wantsDirect(size, align)) return this.heap.allocDirect(cpu, size, align);
    if (align <= 16) {
      cpu.path(this.paths.get);
      cpu.work(WORK.lookup);
      const bin = this.layout.binOf(blockSizeFor(size));
      if (bin < this.layout.bins) {
        const tc = this.cacheOf(cpu);
        if (this.layout.count(cpu, tc, bin) > 0) {
          cpu.work(WORK.get);
          this.counters.add('cacheHits');
          return this.layout.get(cpu, tc, bin);
        }
        this.counters.add('cacheMisses');
      }
    }
    return this.heap.lockedAlloc(cpu, this.globalHeap, size, align);
  }

  free(cpu: Cpu, ptr: number): void {
    if (ptr === 0) return;
    this.counters.add('frees');
    const tag = this.heap.unmapIfDirect(cpu, ptr);
    if (tag === 0) return;
    cpu.work(WORK.lookup);
    const bin = this.layout.binOf(tagSize(tag));
    if (bin < this.layout.bins) this.cachePut(cpu, ptr, bin);
    else this.heap.lockedFree(cpu, this.globalHeap, ptr, tag);
  }

  private cachePut(cpu: Cpu, ptr: number, bin: number): void {
    cpu.path(this.paths.put);
    cpu.work(WORK.put);
    const tc = this.cacheOf(cpu);
    const key = cpu.load(this.globals + G_KEY);
    // glibc _int_free: a block carrying the key may already be cached; look for it in this bin.
    if (cpu.load(ptr + 8, 8, ORIGIN_LINK) === key && this.layout.entries(cpu, tc, bin).includes(ptr)) {
      throw new AllocatorAbort('free(): double free detected in tcache 2', ptr);
    }
    if (this.layout.put(cpu, tc, bin, ptr, key) > this.binLimit) this.flush(cpu, tc, bin, Math.ceil(this.binLimit / 2));
  }

  /** Returns all but the newest `keep` entries of a bin to the global heap, under one lock. */
  private flush(cpu: Cpu, tc: number, bin: number, keep: number): void {
    cpu.path(this.paths.flush);
    let e = this.layout.head(cpu, tc, bin);
    if (keep === 0) {
      this.layout.setHead(cpu, tc, bin, 0);
    } else {
      for (let i = 1; i < keep; i++) {
        cpu.work(WORK.flushStep);
        e = cpu.load(e, 8, ORIGIN_LINK);
      }
      const cut = e;
      e = cpu.load(cut, 8, ORIGIN_LINK);
      cpu.store(cut, 0, 8, ORIGIN_LINK);
    }
    const n = this.layout.count(cpu, tc, bin) - keep;
    this.layout.setCount(cpu, tc, bin, keep);
    this.heap.lock(cpu, this.globalHeap);
    for (let i = 0; i < n; i++) {
      cpu.work(WORK.flushStep);
      const next = cpu.load(e, 8, ORIGIN_LINK);
      this.heap.free(cpu, this.globalHeap, e, this.heap.tagOf(cpu, e));
      e = next;
    }
    this.heap.unlock(cpu, this.globalHeap);
    this.counters.add('flushes');
    this.counters.add('flushedBlocks', n);
  }

  /** Thread exit: every cached block goes back to the global heap, and the cache leaves the list. */
  threadExit(cpu: Cpu): void {
    const tc = cpu.tls;
    if (cpu.load(tc + this.layout.registeredOff) === 0) return;
    for (let bin = 0; bin < this.layout.bins; bin++) {
      if (this.layout.count(cpu, tc, bin) > 0) this.flush(cpu, tc, bin, 0);
    }
    this.heap.lock(cpu, this.globalHeap);
    let link = this.globals + G_CACHES;
    for (let c = cpu.load(link); c !== 0; link = c + this.layout.nextOff, c = cpu.load(link)) {
      if (c === tc) {
        cpu.store(link, cpu.load(tc + this.layout.nextOff));
        break;
      }
    }
    this.heap.unlock(cpu, this.globalHeap);
    cpu.store(tc + this.layout.registeredOff, 0);
  }

  usableSize(cpu: Cpu, ptr: number): number {
    return this.heap.usableSize(cpu, ptr);
  }

  /** The global heap, plus every cached block's payload as 'cached' by its thread. */
  heapWalk(cpu: Cpu): HeapRegion[] {
    const regions = walkTagHeap(cpu, this.globalHeap);
    for (let tc = cpu.load(this.globals + G_CACHES); tc !== 0; tc = cpu.load(tc + this.layout.nextOff)) {
      const owner = cpu.load(tc + this.layout.ownerOff);
      for (let bin = 0; bin < this.layout.bins; bin++) {
        const size = this.layout.blockSizeOf(bin) - TAG_BYTES;
        for (const e of this.layout.entries(cpu, tc, bin)) regions.push({ addr: e, size, kind: 'cached', owner });
      }
    }
    return regions;
  }

  examine(cpu: Cpu): string[] {
    return examineTagHeap(cpu, this.globalHeap);
  }

  describe(): ModelDescription {
    const sizeClasses = Array.from({ length: this.layout.bins }, (_, i) => ({
      index: i,
      size: this.layout.blockSizeOf(i) - TAG_BYTES,
      blockBytes: this.layout.blockSizeOf(i),
      limit: this.binLimit,
    }));
    return {
      name: 'tcache',
      summary: 'per-thread cache bins (in TLS) in front of a locked boundary-tag heap; a bin past its limit flushes its older half',
      sizeClasses,
      constants: {
        ...tagHeapConstants(this.heap),
        bins: this.layout.bins,
        binLimit: this.binLimit,
        flushKeeps: Math.ceil(this.binLimit / 2),
        cacheBytesPerThread: this.layout.bytes,
        locks: 1,
      },
      sources: [
        'NatTuck/khoury-ntuck courses/2020/01/cs3650/notes/18-advanced-malloc/notes.md (Plan A: a per-thread cache)',
        'glibc malloc/malloc.c: tcache_perthread_struct, tcache_put/tcache_get, TCACHE_MAX_BINS 64, TCACHE_FILL_COUNT 7, tcache_thread_shutdown',
        'gperftools src/thread_cache.cc: ListTooLong -> ReleaseToCentralCache (flush a batch when a list grows too long)',
      ],
    };
  }
}

export const tcacheModel: ModelInfo = {
  name: 'tcache',
  summary: 'per-thread caches in front of one locked free-list heap, flushing a bin past its limit (glibc tcache-style)',
  family: 'teaching',
  params: [
    ...TAG_HEAP_PARAMS,
    {
      name: 'bins',
      type: 'int',
      default: 64,
      min: 1,
      max: 256,
      description: 'cache bins per thread, 16 bytes apart (64 bins cache blocks up to 1040 bytes, requests up to 1024)',
      source: 'glibc malloc/malloc.c TCACHE_MAX_BINS',
    },
    {
      name: 'binLimit',
      type: 'int',
      default: 7,
      min: 1,
      max: 65535,
      description: 'blocks a bin holds; one more flushes the older half to the global heap',
      source: 'glibc malloc/malloc.c TCACHE_FILL_COUNT',
    },
  ],
  doc: 'docs/models/tcache.md',
  create: (env) => new Tcache(env),
};
