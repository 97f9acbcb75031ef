/**
 * The bins of an arena (malloc.c M:1520-1720): the doubly linked unsorted, small and large bins
 * headed in av->bins, the binmap, unlink_chunk and the sorted insertion into a large bin with its
 * fd_nextsize / bk_nextsize skip list.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { AllocatorAbort } from '../kit/contract.ts';
import { BINMAPSHIFT, PREV_INUSE, inSmallbinRange, largebinIndex, smallbinIndex } from './constants.ts';
import {
  bk, bkNextsize, chunksize, fd, fdNextsize, head, prevSize, setBk, setBkNextsize, setFd, setFdNextsize,
} from './chunk.ts';
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

export function markBin(c: Cpu, av: number, i: number): void {
  const w = binmapWord(av, i);
  c.store(w, (c.load(w, 4) | (1 << (i & 31))) >>> 0, 4);
}

export function binmapBlock(c: Cpu, av: number, block: number): number {
  return c.load(av + AV_BINMAP + block * 4, 4);
}

export function setBinmapBlock(c: Cpu, av: number, block: number, map: number): void {
  c.store(av + AV_BINMAP + block * 4, map >>> 0, 4);
}

// ---- unlink_chunk (M:1619) ----

export function unlinkChunk(c: Cpu, p: number): void {
  const size = chunksize(c, p);
  if (size !== prevSize(c, p + size)) malloc_printerr('corrupted size vs. prev_size', p);
  const f = fd(c, p);
  const b = bk(c, p);
  if (bk(c, f) !== p || fd(c, b) !== p) malloc_printerr('corrupted double-linked list', p);
  setBk(c, f, b);
  setFd(c, b, f);
  if (inSmallbinRange(size)) return;
  const fns = fdNextsize(c, p);
  if (fns === 0) return;
  const bns = bkNextsize(c, p);
  if (bkNextsize(c, fns) !== p || fdNextsize(c, bns) !== p) malloc_printerr('corrupted double-linked list (not small)', p);
  if (fdNextsize(c, f) === 0) {
    if (fns === p) {
      setFdNextsize(c, f, f);
      setBkNextsize(c, f, f);
    } else {
      setFdNextsize(c, f, fns);
      setBkNextsize(c, f, bns);
      setBkNextsize(c, fns, f);
      setFdNextsize(c, bns, f);
    }
  } else {
    setBkNextsize(c, fns, bns);
    setFdNextsize(c, bns, fns);
  }
}

/**
 * Inserts a free chunk at the head of the unsorted bin (free, malloc_consolidate and the split
 * remainders of _int_malloc); `check` is the message of the integrity check the caller makes
 * (malloc_consolidate makes none).
 */
export function unsortedPushFront(c: Cpu, av: number, p: number, size: number, check: string | null): void {
  const bck = unsortedChunks(av);
  const fwd = fd(c, bck);
  if (check !== null && bk(c, fwd) !== bck) malloc_printerr(check, p);
  setFd(c, p, fwd);
  setBk(c, p, bck);
  if (!inSmallbinRange(size)) {
    setFdNextsize(c, p, 0);
    setBkNextsize(c, p, 0);
  }
  setFd(c, bck, p);
  setBk(c, fwd, p);
}

/**
 * "place chunk in bin" of the unsorted loop (M:4095-4160): into its small bin, or into its large
 * bin in size order (largest first, equal sizes after the first of their size, so the skip list
 * need not change), and mark the bin in the binmap.
 */
export function placeInBin(c: Cpu, av: number, victim: number, size: number): void {
  let victimIndex: number;
  let bck: number;
  let fwd: number;
  if (inSmallbinRange(size)) {
    victimIndex = smallbinIndex(size);
    bck = binAt(av, victimIndex);
    fwd = fd(c, bck);
  } else {
    victimIndex = largebinIndex(size);
    bck = binAt(av, victimIndex);
    fwd = fd(c, bck);
    if (fwd !== bck) {
      const sz = size + PREV_INUSE; // "Or with inuse bit to speed comparisons"
      if (sz < head(c, bk(c, bck))) {
        // Smaller than the smallest: goes last, and into the skip list before the first.
        fwd = bck;
        bck = bk(c, bck);
        const firstOfFwd = fd(c, fwd);
        setFdNextsize(c, victim, firstOfFwd);
        setBkNextsize(c, victim, bkNextsize(c, firstOfFwd));
        setFdNextsize(c, bkNextsize(c, victim), victim);
        setBkNextsize(c, firstOfFwd, victim);
      } else {
        while (sz < head(c, fwd)) fwd = fdNextsize(c, fwd);
        if (sz === head(c, fwd)) {
          fwd = fd(c, fwd); // always insert in the second position
        } else {
          setFdNextsize(c, victim, fwd);
          setBkNextsize(c, victim, bkNextsize(c, fwd));
          if (fdNextsize(c, bkNextsize(c, fwd)) !== fwd) malloc_printerr('malloc(): largebin double linked list corrupted (nextsize)', fwd);
          setBkNextsize(c, fwd, victim);
          setFdNextsize(c, bkNextsize(c, victim), victim);
        }
        bck = bk(c, fwd);
        if (fd(c, bck) !== fwd) malloc_printerr('malloc(): largebin double linked list corrupted (bk)', fwd);
      }
    } else {
      setFdNextsize(c, victim, victim);
      setBkNextsize(c, victim, victim);
    }
  }
  markBin(c, av, victimIndex);
  setBk(c, victim, bck);
  setFd(c, victim, fwd);
  setBk(c, fwd, victim);
  setFd(c, bck, victim);
}
