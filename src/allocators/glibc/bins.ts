/**
 * The bins of an arena (malloc.c M:1520-1720): the doubly linked unsorted, small and large bins
 * headed in av->bins, the binmap, unlink_chunk and the sorted insertion into a large bin with its
 * fd_nextsize / bk_nextsize skip list.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { AllocatorAbort } from '../kit/contract.ts';
import { BINMAPSHIFT, PREV_INUSE, inSmallbinRange, largebinIndex, smallbinIndex } from './constants.ts';
import { bk, bkNextsize, chunksize, fd, fdNextsize, head, prevSize, setBk, setBkNextsize, setFd, setFdNextsize } from './chunk.ts';
import { AV_BINMAP, binAt } from './layout.ts';

/** malloc_printerr: glibc prints the message and aborts; the model throws it. */
export function malloc_printerr(msg: string, addr = 0): never {
  throw new AllocatorAbort(msg, addr);
}

export const unsortedChunks = (av: number): number => binAt(av, 1);
/** first(b) = b->fd, last(b) = b->bk. */
export const first = fd;
export const last = bk;

// ---- binmap (M:1700-1720): 32-bit words, bits set when a chunk is binned, cleared lazily ----

function binmapWord(av: number, i: number): number {
  return av + AV_BINMAP + (i >> BINMAPSHIFT) * 4;
}

export function markBin(cpu: Cpu, av: number, i: number): void {
  const w = binmapWord(av, i);
  cpu.store(w, (cpu.load(w, 4) | (1 << (i & 31))) >>> 0, 4);
}

export function binmapBlock(cpu: Cpu, av: number, block: number): number {
  return cpu.load(av + AV_BINMAP + block * 4, 4);
}

export function setBinmapBlock(cpu: Cpu, av: number, block: number, map: number): void {
  cpu.store(av + AV_BINMAP + block * 4, map >>> 0, 4);
}

// ---- unlink_chunk (M:1619) ----

export function unlinkChunk(cpu: Cpu, p: number): void {
  const size = chunksize(cpu, p);
  if (size !== prevSize(cpu, p + size)) malloc_printerr('corrupted size vs. prev_size', p);
  const f = fd(cpu, p);
  const b = bk(cpu, p);
  if (bk(cpu, f) !== p || fd(cpu, b) !== p) malloc_printerr('corrupted double-linked list', p);
  setBk(cpu, f, b);
  setFd(cpu, b, f);
  if (inSmallbinRange(size)) return;
  const fns = fdNextsize(cpu, p);
  if (fns === 0) return;
  const bns = bkNextsize(cpu, p);
  if (bkNextsize(cpu, fns) !== p || fdNextsize(cpu, bns) !== p) malloc_printerr('corrupted double-linked list (not small)', p);
  if (fdNextsize(cpu, f) === 0) {
    if (fns === p) {
      setFdNextsize(cpu, f, f);
      setBkNextsize(cpu, f, f);
    } else {
      setFdNextsize(cpu, f, fns);
      setBkNextsize(cpu, f, bns);
      setBkNextsize(cpu, fns, f);
      setFdNextsize(cpu, bns, f);
    }
  } else {
    setBkNextsize(cpu, fns, bns);
    setFdNextsize(cpu, bns, fns);
  }
}

/**
 * Inserts a free chunk at the head of the unsorted bin (free, malloc_consolidate and the split
 * remainders of _int_malloc); `check` is the message of the integrity check the caller makes
 * (malloc_consolidate makes none).
 */
export function unsortedPushFront(cpu: Cpu, av: number, p: number, size: number, check: string | null): void {
  const bck = unsortedChunks(av);
  const fwd = fd(cpu, bck);
  if (check !== null && bk(cpu, fwd) !== bck) malloc_printerr(check, p);
  setFd(cpu, p, fwd);
  setBk(cpu, p, bck);
  if (!inSmallbinRange(size)) {
    setFdNextsize(cpu, p, 0);
    setBkNextsize(cpu, p, 0);
  }
  setFd(cpu, bck, p);
  setBk(cpu, fwd, p);
}

/**
 * "place chunk in bin" of the unsorted loop (M:4095-4160): into its small bin, or into its large
 * bin in size order (largest first, equal sizes after the first of their size, so the skip list
 * need not change), and mark the bin in the binmap.
 */
export function placeInBin(cpu: Cpu, av: number, victim: number, size: number): void {
  let victimIndex: number;
  let bck: number;
  let fwd: number;
  if (inSmallbinRange(size)) {
    victimIndex = smallbinIndex(size);
    bck = binAt(av, victimIndex);
    fwd = fd(cpu, bck);
  } else {
    victimIndex = largebinIndex(size);
    bck = binAt(av, victimIndex);
    fwd = fd(cpu, bck);
    if (fwd !== bck) {
      const sz = size + PREV_INUSE; // "Or with inuse bit to speed comparisons"
      if (sz < head(cpu, bk(cpu, bck))) {
        // Smaller than the smallest: goes last, and into the skip list before the first.
        fwd = bck;
        bck = bk(cpu, bck);
        const firstOfFwd = fd(cpu, fwd);
        setFdNextsize(cpu, victim, firstOfFwd);
        setBkNextsize(cpu, victim, bkNextsize(cpu, firstOfFwd));
        setFdNextsize(cpu, bkNextsize(cpu, victim), victim);
        setBkNextsize(cpu, firstOfFwd, victim);
      } else {
        while (sz < head(cpu, fwd)) fwd = fdNextsize(cpu, fwd);
        if (sz === head(cpu, fwd)) {
          fwd = fd(cpu, fwd); // always insert in the second position
        } else {
          setFdNextsize(cpu, victim, fwd);
          setBkNextsize(cpu, victim, bkNextsize(cpu, fwd));
          if (fdNextsize(cpu, bkNextsize(cpu, fwd)) !== fwd)
            malloc_printerr('malloc(): largebin double linked list corrupted (nextsize)', fwd);
          setBkNextsize(cpu, fwd, victim);
          setFdNextsize(cpu, bkNextsize(cpu, victim), victim);
        }
        bck = bk(cpu, fwd);
        if (fd(cpu, bck) !== fwd) malloc_printerr('malloc(): largebin double linked list corrupted (bk)', fwd);
      }
    } else {
      setFdNextsize(cpu, victim, victim);
      setBkNextsize(cpu, victim, victim);
    }
  }
  markBin(cpu, av, victimIndex);
  setBk(cpu, victim, bck);
  setFd(cpu, victim, fwd);
  setBk(cpu, fwd, victim);
  setFd(cpu, bck, victim);
}
