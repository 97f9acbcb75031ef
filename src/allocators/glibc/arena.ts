/**
 * Arenas (malloc/arena.c): ptmalloc_init, malloc_init_state, and how a thread gets its arena:
 * arena_get (the thread's bound arena, locked), arena_get2 (the free list of arenas whose threads
 * exited, else a new arena while below the limit, else reused_arena: round-robin trylock, blocking
 * on one when all are busy), the thread exit hook that detaches a thread, and arena_for_chunk.
 */
import type { Cpu } from '../../machine/cpu.ts';
import {
  ARENAS_PER_CORE,
  HEAP_MAX_SIZE,
  MALLOC_ALIGNMENT,
  NBINS,
  NON_MAIN_ARENA,
  PREV_INUSE,
  csize2tidx,
  maxFastFor,
  request2size,
} from './constants.ts';
import { chunk2mem, flag, setHead } from './chunk.ts';
import { newHeap } from './heap.ts';
import {
  AV_ATTACHED_THREADS,
  AV_FLAGS,
  AV_HAVE_FASTCHUNKS,
  AV_MAX_SYSTEM_MEM,
  AV_MUTEX,
  AV_NEXT,
  AV_NEXT_FREE,
  AV_SYSTEM_MEM,
  AV_TOP,
  CH_BK,
  CH_FD,
  G_ALIGNED_HEAP_AREA,
  G_FREE_LIST,
  G_GLOBAL_MAX_FAST,
  G_INITIALIZED,
  G_MAY_SHRINK_HEAP,
  G_NARENAS,
  G_NARENAS_LIMIT,
  G_NEXT_TO_USE,
  G_PERTURB_BYTE,
  G_TCACHE_KEY,
  HEAP_INFO_SIZE,
  HI_AR_PTR,
  HI_SIZE,
  MALLOC_STATE_SIZE,
  MP_ARENA_MAX,
  MP_ARENA_TEST,
  MP_MMAP_THRESHOLD,
  MP_N_MMAPS_MAX,
  MP_NO_DYN_THRESHOLD,
  MP_TCACHE_BINS,
  MP_TCACHE_COUNT,
  MP_TCACHE_MAX_BYTES,
  MP_TCACHE_UNSORTED_LIMIT,
  MP_SIZE,
  MP_TOP_PAD,
  MP_TRIM_THRESHOLD,
  NONCONTIGUOUS_BIT,
  S_FREE_LIST_LOCK,
  S_LIST_LOCK,
  S_MP,
  TLS_THREAD_ARENA,
  binAt,
} from './layout.ts';
import { tcacheThreadShutdown } from './tcache.ts';
import type { Ptmalloc } from './state.ts';

/** heap_for_ptr: non-main heaps are aligned to HEAP_MAX_SIZE. */
export function heapForPtr(p: number): number {
  return Math.floor(p / HEAP_MAX_SIZE) * HEAP_MAX_SIZE;
}

/** arena_for_chunk: main_arena unless the A bit is set, then the heap_info's ar_ptr. */
export function arenaForChunk(m: Ptmalloc, cpu: Cpu, p: number, head: number): number {
  return flag(head, NON_MAIN_ARENA) ? cpu.load(heapForPtr(p) + HI_AR_PTR) : m.mainArena;
}

export const threadArena = (cpu: Cpu): number => cpu.load(cpu.tls + TLS_THREAD_ARENA);

/** malloc_init_state (M:1954): circular empty bins, contiguity, max_fast, no fastchunks, initial top. */
export function mallocInitState(m: Ptmalloc, cpu: Cpu, av: number): void {
  for (let i = 1; i < NBINS; i++) {
    const bin = binAt(av, i);
    cpu.store(bin + CH_FD, bin);
    cpu.store(bin + CH_BK, bin);
  }
  if (av !== m.mainArena) cpu.store(av + AV_FLAGS, cpu.load(av + AV_FLAGS, 4) | NONCONTIGUOUS_BIT, 4);
  cpu.store(av + AV_HAVE_FASTCHUNKS, 0, 4);
  cpu.store(av + AV_TOP, binAt(av, 1));
}

/**
 * ptmalloc_init (arena.c A:313), run by the first malloc of the process: the tcache key from
 * getrandom, the calling thread bound to main_arena, main_arena initialised, the static
 * initialisers of main_arena, mp_ and narenas, and the tunables (elf/dl-tunables.list).
 */
export function ptmallocInit(m: Ptmalloc, cpu: Cpu): void {
  if (cpu.load(m.g(G_INITIALIZED), 1) !== 0) return;
  cpu.store(m.g(G_INITIALIZED), 1, 1);
  // Races glibc has by design, declared to the race detector (docs/models/glibc.md, "Races"):
  // __libc_free raises mp_.mmap_threshold and trim_threshold without a lock (M:3363) while other
  // threads read mp_; arena_get2 reads narenas and reads and sets narenas_limit unlocked (A:900).
  const race = cpu.machine.race;
  if (race !== null) {
    race.benign(m.g(S_MP), MP_SIZE);
    race.benign(m.g(G_NARENAS), 8);
    race.benign(m.g(G_NARENAS_LIMIT), 8);
    // get_free_list tests free_list before taking free_list_lock (A:740), then re-reads it locked.
    race.benign(m.g(G_FREE_LIST), 8);
    // new_heap reads and clears aligned_heap_area without a lock (A:476).
    race.benign(m.g(G_ALIGNED_HEAP_AREA), 8);
  }
  // tcache_key_initialize: 8 bytes of getrandom; memory words are exact to 2^53, so 53 bits are kept.
  cpu.store(m.g(G_TCACHE_KEY), (cpu.getrandom() & 0x1fffff) * 4294967296 + cpu.random32());
  const av = m.mainArena;
  cpu.store(cpu.tls + TLS_THREAD_ARENA, av);
  cpu.store(av + AV_NEXT, av);
  cpu.store(av + AV_ATTACHED_THREADS, 1);
  cpu.store(m.g(G_NARENAS), 1);
  mallocInitState(m, cpu, av);
  const t = m.tun;
  cpu.store(m.g(G_GLOBAL_MAX_FAST), maxFastFor(t.mxfast));
  m.mpSet(cpu, MP_TOP_PAD, t.topPad);
  m.mpSet(cpu, MP_MMAP_THRESHOLD, t.mmapThreshold);
  m.mpSet(cpu, MP_TRIM_THRESHOLD, t.trimThreshold);
  m.mpSet(cpu, MP_N_MMAPS_MAX, t.mmapMax, 4);
  m.mpSet(cpu, MP_NO_DYN_THRESHOLD, t.noDynThreshold ? 1 : 0, 4);
  m.mpSet(cpu, MP_ARENA_MAX, t.arenaMax);
  m.mpSet(cpu, MP_ARENA_TEST, t.arenaTest);
  m.mpSet(cpu, MP_TCACHE_COUNT, t.tcacheCount);
  m.mpSet(cpu, MP_TCACHE_MAX_BYTES, t.tcacheMax);
  m.mpSet(cpu, MP_TCACHE_BINS, csize2tidx(request2size(t.tcacheMax)) + 1);
  m.mpSet(cpu, MP_TCACHE_UNSORTED_LIMIT, t.tcacheUnsortedLimit);
  cpu.store(m.g(G_PERTURB_BYTE), t.perturb, 4);
  cpu.store(m.g(G_MAY_SHRINK_HEAP), t.mayShrinkHeap ? 1 : 0, 4);
}

/** arena_get: the thread's arena, locked; arena_get2 when the thread has none yet. Returns 0 if none. */
export function arenaGet(m: Ptmalloc, cpu: Cpu, size: number): number {
  const a = threadArena(cpu);
  if (a !== 0) {
    cpu.lock(a + AV_MUTEX);
    return a;
  }
  return arenaGet2(m, cpu, size, 0);
}

/** detach_arena: one thread fewer attached (free_list_lock held). */
function detachArena(cpu: Cpu, replaced: number): void {
  if (replaced !== 0) cpu.store(replaced + AV_ATTACHED_THREADS, cpu.load(replaced + AV_ATTACHED_THREADS) - 1);
}

/** arena_get2 (A:924): free list, then a new arena below the limit, then reused_arena. Returns it locked. */
export function arenaGet2(m: Ptmalloc, cpu: Cpu, size: number, avoid: number): number {
  m.path(cpu, 'arena_get2');
  const a = getFreeList(m, cpu);
  if (a !== 0) return a;
  let limit = cpu.load(m.g(G_NARENAS_LIMIT));
  if (limit === 0) {
    const arenaMax = m.mpGet(cpu, MP_ARENA_MAX);
    if (arenaMax !== 0) limit = arenaMax;
    else if (cpu.load(m.g(G_NARENAS)) > m.mpGet(cpu, MP_ARENA_TEST)) limit = ARENAS_PER_CORE * m.cores;
    if (limit !== 0) cpu.store(m.g(G_NARENAS_LIMIT), limit);
  }
  for (;;) {
    const n = cpu.atomicLoad(m.g(G_NARENAS));
    // `n <= narenas_limit - 1` in size_t: with no limit yet (0) the subtraction wraps and it always holds.
    if (limit !== 0 && n > limit - 1) return reusedArena(m, cpu, avoid);
    if (!cpu.cas(m.g(G_NARENAS), n, n + 1)) continue;
    const na = intNewArena(m, cpu, size);
    if (na === 0) cpu.fetchAdd(m.g(G_NARENAS), -1);
    return na;
  }
}

/** _int_new_arena (A:735): a new heap holding heap_info, the arena and its top; linked, bound, locked. */
function intNewArena(m: Ptmalloc, cpu: Cpu, size: number): number {
  const overhead = HEAP_INFO_SIZE + MALLOC_STATE_SIZE + MALLOC_ALIGNMENT;
  const topPad = m.mpGet(cpu, MP_TOP_PAD);
  let h = newHeap(m, cpu, size + overhead, topPad);
  if (h === 0) h = newHeap(m, cpu, overhead, topPad);
  if (h === 0) return 0;
  const a = h + HEAP_INFO_SIZE;
  cpu.store(h + HI_AR_PTR, a);
  mallocInitState(m, cpu, a);
  cpu.store(a + AV_ATTACHED_THREADS, 1);
  const hsize = cpu.load(h + HI_SIZE);
  cpu.store(a + AV_SYSTEM_MEM, hsize);
  cpu.store(a + AV_MAX_SYSTEM_MEM, hsize);
  let ptr = a + MALLOC_STATE_SIZE;
  const misalign = chunk2mem(ptr) % MALLOC_ALIGNMENT;
  if (misalign > 0) ptr += MALLOC_ALIGNMENT - misalign;
  cpu.store(a + AV_TOP, ptr);
  setHead(cpu, ptr, h + hsize - ptr + PREV_INUSE);
  const replaced = threadArena(cpu);
  cpu.store(cpu.tls + TLS_THREAD_ARENA, a);
  cpu.lock(m.g(S_LIST_LOCK));
  cpu.store(a + AV_NEXT, cpu.load(m.mainArena + AV_NEXT));
  cpu.store(m.mainArena + AV_NEXT, a);
  cpu.unlock(m.g(S_LIST_LOCK));
  cpu.lock(m.g(S_FREE_LIST_LOCK));
  detachArena(cpu, replaced);
  cpu.unlock(m.g(S_FREE_LIST_LOCK));
  cpu.lock(a + AV_MUTEX);
  m.count('arenasCreated');
  return a;
}

/** get_free_list (A:800): an arena whose threads all exited, attached to this thread and locked. */
function getFreeList(m: Ptmalloc, cpu: Cpu): number {
  const replaced = threadArena(cpu);
  let result = cpu.load(m.g(G_FREE_LIST));
  if (result === 0) return 0;
  cpu.lock(m.g(S_FREE_LIST_LOCK));
  result = cpu.load(m.g(G_FREE_LIST));
  if (result !== 0) {
    cpu.store(m.g(G_FREE_LIST), cpu.load(result + AV_NEXT_FREE));
    cpu.store(result + AV_ATTACHED_THREADS, 1);
    detachArena(cpu, replaced);
  }
  cpu.unlock(m.g(S_FREE_LIST_LOCK));
  if (result !== 0) {
    cpu.lock(result + AV_MUTEX);
    cpu.store(cpu.tls + TLS_THREAD_ARENA, result);
    m.count('arenasFromFreeList');
  }
  return result;
}

/** remove_from_free_list (free_list_lock held). */
function removeFromFreeList(m: Ptmalloc, cpu: Cpu, arena: number): void {
  let previous = m.g(G_FREE_LIST);
  for (let p = cpu.load(previous); p !== 0; p = cpu.load(p + AV_NEXT_FREE)) {
    if (p === arena) {
      cpu.store(previous, cpu.load(p + AV_NEXT_FREE));
      return;
    }
    previous = p + AV_NEXT_FREE;
  }
}

/**
 * reused_arena (A:863): from the static next_to_use, trylock each arena in turn and take the first
 * that is free; if all are busy, block on the next in line. The thread is bound to it.
 */
function reusedArena(m: Ptmalloc, cpu: Cpu, avoid: number): number {
  m.count('arenasReused');
  let next = cpu.load(m.g(G_NEXT_TO_USE));
  if (next === 0) {
    next = m.mainArena;
    cpu.store(m.g(G_NEXT_TO_USE), next);
  }
  let result = next;
  let locked = false;
  do {
    if (cpu.tryLock(result + AV_MUTEX)) {
      locked = true;
      break;
    }
    result = cpu.load(result + AV_NEXT);
  } while (result !== next);
  if (!locked) {
    if (result === avoid) result = cpu.load(result + AV_NEXT);
    m.count('arenaReuseWaits');
    cpu.lock(result + AV_MUTEX);
  }
  const replaced = threadArena(cpu);
  cpu.lock(m.g(S_FREE_LIST_LOCK));
  detachArena(cpu, replaced);
  removeFromFreeList(m, cpu, result);
  cpu.store(result + AV_ATTACHED_THREADS, cpu.load(result + AV_ATTACHED_THREADS) + 1);
  cpu.unlock(m.g(S_FREE_LIST_LOCK));
  cpu.store(cpu.tls + TLS_THREAD_ARENA, result);
  cpu.store(m.g(G_NEXT_TO_USE), cpu.load(result + AV_NEXT));
  return result;
}

/**
 * arena_get_retry (A:985): after a failed allocation, the main arena for a thread arena, or
 * another arena (arena_get2 avoiding this one) for the main arena. Takes the arena lock.
 */
export function arenaGetRetry(m: Ptmalloc, cpu: Cpu, av: number, bytes: number): number {
  m.count('arenaRetries');
  cpu.unlock(av + AV_MUTEX);
  if (av !== m.mainArena) {
    cpu.lock(m.mainArena + AV_MUTEX);
    return m.mainArena;
  }
  return arenaGet2(m, cpu, bytes, av);
}

/**
 * __malloc_arena_thread_freeres (A:1000), run at thread exit: flush the tcache, then detach from
 * the arena; the last thread to leave puts it on the free list for the next new thread.
 */
export function arenaThreadFreeres(m: Ptmalloc, cpu: Cpu): void {
  m.path(cpu, 'thread_freeres');
  tcacheThreadShutdown(m, cpu);
  const a = threadArena(cpu);
  cpu.store(cpu.tls + TLS_THREAD_ARENA, 0);
  if (a === 0) return;
  cpu.lock(m.g(S_FREE_LIST_LOCK));
  const n = cpu.load(a + AV_ATTACHED_THREADS) - 1;
  cpu.store(a + AV_ATTACHED_THREADS, n);
  if (n === 0) {
    cpu.store(a + AV_NEXT_FREE, cpu.load(m.g(G_FREE_LIST)));
    cpu.store(m.g(G_FREE_LIST), a);
  }
  cpu.unlock(m.g(S_FREE_LIST_LOCK));
}
