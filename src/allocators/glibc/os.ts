/**
 * The system calls malloc makes, with glibc's failure conventions: MMAP returning MAP_FAILED and
 * MORECORE (__sbrk, misc/sbrk.c, with its cached __curbrk: sbrk(0) makes no system call once the
 * break is known) returning MORECORE_FAILURE, instead of the simulated machine's faults.
 */
import type { MmapOptions } from '../../machine/address-space.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { MachineFault } from '../../machine/fault.ts';
import { G_CURBRK } from './layout.ts';
import type { Ptmalloc } from './state.ts';

export const MAP_FAILED = -1;
export const MORECORE_FAILURE = -1;

/** The kernel refusing a call (ENOMEM, EINVAL) is a failure the caller handles; other faults propagate. */
function refused(e: unknown): boolean {
  return e instanceof MachineFault && e.kind === 'invalid-argument';
}

export function tryMmap(cpu: Cpu, len: number, opts?: MmapOptions): number {
  try {
    return cpu.mmap(len, opts);
  } catch (e) {
    if (refused(e)) return MAP_FAILED;
    throw e;
  }
}

/** mremap(MREMAP_MAYMOVE): the new address, or MAP_FAILED. */
export function tryMremap(cpu: Cpu, addr: number, oldLen: number, newLen: number): number {
  try {
    return cpu.mremap(addr, oldLen, newLen);
  } catch (e) {
    if (refused(e)) return MAP_FAILED;
    throw e;
  }
}

/** MORECORE(delta) = __sbrk(delta): returns the old break, or MORECORE_FAILURE. */
export function morecore(m: Ptmalloc, cpu: Cpu, delta: number): number {
  let cur = cpu.load(m.g(G_CURBRK));
  if (cur === 0) {
    cur = cpu.sbrk(0); // __brk(0) on the first call: learn where the break is
    cpu.store(m.g(G_CURBRK), cur);
  }
  if (delta === 0) return cur;
  try {
    const old = cpu.sbrk(delta);
    cpu.store(m.g(G_CURBRK), old + delta);
    return old;
  } catch (e) {
    if (refused(e)) return MORECORE_FAILURE;
    throw e;
  }
}
