/**
 * `arenas`: several boundary-tag heaps ("arenas"), each with its own lock; a thread is bound to one
 * arena on its first call, round robin, and allocates only there. A free goes back to the block's
 * own arena, found from the chunk the block lives in (chunks are aligned to their size, so the
 * chunk header is one mask away), and takes that arena's lock.
 *
 *   thread 0 -> arena 0 [lock|list|chunks] -> chunks ...      free(p): chunk = p & ~(chunk-1)
 *   thread 1 -> arena 1 [lock|list|chunks] -> chunks ...               arena = chunk->heap
 *   thread 2 -> arena 2 ...                                             lock(arena), coalesce
 *
 * The course's "Plan B: multiple arenas" (18-advanced-malloc/notes.md) and glibc's design:
 * arena_get2/reused_arena bind a thread to an arena (round robin over `next_to_use` once the
 * limit is reached) and arena_for_chunk finds a block's arena from its heap's alignment
 * (malloc/arena.c). See docs/models/arenas.md.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { num } from '../../lib/params.ts';
import { BaseModel } from '../kit/base-model.ts';
import type { TagHeap } from '../shared/boundary-tags/heap.ts';
import { HEAP_STATE_BYTES } from '../shared/boundary-tags/layout.ts';
import { TAG_HEAP_PARAMS, tagHeapConstants, tagHeapFrom } from '../shared/boundary-tags/params.ts';
import { examineTagHeap, walkTagHeap } from '../shared/boundary-tags/walk.ts';
import type { HeapRegion, ModelDescription, ModelEnv, ModelInfo } from '../kit/contract.ts';
import type { TagHeapStat } from '../shared/boundary-tags/heap.ts';

/** The counters this model reports. */
export type ArenasStat = 'frees' | 'mallocs' | 'remoteFrees' | 'threadsBound' | TagHeapStat;

/** glibc's arena limit when arena_max is unset: 8 arenas per CPU (NARENAS_FROM_NCORES in malloc/malloc.c, applied by arena_get2 in malloc/arena.c). */
const ARENAS_PER_CORE = 8;
// Static data: the round-robin counter on its own line, then one line per arena.
const G_NEXT = 0;
const G_ARENAS = 64;
// TLS: the thread's arena (glibc's `thread_arena`).
const TLS_ARENA = 0;
const WORK_BIND = 10;

export class Arenas extends BaseModel<ArenasStat> {
  private readonly heap: TagHeap;
  private readonly globals: number;
  readonly arenaCount: number;

  constructor(env: ModelEnv) {
    super(env);
    this.heap = tagHeapFrom(env, 'arenas');
    const asked = num(env.params, 'arenas');
    this.arenaCount = asked === 0 ? ARENAS_PER_CORE * env.machine.spec.cores : asked;
    this.globals = env.machine.staticData(G_ARENAS + this.arenaCount * HEAP_STATE_BYTES, 'arenas.bss');
  }

  arenaAddr(i: number): number {
    return this.globals + G_ARENAS + i * HEAP_STATE_BYTES;
  }

  /** The calling thread's arena, binding it round robin on first use. */
  private arenaOf(cpu: Cpu): number {
    const a = cpu.load(cpu.tls + TLS_ARENA);
    return a !== 0 ? a : this.bind(cpu);
  }

  private bind(cpu: Cpu): number {
    cpu.work(WORK_BIND);
    const i = cpu.fetchAdd(this.globals + G_NEXT, 1) % this.arenaCount;
    const a = this.arenaAddr(i);
    cpu.store(cpu.tls + TLS_ARENA, a);
    this.counters.add('threadsBound');
    return a;
  }

  threadStart(cpu: Cpu): void {
    this.arenaOf(cpu);
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    this.counters.add('mallocs');
    if (this.heap.wantsDirect(size, align)) return this.heap.allocDirect(cpu, size, align);
    return this.heap.lockedAlloc(cpu, this.arenaOf(cpu), size, align);
  }

  free(cpu: Cpu, ptr: number): void {
    if (ptr === 0) return;
    this.counters.add('frees');
    const tag = this.heap.unmapIfDirect(cpu, ptr);
    if (tag === 0) return;
    const owner = this.heap.heapOf(cpu, ptr);
    if (owner !== cpu.load(cpu.tls + TLS_ARENA)) this.counters.add('remoteFrees');
    this.heap.lockedFree(cpu, owner, ptr, tag);
  }

  usableSize(cpu: Cpu, ptr: number): number {
    return this.heap.usableSize(cpu, ptr);
  }

  heapWalk(cpu: Cpu): HeapRegion[] {
    return Array.from({ length: this.arenaCount }, (_, i) => walkTagHeap(cpu, this.arenaAddr(i))).flat();
  }

  /** Consistency problems of every arena (tests). */
  examine(cpu: Cpu): string[] {
    return Array.from({ length: this.arenaCount }, (_, i) => examineTagHeap(cpu, this.arenaAddr(i))).flat();
  }

  describe(): ModelDescription {
    return {
      name: 'arenas',
      summary: 'one boundary-tag heap per arena, each with its own lock; threads bound round robin',
      sizeClasses: [],
      constants: { ...tagHeapConstants(this.heap), arenas: this.arenaCount, binding: 'round robin on first use', locks: this.arenaCount },
      sources: [
        'NatTuck/khoury-ntuck courses/2020/01/cs3650/notes/18-advanced-malloc/notes.md (Plan B: multiple arenas)',
        'glibc malloc/arena.c: arena_get2, reused_arena (next_to_use round robin), arena_for_chunk (heap alignment)',
        'CS:APP 3e section 9.9 (boundary tags; the per-arena heap is the freelist component)',
      ],
    };
  }
}

export const arenasModel: ModelInfo = {
  name: 'arenas',
  summary: 'several boundary-tag heaps with a lock each; threads bound to arenas round robin (glibc-style)',
  family: 'teaching',
  params: [
    ...TAG_HEAP_PARAMS,
    {
      name: 'arenas',
      type: 'int',
      default: 0,
      min: 0,
      max: 4096,
      description: "number of arenas; 0 = glibc's default limit, 8 per core of the machine",
      source: 'glibc malloc/malloc.c NARENAS_FROM_NCORES(n) = 8n on 64-bit, the limit arena_get2 (malloc/arena.c) applies',
    },
  ],
  doc: 'docs/models/arenas.md',
  create: (env) => new Arenas(env),
};
