/**
 * The process-wide context of the model: the addresses of glibc's statics (main_arena, mp_ and the
 * small globals of malloc.c and arena.c, all in the model's static data), the tunables ptmalloc_init
 * writes into them, the counters and the names of the code paths. Everything mutable is in simulated
 * memory; this object holds only addresses, constants and ids.
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { Counters } from '../kit/model-counters.ts';
import type { ModelEnv } from '../kit/contract.ts';
import { S_MAIN_ARENA, S_MP, STATIC_SIZE, G_MULTIPLE_THREADS, G_PERTURB_BYTE } from './layout.ts';
import { tunablesOf, type Tunables } from './params.ts';
import { RELAXED } from '../../machine/memory-order.ts';
import { ORIGIN_META } from '../../machine/origin-counters.ts';

/** The counters this model reports (as mimalloc's mi_stat_* fields): a misspelt name fails to compile. */
export type GlibcStat =
  | 'arenaRetries'
  | 'arenaReuseWaits'
  | 'arenasCreated'
  | 'arenasFromFreeList'
  | 'arenasReused'
  | 'brkGrowths'
  | 'callocClearShortened'
  | 'callocClearSkipped'
  | 'coalesceBackward'
  | 'coalesceForward'
  | 'fastbinCas'
  | 'freeFastbin'
  | 'freeLockedOtherArena'
  | 'freeNormal'
  | 'freeTcache'
  | 'heapMprotects'
  | 'heapShrinks'
  | 'heapsAdded'
  | 'heapsCreated'
  | 'heapsUnmapped'
  | 'mallocBinmap'
  | 'mallocConsolidate'
  | 'mallocFastbin'
  | 'mallocLargebin'
  | 'mallocLastRemainder'
  | 'mallocSmallbin'
  | 'mallocTcache'
  | 'mallocTop'
  | 'mallocUnsortedCached'
  | 'mallocUnsortedExact'
  | 'memaligns'
  | 'mergeIntoTop'
  | 'mmapThresholdBytes'
  | 'mmapThresholdRaised'
  | 'mmappedChunks'
  | 'mremappedChunks'
  | 'munmappedChunks'
  | 'outOfMemory'
  | 'reallocIntoNext'
  | 'reallocIntoTop'
  | 'reallocMoved'
  | 'reallocs'
  | 'sysmalloc'
  | 'systrimBytes'
  | 'systrims'
  | 'tcacheInit'
  | 'tcacheKeyMatches'
  | 'tcacheRefills'
  | 'tcacheShutdownFrees'
  | 'unsortedBinned';

const PATHS = [
  'tcache_get',
  'tcache_put',
  'tcache_init',
  '_int_malloc',
  'sysmalloc',
  'sysmalloc_mmap',
  '_int_free',
  '_int_free_fast',
  'malloc_consolidate',
  'systrim',
  'heap_trim',
  'munmap_chunk',
  'mremap_chunk',
  'arena_get2',
  '_int_realloc',
  '_int_memalign',
  'calloc_clear',
  'thread_freeres',
] as const;
export type PathName = (typeof PATHS)[number];

export class Ptmalloc {
  /** Base of the model's static data. */
  readonly st: number;
  /** &main_arena. */
  readonly mainArena: number;
  /** &mp_. */
  readonly mp: number;
  readonly counters: Counters<GlibcStat>;
  readonly tun: Tunables;
  /** CPUs the process may run on (__get_nprocs_sched), for the arena limit. */
  readonly cores: number;
  private readonly pathIds: Record<PathName, number>;

  constructor(env: ModelEnv) {
    this.st = env.machine.staticData(STATIC_SIZE, 'glibc.bss');
    this.mainArena = this.st + S_MAIN_ARENA;
    this.mp = this.st + S_MP;
    this.counters = env.counters;
    this.tun = tunablesOf(env.params);
    this.cores = env.machine.spec.cores;
    const ids = {} as Record<PathName, number>;
    for (const p of PATHS) ids[p] = env.machine.paths.id(`glibc::${p}`);
    this.pathIds = ids;
  }

  /** Address of a global (a G_* or S_* offset). */
  g(off: number): number {
    return this.st + off;
  }

  /** An int or word field of mp_. */
  mpGet(cpu: Cpu, off: number, size: 4 | 8 = 8): number {
    return cpu.load(this.mp + off, size);
  }

  mpSet(cpu: Cpu, off: number, v: number, size: 4 | 8 = 8): void {
    cpu.store(this.mp + off, v, size);
  }

  /** SINGLE_THREAD_P: no second thread has been started yet (then no lock and no CAS is taken). */
  singleThread(cpu: Cpu): boolean {
    return cpu.load(this.g(G_MULTIPLE_THREADS), 4, ORIGIN_META, RELAXED) === 0;
  }

  perturbByte(cpu: Cpu): number {
    return cpu.load(this.g(G_PERTURB_BYTE), 4);
  }

  /** Enters a named code path for the per-path profile. */
  path(cpu: Cpu, p: PathName): void {
    cpu.path(this.pathIds[p]);
  }

  count(name: GlibcStat, delta = 1): void {
    this.counters.add(name, delta);
  }
}
