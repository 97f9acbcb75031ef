/**
 * _int_malloc (malloc.c M:3765-4410), with the arena lock held: fastbin, then small bin (both
 * refilling the tcache with same-size chunks), consolidation before a large request, the unsorted
 * bin scan (last-remainder split, exact fits cached or returned, everything else binned), best fit
 * in the request's large bin, the binmap scan of larger bins, and finally the top chunk, with one
 * consolidate-and-retry before sysmalloc.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { RELAXED } from '../../machine/memory-order.ts';
import { ORIGIN_META } from '../../machine/origin-counters.ts';
import {
  BINMAPSHIFT,
  BINMAPSIZE,
  CHUNK_HDR_SZ,
  MAX_ITERS,
  MINSIZE,
  NON_MAIN_ARENA,
  PREV_INUSE,
  checkedRequest2size,
  csize2tidx,
  fastbinIndex,
  inSmallbinRange,
  largebinIndex,
  sizeOf,
  smallbinIndex,
} from './constants.ts';
import {
  bk,
  bkNextsize,
  chunk2mem,
  chunksize,
  fd,
  head,
  prevInuse,
  prevSize,
  setBk,
  setFd,
  setFdNextsize,
  setBkNextsize,
  setFoot,
  setHead,
  setInuseBitAtOffset,
  setNonMainArena,
} from './chunk.ts';
import {
  binmapBlock,
  first,
  last,
  malloc_printerr,
  placeInBin,
  setBinmapBlock,
  unlinkChunk,
  unsortedChunks,
  unsortedPushFront,
} from './bins.ts';
import { fastbinPop, mallocConsolidate } from './fastbins.ts';
import { arenaGetRetry } from './arena.ts';
import { sysmalloc } from './sysmalloc.ts';
import { tcacheBinUsable, tcacheGet, tcacheHasRoom, tcacheOf, tcachePut } from './tcache.ts';
import {
  AV_HAVE_FASTCHUNKS,
  AV_LAST_REMAINDER,
  AV_MUTEX,
  AV_SYSTEM_MEM,
  AV_TOP,
  G_GLOBAL_MAX_FAST,
  MP_TCACHE_UNSORTED_LIMIT,
  binAt,
} from './layout.ts';
import type { Ptmalloc } from './state.ts';
import { BINS } from './check-state.ts';

/** useTop asks the caller to scan again after malloc_consolidate. */
const RETRY = -1;

/** The A bit of chunks carved for a non-main arena. */
const arenaBit = (m: Ptmalloc, av: number): number => (av === m.mainArena ? 0 : NON_MAIN_ARENA);

/** alloc_perturb: with a perturb byte, fresh allocations are filled with its complement. */
export function allocPerturb(m: Ptmalloc, cpu: Cpu, mem: number, bytes: number): number {
  const pb = m.perturbByte(cpu);
  if (pb !== 0 && mem !== 0) cpu.fill(mem, bytes, pb ^ 0xff);
  return mem;
}

/** Allocates a chunk of at least `bytes` from arena `av` (0: no usable arena, mmap only). Returns the user pointer or 0. */
export function intMalloc(m: Ptmalloc, cpu: Cpu, av: number, bytes: number): number {
  const nb = checkedRequest2size(bytes);
  if (nb === 0) return 0;
  if (av === 0) return allocPerturb(m, cpu, sysmalloc(m, cpu, nb, 0), bytes);
  m.path(cpu, '_int_malloc');
  cpu.work(12);
  if (nb <= cpu.load(m.g(G_GLOBAL_MAX_FAST))) {
    const p = fromFastbin(m, cpu, av, nb);
    if (p !== 0) return binsChecked(cpu, av, allocPerturb(m, cpu, p, bytes));
  }
  if (inSmallbinRange(nb)) {
    const p = fromSmallbin(m, cpu, av, nb);
    if (p !== 0) return binsChecked(cpu, av, allocPerturb(m, cpu, p, bytes));
  } else if (cpu.load(av + AV_HAVE_FASTCHUNKS, 4, ORIGIN_META, RELAXED) !== 0) {
    mallocConsolidate(m, cpu, av);
    m.path(cpu, '_int_malloc');
  }
  const tc = tcacheOf(cpu);
  const tcIdx = csize2tidx(nb);
  const tcacheNb = tc !== 0 && tcacheBinUsable(m, cpu, tcIdx) ? nb : 0;
  for (;;) {
    let p = unsortedScan(m, cpu, av, nb, tc, tcacheNb);
    if (p === 0 && !inSmallbinRange(nb)) p = fromLargebin(m, cpu, av, nb);
    if (p === 0) p = fromBinmap(m, cpu, av, nb);
    if (p === 0) p = useTop(m, cpu, av, nb);
    if (p !== RETRY) return binsChecked(cpu, av, allocPerturb(m, cpu, p, bytes));
  }
}

/** The arena's bins invariant (check-state.ts) as _int_malloc returns `p` from arena `av`. */
function binsChecked(cpu: Cpu, av: number, p: number): number {
  BINS.check(cpu, av);
  return p;
}

/**
 * _int_malloc on the locked arena `av`, and once more on arena_get_retry's arena if that failed;
 * then the arena is unlocked (the shape of __libc_malloc, tcache_init and __libc_calloc).
 */
export function intMallocLocked(m: Ptmalloc, cpu: Cpu, arena: number, bytes: number): number {
  let av = arena;
  let victim = intMalloc(m, cpu, av, bytes);
  if (victim === 0 && av !== 0) {
    av = arenaGetRetry(m, cpu, av, bytes);
    victim = intMalloc(m, cpu, av, bytes);
  }
  if (av !== 0) cpu.unlock(av + AV_MUTEX);
  return victim;
}

/** Step 1: pop the fastbin, then move further chunks of the size into the tcache. */
function fromFastbin(m: Ptmalloc, cpu: Cpu, av: number, nb: number): number {
  const idx = fastbinIndex(nb);
  const victim = fastbinPop(m, cpu, av, idx, 'malloc(): unaligned fastbin chunk detected 2');
  if (victim === 0) return 0;
  if (fastbinIndex(chunksize(cpu, victim)) !== idx) malloc_printerr('malloc(): memory corruption (fast)', victim);
  m.count('mallocFastbin');
  const tc = tcacheOf(cpu);
  const tcIdx = csize2tidx(nb);
  if (tc !== 0 && tcacheBinUsable(m, cpu, tcIdx)) {
    while (tcacheHasRoom(m, cpu, tc, tcIdx)) {
      const tcVictim = fastbinPop(m, cpu, av, idx, 'malloc(): unaligned fastbin chunk detected 3');
      if (tcVictim === 0) break;
      tcachePut(m, cpu, tc, tcVictim, tcIdx);
      m.count('tcacheRefills');
    }
  }
  return chunk2mem(victim);
}

/** Takes the tail of a small bin, marking it in use (and non-main) in the next chunk's P bit. */
function takeSmallbinTail(m: Ptmalloc, cpu: Cpu, av: number, bin: number, victim: number, bck: number, nb: number): void {
  setInuseBitAtOffset(cpu, victim, nb);
  if (av !== m.mainArena) setNonMainArena(cpu, victim);
  setBk(cpu, bin, bck);
  setFd(cpu, bck, bin);
}

/** Step 2: a small request takes the last chunk of its exact-size bin, and refills the tcache. */
function fromSmallbin(m: Ptmalloc, cpu: Cpu, av: number, nb: number): number {
  const bin = binAt(av, smallbinIndex(nb));
  const victim = last(cpu, bin);
  if (victim === bin) return 0;
  const bck = bk(cpu, victim);
  if (fd(cpu, bck) !== victim) malloc_printerr('malloc(): smallbin double linked list corrupted', victim);
  takeSmallbinTail(m, cpu, av, bin, victim, bck, nb);
  m.count('mallocSmallbin');
  const tc = tcacheOf(cpu);
  const tcIdx = csize2tidx(nb);
  if (tc !== 0 && tcacheBinUsable(m, cpu, tcIdx)) {
    while (tcacheHasRoom(m, cpu, tc, tcIdx)) {
      const tcVictim = last(cpu, bin);
      if (tcVictim === bin) break;
      takeSmallbinTail(m, cpu, av, bin, tcVictim, bk(cpu, tcVictim), nb);
      tcachePut(m, cpu, tc, tcVictim, tcIdx);
      m.count('tcacheRefills');
    }
  }
  return chunk2mem(victim);
}

/** The sanity checks of the unsorted loop (M:4005-4020). */
function checkUnsorted(cpu: Cpu, av: number, victim: number, bck: number, size: number): void {
  const systemMem = cpu.load(av + AV_SYSTEM_MEM);
  const next = victim + size;
  if (size <= CHUNK_HDR_SZ || size > systemMem) malloc_printerr('malloc(): invalid size (unsorted)', victim);
  const nh = head(cpu, next);
  if (nh < CHUNK_HDR_SZ || nh > systemMem) malloc_printerr('malloc(): invalid next size (unsorted)', victim);
  if (sizeOf(prevSize(cpu, next)) !== size) malloc_printerr('malloc(): mismatching next->prev_size (unsorted)', victim);
  if (fd(cpu, bck) !== victim || fd(cpu, victim) !== unsortedChunks(av))
    malloc_printerr('malloc(): unsorted double linked list corrupted', victim);
  if (prevInuse(cpu, next)) malloc_printerr('malloc(): invalid next->prev_inuse (unsorted)', victim);
}

/**
 * Step 3: walk the unsorted bin from its tail (at most MAX_ITERS chunks). A small request may split
 * the last remainder when it is the only chunk; exact fits fill the tcache (one is returned at the
 * end) or are returned; every other chunk goes to its bin.
 */
function unsortedScan(m: Ptmalloc, cpu: Cpu, av: number, nb: number, tc: number, tcacheNb: number): number {
  const unsorted = unsortedChunks(av);
  const tcIdx = csize2tidx(nb);
  let returnCached = false;
  let tcacheUnsortedCount = 0;
  let iters = 0;
  for (let victim = bk(cpu, unsorted); victim !== unsorted; victim = bk(cpu, unsorted)) {
    const bck = bk(cpu, victim);
    const size = chunksize(cpu, victim);
    checkUnsorted(cpu, av, victim, bck, size);
    cpu.work(8);
    if (inSmallbinRange(nb) && bck === unsorted && victim === cpu.load(av + AV_LAST_REMAINDER) && size > nb + MINSIZE) {
      const remainder = victim + nb;
      const rs = size - nb;
      setBk(cpu, unsorted, remainder);
      setFd(cpu, unsorted, remainder);
      cpu.store(av + AV_LAST_REMAINDER, remainder);
      setBk(cpu, remainder, unsorted);
      setFd(cpu, remainder, unsorted);
      if (!inSmallbinRange(rs)) {
        setFdNextsize(cpu, remainder, 0);
        setBkNextsize(cpu, remainder, 0);
      }
      setHead(cpu, victim, nb + PREV_INUSE + arenaBit(m, av));
      setHead(cpu, remainder, rs + PREV_INUSE);
      setFoot(cpu, remainder, rs);
      m.count('mallocLastRemainder');
      return chunk2mem(victim);
    }
    if (fd(cpu, bck) !== victim) malloc_printerr('malloc(): corrupted unsorted chunks 3', victim);
    setBk(cpu, unsorted, bck);
    setFd(cpu, bck, unsorted);
    if (size === nb) {
      setInuseBitAtOffset(cpu, victim, size);
      if (av !== m.mainArena) setNonMainArena(cpu, victim);
      if (tcacheNb !== 0 && tcacheHasRoom(m, cpu, tc, tcIdx)) {
        tcachePut(m, cpu, tc, victim, tcIdx);
        returnCached = true;
        continue;
      }
      m.count('mallocUnsortedExact');
      return chunk2mem(victim);
    }
    placeInBin(cpu, av, victim, size);
    m.count('unsortedBinned');
    ++tcacheUnsortedCount;
    if (returnCached) {
      const limit = m.mpGet(cpu, MP_TCACHE_UNSORTED_LIMIT);
      if (limit > 0 && tcacheUnsortedCount > limit) return tcacheGet(cpu, tc, tcIdx);
    }
    if (++iters >= MAX_ITERS) break;
  }
  if (returnCached) {
    m.count('mallocUnsortedCached');
    return tcacheGet(cpu, tc, tcIdx);
  }
  return 0;
}

/** Step 5: best fit in the request's own large bin, through the nextsize skip list. */
function fromLargebin(m: Ptmalloc, cpu: Cpu, av: number, nb: number): number {
  const bin = binAt(av, largebinIndex(nb));
  let victim = first(cpu, bin);
  if (victim === bin || head(cpu, victim) < nb) return 0;
  victim = bkNextsize(cpu, victim);
  let size = chunksize(cpu, victim);
  while (size < nb) {
    victim = bkNextsize(cpu, victim);
    size = chunksize(cpu, victim);
  }
  // Avoid removing the first entry for a size, so the skip list need not be rerouted.
  if (victim !== last(cpu, bin) && head(cpu, victim) === head(cpu, fd(cpu, victim))) victim = fd(cpu, victim);
  unlinkChunk(cpu, victim);
  exhaustOrSplit(m, cpu, av, victim, size, nb, 'malloc(): corrupted unsorted chunks', false);
  m.count('mallocLargebin');
  return chunk2mem(victim);
}

/**
 * A chunk taken from a bin is used whole if the rest would be below MINSIZE; otherwise the
 * remainder goes to the head of the unsorted bin (and becomes last_remainder when `advertise`).
 */
function exhaustOrSplit(
  m: Ptmalloc,
  cpu: Cpu,
  av: number,
  victim: number,
  size: number,
  nb: number,
  check: string,
  advertise: boolean,
): void {
  const rs = size - nb;
  if (rs < MINSIZE) {
    setInuseBitAtOffset(cpu, victim, size);
    if (av !== m.mainArena) setNonMainArena(cpu, victim);
    return;
  }
  const remainder = victim + nb;
  unsortedPushFront(cpu, av, remainder, rs, check);
  if (advertise) cpu.store(av + AV_LAST_REMAINDER, remainder);
  setHead(cpu, victim, nb + PREV_INUSE + arenaBit(m, av));
  setHead(cpu, remainder, rs + PREV_INUSE);
  setFoot(cpu, remainder, rs);
}

/** Step 6: the smallest chunk of the next non-empty larger bin, found through the binmap. */
function fromBinmap(m: Ptmalloc, cpu: Cpu, av: number, nb: number): number {
  const idx = (inSmallbinRange(nb) ? smallbinIndex(nb) : largebinIndex(nb)) + 1;
  let bin = binAt(av, idx);
  let block = idx >> BINMAPSHIFT;
  let map = binmapBlock(cpu, av, block);
  let bit = 2 ** (idx & 31);
  for (;;) {
    if (bit > map || bit === 0) {
      do {
        if (++block >= BINMAPSIZE) return 0;
        map = binmapBlock(cpu, av, block);
      } while (map === 0);
      bin = binAt(av, block << BINMAPSHIFT);
      bit = 1;
    }
    while ((bit & map) === 0) {
      bin += 16; // next_bin
      bit *= 2;
    }
    const victim = last(cpu, bin);
    if (victim === bin) {
      map = (map & ~bit) >>> 0; // a false alarm: clear the bit
      setBinmapBlock(cpu, av, block, map);
      bin += 16;
      bit = bit === 0x80000000 ? 0 : bit * 2;
      continue;
    }
    const size = chunksize(cpu, victim);
    unlinkChunk(cpu, victim);
    exhaustOrSplit(m, cpu, av, victim, size, nb, 'malloc(): corrupted unsorted chunks 2', inSmallbinRange(nb));
    m.count('mallocBinmap');
    return chunk2mem(victim);
  }
}

/** Step 7: split top; or consolidate fastbins and retry; or sysmalloc. */
function useTop(m: Ptmalloc, cpu: Cpu, av: number, nb: number): number {
  const victim = cpu.load(av + AV_TOP);
  const size = chunksize(cpu, victim);
  if (size > cpu.load(av + AV_SYSTEM_MEM)) malloc_printerr('malloc(): corrupted top size', victim);
  if (size >= nb + MINSIZE) {
    const remainder = victim + nb;
    cpu.store(av + AV_TOP, remainder);
    setHead(cpu, victim, nb + PREV_INUSE + arenaBit(m, av));
    setHead(cpu, remainder, size - nb + PREV_INUSE);
    m.count('mallocTop');
    return chunk2mem(victim);
  }
  if (cpu.load(av + AV_HAVE_FASTCHUNKS, 4, ORIGIN_META, RELAXED) !== 0) {
    mallocConsolidate(m, cpu, av);
    m.path(cpu, '_int_malloc');
    return RETRY;
  }
  const p = sysmalloc(m, cpu, nb, av);
  m.path(cpu, '_int_malloc');
  return p;
}
