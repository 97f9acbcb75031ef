/**
 * Chunk access (malloc.c "Chunk representations" and the size/flag macros, M:1140-1460): every
 * header, footer and link is read and written in simulated memory through the Cpu.
 *
 *     chunk -> [prev_size: 8 B][size | A M P: 8 B]
 *     mem   -> [fd][bk][fd_nextsize][bk_nextsize] ... (free chunks) or user data (in use)
 *     next  -> [prev_size = this chunk's size while it is free][size | P = this chunk in use]
 */
import type { Cpu } from '../../machine/cpu.ts';
import { benignReads, benignWrites } from '../shared/benign-race.ts';
import { ORIGIN_LINK } from '../../machine/cache-hierarchy.ts';
import { CHUNK_HDR_SZ, IS_MMAPPED, NON_MAIN_ARENA, PREV_INUSE, sizeFlags, sizeOf } from './constants.ts';
import { CH_BK, CH_BK_NEXTSIZE, CH_FD, CH_FD_NEXTSIZE, CH_PREV_SIZE, CH_SIZE } from './layout.ts';

export const chunk2mem = (p: number): number => p + CHUNK_HDR_SZ;
export const mem2chunk = (mem: number): number => mem - CHUNK_HDR_SZ;

/** chunksize_nomask(p): the raw size word, flags included. */
export function head(c: Cpu, p: number): number {
  return c.load(p + CH_SIZE);
}

/**
 * The size word read before any lock is taken (__libc_free, _int_free's first lines): another thread
 * freeing the chunk before `p` may set p's PREV_INUSE bit meanwhile, under the arena's lock. glibc
 * races there by design (it uses only the size bits); the race detector is told to ignore the read.
 */
export function headUnlocked(c: Cpu, p: number): number {
  return unlockedReads(c, () => head(c, p));
}

/** Reads glibc makes without a lock on purpose (see headUnlocked), hidden from the race detector. */
export const unlockedReads = benignReads;

export function chunksize(c: Cpu, p: number): number {
  return sizeOf(head(c, p));
}

export function prevSize(c: Cpu, p: number): number {
  return c.load(p + CH_PREV_SIZE);
}

export function setPrevSize(c: Cpu, p: number, v: number): void {
  c.store(p + CH_PREV_SIZE, v);
}

/** set_head(p, s): the whole size word. */
export function setHead(c: Cpu, p: number, s: number): void {
  c.store(p + CH_SIZE, s);
}

/** set_head_size(p, s): (old flag bits) | s, where s may carry flag bits of its own. */
export function setHeadSize(c: Cpu, p: number, s: number): void {
  setHead(c, p, sizeOf(s) + (sizeFlags(head(c, p)) | sizeFlags(s)));
}

/** set_foot(p, s): the next chunk's prev_size. */
export function setFoot(c: Cpu, p: number, s: number): void {
  c.store(p + s + CH_PREV_SIZE, s);
}

export const flag = (h: number, f: number): boolean => (sizeFlags(h) & f) !== 0;
export const prevInuse = (c: Cpu, p: number): boolean => flag(head(c, p), PREV_INUSE);
export const isMmapped = (h: number): boolean => flag(h, IS_MMAPPED);
export const isNonMain = (h: number): boolean => flag(h, NON_MAIN_ARENA);

/** inuse_bit_at_offset(p, s): the P bit of the chunk at p + s. */
export function inuseBitAtOffset(c: Cpu, p: number, s: number): boolean {
  return prevInuse(c, p + s);
}

export function setInuseBitAtOffset(c: Cpu, p: number, s: number): void {
  const h = head(c, p + s);
  if (!flag(h, PREV_INUSE)) neighbourBit(c, p + s, h + PREV_INUSE);
}

export function clearInuseBitAtOffset(c: Cpu, p: number, s: number): void {
  const h = head(c, p + s);
  if (flag(h, PREV_INUSE)) neighbourBit(c, p + s, h - PREV_INUSE);
}

/**
 * The PREV_INUSE bit written into the next chunk's size word, under the arena lock, while that
 * chunk may be in use by another thread that reads its size without the lock (free, calloc,
 * malloc_usable_size): a race glibc has by design (the reader masks the bit off). The race
 * detector is told not to see the write.
 */
function neighbourBit(c: Cpu, next: number, h: number): void {
  benignWrites(c, () => setHead(c, next, h));
}

/** set_non_main_arena(p). */
export function setNonMainArena(c: Cpu, p: number): void {
  const h = head(c, p);
  if (!flag(h, NON_MAIN_ARENA)) setHead(c, p, h + NON_MAIN_ARENA);
}

/** inuse(p): the P bit of the next chunk. */
export function inuse(c: Cpu, p: number): boolean {
  return inuseBitAtOffset(c, p, chunksize(c, p));
}

// ---- free-list links: in-band, inside free chunks ----

export const fd = (c: Cpu, p: number): number => c.load(p + CH_FD, 8, ORIGIN_LINK);
export const bk = (c: Cpu, p: number): number => c.load(p + CH_BK, 8, ORIGIN_LINK);
export const fdNextsize = (c: Cpu, p: number): number => c.load(p + CH_FD_NEXTSIZE, 8, ORIGIN_LINK);
export const bkNextsize = (c: Cpu, p: number): number => c.load(p + CH_BK_NEXTSIZE, 8, ORIGIN_LINK);
export const setFd = (c: Cpu, p: number, v: number): void => c.store(p + CH_FD, v, 8, ORIGIN_LINK);
export const setBk = (c: Cpu, p: number, v: number): void => c.store(p + CH_BK, v, 8, ORIGIN_LINK);
export const setFdNextsize = (c: Cpu, p: number, v: number): void => c.store(p + CH_FD_NEXTSIZE, v, 8, ORIGIN_LINK);
export const setBkNextsize = (c: Cpu, p: number, v: number): void => c.store(p + CH_BK_NEXTSIZE, v, 8, ORIGIN_LINK);

/** misaligned_chunk(p) / !aligned_OK(m): the address is not a multiple of MALLOC_ALIGNMENT. */
export const misaligned = (p: number): boolean => p % 16 !== 0;
