/**
 * BackendAllocator (src/snmalloc/backend/backend.h) over StandardLocalState
 * (backend/standard_range.h): the per-thread ranges that feed slabs, large objects and metadata,
 * and the process-wide ranges behind them.
 *
 *   per thread (LocalState inside the Allocator)         process-wide (static data)
 *   SmallBuddyRange -> LargeBuddyRange<21,21> -> StatsRange -> CommitRange -> LockRange
 *                                                 -> LargeBuddyRange<24,63> -> PagemapRegisterRange -> PalRange
 *
 * GlobalMetaRange, used only for the Allocator objects themselves (corealloc.h
 * ConstructAllocator::make), is a static instance of the per-thread object range behind its own lock.
 */
import type { Cpu } from '../../../machine/cpu.ts';
import type { Counters } from '../../kit/model-counters.ts';
import type { BackendStat } from './ranges.ts';
import { MIN_CHUNK_BITS, REMOTE_BACKEND_MARKER, SLAB_META_SIZE, type SnmallocConfig } from '../config.ts';
import { buddyBytes, SMALL_BUDDY_LEVELS } from '../layout.ts';
import type { Pagemap } from '../pagemap.ts';
import {
  CommitRange,
  LargeBuddyRange,
  LockRange,
  PagemapRegisterRange,
  PagemapRep,
  PalRange,
  SmallBuddyRange,
  StatsRange,
  type Range,
} from './ranges.ts';

/** Static addresses the backend needs (each lock on its own line). */
export interface BackendStatics {
  globalLock: number;
  metaLock: number;
  /** StatsRange current_usage and peak_usage (one line). */
  statsCurrent: number;
  statsPeak: number;
  /** State of the global LargeBuddyRange<24, 63>. */
  globalBuddy: number;
  /** The static ObjectRange instance of GlobalMetaRange (a LocalState-shaped block). */
  metaInstance: number;
}

/** Bytes of static state of the global LargeBuddyRange<24, 63>: 49 levels and requested_total. */
export const GLOBAL_BUDDY_BYTES = buddyBytes(63 - MIN_CHUNK_BITS) + 8;

export class Backend {
  /** The per-thread object range (its local large buddy); `base` is the LocalState address. */
  readonly objectRange: LargeBuddyRange;
  /** The per-thread metadata range (small buddy over the object range). */
  readonly metaRange: SmallBuddyRange;
  readonly globalRange: LargeBuddyRange;
  private readonly globalMeta: Range;

  constructor(
    cfg: SnmallocConfig,
    private readonly pagemap: Pagemap,
    private readonly statics: BackendStatics,
    private readonly counters: Counters<BackendStat>,
  ) {
    const pal = new PalRange(cfg, counters);
    const register = new PagemapRegisterRange(pagemap, pal);
    const pmRep = new PagemapRep(pagemap);
    this.globalRange = new LargeBuddyRange(
      {
        refillBits: cfg.globalCacheBits,
        maxBits: 63,
        minRefillBits: MIN_CHUNK_BITS,
        parentAligned: false,
        stateOff: statics.globalBuddy,
        absolute: true,
      },
      pmRep,
      register,
      counters,
      'global',
    );
    const locked = new LockRange(statics.globalLock, this.globalRange, counters, 'globalLock');
    const commit = new CommitRange(cfg, locked, counters);
    const stats = new StatsRange(statics.statsCurrent, statics.statsPeak, commit);
    const smallBytes = buddyBytes(SMALL_BUDDY_LEVELS);
    this.objectRange = new LargeBuddyRange(
      {
        refillBits: cfg.localCacheBits,
        maxBits: cfg.localCacheBits,
        minRefillBits: 12,
        parentAligned: true,
        stateOff: smallBytes,
        absolute: false,
      },
      pmRep,
      stats,
      counters,
      'local',
    );
    this.metaRange = new SmallBuddyRange(0, this.objectRange);
    this.globalMeta = new LockRange(statics.metaLock, this.metaRange, counters, 'metaLock');
  }

  /**
   * alloc_chunk: 64 B of slab metadata from the thread's small buddy, `size` bytes of chunk from
   * its object range, and the pagemap entries of every 16 KiB of the chunk set to (meta, ras).
   */
  allocChunk(cpu: Cpu, ls: number, size: number, ras: number): { chunk: number; meta: number } {
    const meta = this.metaRange.alloc(cpu, ls, SLAB_META_SIZE);
    if (meta === 0) return { chunk: 0, meta: 0 };
    const chunk = this.objectRange.alloc(cpu, ls, size);
    if (chunk === 0) {
      this.metaRange.dealloc(cpu, ls, meta, SLAB_META_SIZE);
      return { chunk: 0, meta: 0 };
    }
    this.counters.add('backend.chunksAllocated');
    this.pagemap.set(cpu, chunk, size, meta, ras);
    return { chunk, meta };
  }

  /** dealloc_chunk: entries claimed for the backend, metadata and chunk back to the thread's ranges. */
  deallocChunk(cpu: Cpu, ls: number, meta: number, chunk: number, size: number): void {
    this.counters.add('backend.chunksReturned');
    this.pagemap.set(cpu, chunk, size, 0, REMOTE_BACKEND_MARKER);
    this.metaRange.dealloc(cpu, ls, meta, SLAB_META_SIZE);
    this.objectRange.dealloc(cpu, ls, chunk, size);
  }

  /** alloc_meta_data(nullptr, size): the global meta range, for an Allocator object. */
  allocMetaGlobal(cpu: Cpu, size: number): number {
    return this.globalMeta.alloc(cpu, this.statics.metaInstance, size);
  }

  /** dealloc_meta_data: a spare tail given to a thread's metadata range. */
  deallocMeta(cpu: Cpu, ls: number, addr: number, size: number): void {
    this.metaRange.dealloc(cpu, ls, addr, size);
  }

  /** Free blocks in the global buddy and in the ranges at `bases` (heap walks, quiet Cpu). */
  freeBlocks(cpu: Cpu, bases: number[]): Array<{ addr: number; size: number }> {
    const out = this.globalRange.buddy.blocks(cpu, this.globalRange.state(0));
    for (const b of bases) {
      out.push(...this.objectRange.buddy.blocks(cpu, this.objectRange.state(b)));
      out.push(...this.metaRange.buddy.blocks(cpu, b));
    }
    return out;
  }
}
