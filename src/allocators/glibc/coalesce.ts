/**
 * The coalescing step of _int_free (malloc.c M:4598-4650), which malloc_consolidate repeats as a
 * "slightly streamlined version" (M:4760-4800): merge a free chunk with a free predecessor and a
 * free successor, then put the result at the head of the unsorted bin, or make it the new top
 * when it borders top. Caller holds the arena lock.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { PREV_INUSE } from './constants.ts';
import { chunksize, clearInuseBitAtOffset, inuseBitAtOffset, prevInuse, prevSize, setFoot, setHead } from './chunk.ts';
import { malloc_printerr, unlinkChunk, unsortedPushFront } from './bins.ts';
import { AV_TOP } from './layout.ts';
import type { Ptmalloc } from './state.ts';

/** The messages of the two callers' checks (malloc_consolidate makes no unsorted-list check). */
export interface CoalesceChecks {
  prevSize: string;
  unsorted: string | null;
}

/** Coalesces free chunk `chunk` of `chunkSize` bytes; returns the size of the merged chunk. */
export function coalesce(m: Ptmalloc, cpu: Cpu, av: number, chunk: number, chunkSize: number, checks: CoalesceChecks): number {
  let p = chunk;
  let size = chunkSize;
  const nextchunk = p + size;
  const nextsize = chunksize(cpu, nextchunk);
  cpu.work(12);
  if (!prevInuse(cpu, p)) {
    const prevsize = prevSize(cpu, p);
    size += prevsize;
    p -= prevsize;
    if (chunksize(cpu, p) !== prevsize) malloc_printerr(checks.prevSize, p);
    unlinkChunk(cpu, p);
    m.count('coalesceBackward');
  }
  if (nextchunk !== cpu.load(av + AV_TOP)) {
    if (!inuseBitAtOffset(cpu, nextchunk, nextsize)) {
      unlinkChunk(cpu, nextchunk);
      size += nextsize;
      m.count('coalesceForward');
    } else {
      clearInuseBitAtOffset(cpu, nextchunk, 0);
    }
    unsortedPushFront(cpu, av, p, size, checks.unsorted);
    setHead(cpu, p, size + PREV_INUSE);
    setFoot(cpu, p, size);
  } else {
    size += nextsize;
    setHead(cpu, p, size + PREV_INUSE);
    cpu.store(av + AV_TOP, p);
    m.count('mergeIntoTop');
  }
  return size;
}
