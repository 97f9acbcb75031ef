/**
 * `glibc`: the system allocator of Debian 12, glibc 2.36's malloc (ptmalloc2), path by path.
 *
 *   malloc:  tcache (no lock) -> arena lock -> fastbin | smallbin | unsorted scan | largebin |
 *            binmap | top -> sysmalloc (mmap >= threshold | sbrk main heap | grow/new 64 MiB heap)
 *   free:    mmapped -> munmap (raising the dynamic threshold) | tcache (key check) |
 *            fastbin CAS (no lock) | owning arena's lock -> coalesce -> unsorted or top -> trim
 *
 * All state is in simulated memory: main_arena, mp_ and the globals in the model's static data,
 * `tcache` and `thread_arena` in each thread's TLS, other arenas and chunk headers in the heaps.
 * The files of this folder follow malloc.c and arena.c function by function (docs/models/glibc.md).
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { AllocatorModel, HeapRegion, ModelDescription, ModelEnv, ModelInfo } from '../kit/contract.ts';
import type { Counters } from '../kit/model-counters.ts';
import type { GlibcStat } from './state.ts';
import { CHUNK_HDR_SZ, SIZE_SZ } from './constants.ts';
import { chunksize, head, inuse, isMmapped, mem2chunk } from './chunk.ts';
import { arenaThreadFreeres, ptmallocInit } from './arena.ts';
import { libcCalloc } from './calloc.ts';
import { describeGlibc } from './describe.ts';
import { walkHeap } from './heap-walk.ts';
import { G_MULTIPLE_THREADS, G_THREADS_STARTED } from './layout.ts';
import { RELAXED } from '../../machine/memory-order.ts';
import { ORIGIN_META } from '../../machine/origin-counters.ts';
import { libcFree, libcMalloc } from './malloc.ts';
import { midMemalign } from './memalign.ts';
import { GLIBC_PARAMS } from './params.ts';
import { libcRealloc } from './realloc.ts';
import { Ptmalloc } from './state.ts';

class Glibc implements AllocatorModel {
  readonly counters: Counters<GlibcStat>;
  private readonly m: Ptmalloc;
  /**
   * Threads seen, for the heap walk only (to find each thread's tcache through its TLS, as a
   * debugger would through the thread list). The allocator itself never reads it.
   */
  private readonly threads = new Set<number>();

  constructor(env: ModelEnv) {
    this.m = new Ptmalloc(env);
    this.counters = env.counters;
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    this.threads.add(cpu.thread);
    if (align <= 16) return libcMalloc(this.m, cpu, size);
    ptmallocInit(this.m, cpu); // __libc_memalign
    return midMemalign(this.m, cpu, align, size);
  }

  free(cpu: Cpu, ptr: number): void {
    libcFree(this.m, cpu, ptr);
  }

  realloc(cpu: Cpu, ptr: number, size: number): number {
    this.threads.add(cpu.thread);
    return libcRealloc(this.m, cpu, ptr, size);
  }

  calloc(cpu: Cpu, n: number, size: number): number {
    this.threads.add(cpu.thread);
    return libcCalloc(this.m, cpu, n, size);
  }

  /** malloc_usable_size (musable, M:5120). */
  usableSize(cpu: Cpu, ptr: number): number {
    if (ptr === 0) return 0;
    const p = mem2chunk(ptr);
    if (isMmapped(head(cpu, p))) return chunksize(cpu, p) - CHUNK_HDR_SZ;
    if (inuse(cpu, p)) return chunksize(cpu, p) - CHUNK_HDR_SZ + SIZE_SZ;
    return 0;
  }

  /**
   * pthread_create: the process stops being single-threaded for good once a second thread runs
   * (glibc's header.multiple_threads / SINGLE_THREAD_P), and from then on takes locks and CASes.
   */
  threadStart(cpu: Cpu): void {
    this.threads.add(cpu.thread);
    // The process's first thread (main) initialises malloc before it creates any other: a real
    // program's runtime calls malloc before main runs (newer glibc calls ptmalloc_init from
    // __libc_early_init). Left to the first malloc of any thread, the initialisation would race
    // with the threads started meanwhile.
    if (this.threads.size === 1) ptmallocInit(this.m, cpu);
    // In glibc pthread_create sets these in the creating thread, before the new one runs; here each
    // thread's start does, concurrently with the others, so they are relaxed atomics (plain moves
    // on x86: the same cost as before, and no race for the detector).
    const n = cpu.load(this.m.g(G_THREADS_STARTED), 8, ORIGIN_META, RELAXED) + 1;
    cpu.atomicStore(this.m.g(G_THREADS_STARTED), n, RELAXED);
    if (n >= 2) cpu.atomicStore(this.m.g(G_MULTIPLE_THREADS), 1, RELAXED, 4);
  }

  /** Thread exit: __malloc_arena_thread_freeres (tcache flushed to the arenas, arena detached). */
  threadExit(cpu: Cpu): void {
    arenaThreadFreeres(this.m, cpu);
  }

  describe(): ModelDescription {
    return describeGlibc(this.m.tun, this.m.cores);
  }

  heapWalk(cpu: Cpu): HeapRegion[] {
    return walkHeap(this.m, cpu, this.threads);
  }
}

export const glibcModel: ModelInfo = {
  name: 'glibc',
  summary: 'glibc 2.36 malloc (ptmalloc2), the Debian 12 system allocator: tcache, fastbins, bins, arenas, brk/mmap, trimming',
  family: 'production',
  params: GLIBC_PARAMS,
  doc: 'docs/models/glibc.md',
  create: (env) => new Glibc(env),
};
