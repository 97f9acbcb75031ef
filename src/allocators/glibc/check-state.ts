/**
 * The bins part of malloc.c's MALLOC_DEBUG checks (M:2074-2393) as the model's debug invariant
 * (src/allocators/shared/invariants.ts): do_check_malloc_state's walk of the fastbins and of the
 * unsorted, small and large bins, with do_check_free_chunk / do_check_inuse_chunk on each chunk.
 * glibc calls do_check_malloc_state in sysmalloc and systrim and checks the chunk it hands out or
 * takes back in every malloc and free; the model checks the arena's bins at every return of
 * _int_malloc and in _int_free after a fastbin push or a free into the bins, so a corrupted bin is
 * reported at the next operation on the arena's bins.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { hex } from '../../sim/hex.ts';
import { Invariant } from '../shared/invariants.ts';
import { bk, bkNextsize, chunksize, fd, fdNextsize, head, inuse, prevSize } from './chunk.ts';
import { BINMAPSHIFT, MINSIZE, NBINS, NFASTBINS, PREV_INUSE, binIndex, fastbinIndex, inSmallbinRange, protectPtr } from './constants.ts';
import { AV_BINMAP, AV_FLAGS, AV_SYSTEM_MEM, AV_TOP, CH_FD, NONCONTIGUOUS_BIT, binAt, fastbinAddr } from './layout.ts';

/** Chunks one list may hold before its walk counts as a cycle (far above any arena the suite builds). */
const LIST_LIMIT = 1 << 20;

/** The arena's bins at `av` (the second argument is unused). */
export const BINS = new Invariant('glibc bins', (cpu, av) => stateProblem(cpu, av));

interface Bounds {
  top: number;
  /** do_check_chunk's [min_address, top) for a contiguous arena, else null. */
  min: number | null;
}

function stateProblem(cpu: Cpu, av: number): string | null {
  const top = cpu.load(av + AV_TOP);
  if (top === 0) return 'av->top is null';
  if (top === binAt(av, 1)) return null; // initial_top: nothing allocated yet
  const contiguous = (cpu.load(av + AV_FLAGS, 4) & NONCONTIGUOUS_BIT) === 0;
  const b: Bounds = { top, min: contiguous ? top + chunksize(cpu, top) - cpu.load(av + AV_SYSTEM_MEM) : null };
  for (let i = 0; i < NFASTBINS; i++) {
    const problem = fastbinProblem(cpu, av, i, b);
    if (problem !== null) return problem;
  }
  for (let i = 1; i < NBINS; i++) {
    const problem = binProblem(cpu, av, i, b);
    if (problem !== null) return problem;
  }
  if (chunksize(cpu, top) < MINSIZE) return `the top chunk ${hex(top)} is smaller than MINSIZE`;
  if ((head(cpu, top) & PREV_INUSE) === 0) return `the top chunk ${hex(top)} does not mark its predecessor in use`;
  return null;
}

/** do_check_chunk's address test (contiguous arenas). */
function outside(p: number, size: number, b: Bounds): boolean {
  return b.min !== null && (p < b.min || p + size > b.top);
}

function fastbinProblem(cpu: Cpu, av: number, i: number, b: Bounds): string | null {
  let n = 0;
  for (let p = cpu.load(fastbinAddr(av, i)); p !== 0; p = protectPtr(p + CH_FD, cpu.load(p + CH_FD))) {
    const where = `fastbin ${i}: chunk ${hex(p)}`;
    if (p % 16 !== 0) return `${where} is unaligned`;
    if (++n > LIST_LIMIT) return `fastbin ${i} does not end (a cycle)`;
    const size = chunksize(cpu, p);
    if (outside(p, size, b)) return `${where} lies outside the arena's heap`;
    if (fastbinIndex(size) !== i) return `${where} has size ${size}, which belongs in fastbin ${fastbinIndex(size)}`;
    if (!inuse(cpu, p)) return `${where} does not claim to be in use`;
  }
  return null;
}

function binProblem(cpu: Cpu, av: number, i: number, b: Bounds): string | null {
  const bin = binAt(av, i);
  const name = i === 1 ? 'the unsorted bin' : `bin ${i}`;
  if (i >= 2) {
    const bit = (cpu.load(av + AV_BINMAP + (i >> BINMAPSHIFT) * 4, 4) >>> (i & 31)) & 1;
    if (bit === 0 && bk(cpu, bin) !== bin) return `${name} is not empty but its binmap bit is clear`;
  }
  let n = 0;
  for (let p = bk(cpu, bin); p !== bin; p = bk(cpu, p)) {
    if (++n > LIST_LIMIT || p === 0) return `${name} does not lead back to its head (a cycle or a null link)`;
    const where = `${name}: chunk ${hex(p)}`;
    const size = chunksize(cpu, p);
    const problem = freeChunkProblem(cpu, p, size, b);
    if (problem !== null) return `${where}: ${problem}`;
    if (i >= 2) {
      if (binIndex(size) !== i) return `${where} has size ${size}, which belongs in bin ${binIndex(size)}`;
      const back = bk(cpu, p);
      if (back !== bin && chunksize(cpu, back) < size) return `${where}: the list is not sorted (${size} after ${chunksize(cpu, back)})`;
      if (!inSmallbinRange(size)) {
        const nextsize = nextsizeProblem(cpu, bin, p, size);
        if (nextsize !== null) return `${where}: ${nextsize}`;
      }
    } else if (!inSmallbinRange(size) && (fdNextsize(cpu, p) !== 0 || bkNextsize(cpu, p) !== 0)) {
      return `${where} is unsorted but has nextsize links`;
    }
  }
  return null;
}

/** do_check_free_chunk: free, consolidated, its footer matching, its links leading back to it. */
function freeChunkProblem(cpu: Cpu, p: number, size: number, b: Bounds): string | null {
  if (outside(p, size, b)) return "it lies outside the arena's heap";
  if (size < MINSIZE || size % 16 !== 0) return `its size ${size} is not a legal chunk size`;
  if (inuse(cpu, p)) return 'it claims to be in use';
  const next = p + size;
  if (prevSize(cpu, next) !== size) return `the next chunk's prev_size is ${prevSize(cpu, next)}, not ${size}`;
  if ((head(cpu, p) & PREV_INUSE) === 0) return 'its predecessor is free too (not consolidated)';
  if (next !== b.top && !inuse(cpu, next)) return 'its successor is free too (not consolidated)';
  const f = fd(cpu, p);
  const k = bk(cpu, p);
  if (bk(cpu, f) !== p) return `fd->bk is ${hex(bk(cpu, f))}, not the chunk (fd ${hex(f)})`;
  if (fd(cpu, k) !== p) return `bk->fd is ${hex(fd(cpu, k))}, not the chunk (bk ${hex(k)})`;
  return null;
}

/** The large bins' fd_nextsize / bk_nextsize skip list, as do_check_malloc_state checks it. */
function nextsizeProblem(cpu: Cpu, bin: number, p: number, size: number): string | null {
  const fns = fdNextsize(cpu, p);
  const bns = bkNextsize(cpu, p);
  if (fns === 0) return bns === 0 ? null : 'bk_nextsize is set but fd_nextsize is not';
  if (fns === p) return bns === p ? null : 'fd_nextsize is itself but bk_nextsize is not';
  const first = fd(cpu, bin);
  if (fns === first ? size >= chunksize(cpu, fns) : size <= chunksize(cpu, fns)) return 'fd_nextsize does not lead to the next size';
  if (p === first ? size <= chunksize(cpu, bns) : size >= chunksize(cpu, bns)) return 'bk_nextsize does not lead to the previous size';
  return null;
}
