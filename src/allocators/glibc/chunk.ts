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
export function head(cpu: Cpu, p: number): number {
  return cpu.load(p + CH_SIZE);
}

/**
 * The size word read before any lock is taken (__libc_free, _int_free's first lines): another thread
 * freeing the chunk before `p` may set p's PREV_INUSE bit meanwhile, under the arena's lock. glibc
 * races there by design (it uses only the size bits); the race detector is told to ignore the read.
 */
export function headUnlocked(cpu: Cpu, p: number): number {
  return unlockedReads(cpu, () => head(cpu, p));
}

/** Reads glibc makes without a lock on purpose (see headUnlocked), hidden from the race detector. */
export const unlockedReads = benignReads;

export function chunksize(cpu: Cpu, p: number): number {
  return sizeOf(head(cpu, p));
}

export function prevSize(cpu: Cpu, p: number): number {
  return cpu.load(p + CH_PREV_SIZE);
}

export function setPrevSize(cpu: Cpu, p: number, v: number): void {
  cpu.store(p + CH_PREV_SIZE, v);
}

/** set_head(p, s): the whole size word. */
export function setHead(cpu: Cpu, p: number, s: number): void {
  cpu.store(p + CH_SIZE, s);
}

/** set_head_size(p, s): (old flag bits) | s, where s may carry flag bits of its own. */
export function setHeadSize(cpu: Cpu, p: number, s: number): void {
  setHead(cpu, p, sizeOf(s) + (sizeFlags(head(cpu, p)) | sizeFlags(s)));
}

/** set_foot(p, s): the next chunk's prev_size. */
export function setFoot(cpu: Cpu, p: number, s: number): void {
  cpu.store(p + s + CH_PREV_SIZE, s);
}

export const flag = (h: number, f: number): boolean => (sizeFlags(h) & f) !== 0;
export const prevInuse = (cpu: Cpu, p: number): boolean => flag(head(cpu, p), PREV_INUSE);
export const isMmapped = (h: number): boolean => flag(h, IS_MMAPPED);
export const isNonMain = (h: number): boolean => flag(h, NON_MAIN_ARENA);

/** inuse_bit_at_offset(p, s): the P bit of the chunk at p + s. */
export function inuseBitAtOffset(cpu: Cpu, p: number, s: number): boolean {
  return prevInuse(cpu, p + s);
}

export function setInuseBitAtOffset(cpu: Cpu, p: number, s: number): void {
  const h = head(cpu, p + s);
  if (!flag(h, PREV_INUSE)) neighbourBit(cpu, p + s, h + PREV_INUSE);
}

export function clearInuseBitAtOffset(cpu: Cpu, p: number, s: number): void {
  const h = head(cpu, p + s);
  if (flag(h, PREV_INUSE)) neighbourBit(cpu, p + s, h - PREV_INUSE);
}

/**
 * The PREV_INUSE bit written into the next chunk's size word, under the arena lock, while that
 * chunk may be in use by another thread that reads its size without the lock (free, calloc,
 * malloc_usable_size): a race glibc has by design (the reader masks the bit off). The race
 * detector is told not to see the write.
 */
function neighbourBit(cpu: Cpu, next: number, h: number): void {
  benignWrites(cpu, () => setHead(cpu, next, h));
}

/** set_non_main_arena(p). */
export function setNonMainArena(cpu: Cpu, p: number): void {
  const h = head(cpu, p);
  if (!flag(h, NON_MAIN_ARENA)) setHead(cpu, p, h + NON_MAIN_ARENA);
}

/** inuse(p): the P bit of the next chunk. */
export function inuse(cpu: Cpu, p: number): boolean {
  return inuseBitAtOffset(cpu, p, chunksize(cpu, p));
}

// ---- free-list links: in-band, inside free chunks ----

export const fd = (cpu: Cpu, p: number): number => cpu.load(p + CH_FD, 8, ORIGIN_LINK);
export const bk = (cpu: Cpu, p: number): number => cpu.load(p + CH_BK, 8, ORIGIN_LINK);
export const fdNextsize = (cpu: Cpu, p: number): number => cpu.load(p + CH_FD_NEXTSIZE, 8, ORIGIN_LINK);
export const bkNextsize = (cpu: Cpu, p: number): number => cpu.load(p + CH_BK_NEXTSIZE, 8, ORIGIN_LINK);
export const setFd = (cpu: Cpu, p: number, v: number): void => cpu.store(p + CH_FD, v, 8, ORIGIN_LINK);
export const setBk = (cpu: Cpu, p: number, v: number): void => cpu.store(p + CH_BK, v, 8, ORIGIN_LINK);
export const setFdNextsize = (cpu: Cpu, p: number, v: number): void => cpu.store(p + CH_FD_NEXTSIZE, v, 8, ORIGIN_LINK);
export const setBkNextsize = (cpu: Cpu, p: number, v: number): void => cpu.store(p + CH_BK_NEXTSIZE, v, 8, ORIGIN_LINK);

/** misaligned_chunk(p) / !aligned_OK(m): the address is not a multiple of MALLOC_ALIGNMENT. */
export const misaligned = (p: number): boolean => p % 16 !== 0;
