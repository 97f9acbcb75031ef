/**
 * Large requests mapped directly from the OS, one mapping per block: the arithmetic every teaching
 * model shares (each writes its own header in front of the payload, where its free path looks).
 *
 * As in the course's HW08 spec (draft-hw/hw07/hw07.txt: "B >= 1 page: allocate that many pages
 * with mmap ... munmap on free") and glibc's mmapped chunks (malloc/malloc.c sysmalloc_mmap): the
 * mapping is page-rounded, the payload follows a header of `headerBytes`, and for an alignment
 * above 16 the mapping itself is aligned so the payload lands on the boundary.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { PAGE_SIZE } from '../../machine/sizes.ts';
import type { Counters } from '../kit/model-counters.ts';

/** The counters a directly mapped block moves. */
export type DirectMapStat = 'directMaps' | 'directUnmaps' | 'pagesMapped' | 'pagesUnmapped';

export interface DirectBlock {
  /** Start of the mapping. */
  base: number;
  /** Length of the mapping in bytes (whole pages). */
  len: number;
  /** The address handed to the program. */
  payload: number;
}

export function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Offset of the payload in a direct mapping: the header, rounded up to the alignment. */
export function directLead(headerBytes: number, align: number): number {
  return roundUp(headerBytes, Math.max(16, align));
}

/**
 * Maps a block of `size` bytes with at least `headerBytes` in front of the payload, the mapping
 * aligned to `mapAlign` (or the alignment asked for, if larger). Counts `directMaps` and `pagesMapped`.
 */
export function mapDirect(
  cpu: Cpu,
  size: number,
  align: number,
  headerBytes: number,
  counters: Counters<DirectMapStat>,
  name: string,
  mapAlign = PAGE_SIZE,
): DirectBlock {
  const lead = directLead(headerBytes, align);
  const len = roundUp(lead + Math.max(size, 1), PAGE_SIZE);
  const base = cpu.mmap(len, { align: Math.max(PAGE_SIZE, align, mapAlign), name });
  counters.add('directMaps');
  counters.add('pagesMapped', len / PAGE_SIZE);
  return { base, len, payload: base + lead };
}

/** Gives a direct mapping back to the OS. Counts `directUnmaps` and `pagesUnmapped`. */
export function unmapDirect(cpu: Cpu, base: number, len: number, counters: Counters<DirectMapStat>): void {
  cpu.munmap(base, len);
  counters.add('directUnmaps');
  counters.add('pagesUnmapped', len / PAGE_SIZE);
}
