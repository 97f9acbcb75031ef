/**
 * The OS layer: mimalloc src/os.c over src/prim/unix/prim.c (Linux).
 *
 * - allocation: mmap (read/write; arenas with MAP_NORESERVE), aligned as asked (mimalloc gets the
 *   alignment from an address hint or by over-allocating and trimming; the simulated mmap aligns
 *   directly, one call);
 * - commit: mprotect(PROT_READ|PROT_WRITE) (prim.c _mi_prim_commit);
 * - decommit: madvise(MADV_DONTNEED), and in secure/debug builds also mprotect(PROT_NONE), which is
 *   why only those need a recommit (prim.c _mi_prim_decommit);
 * - reset: madvise(MADV_FREE) (prim.c _mi_prim_reset);
 * - purge: decommit when `purge_decommits`, else reset (os.c _mi_os_purge_ex).
 */
import { PROT_NONE, PROT_RW } from '../../machine/page-table.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { enter, leave, type Mi } from './internal.ts';

export function osAlloc(m: Mi, cpu: Cpu, size: number, align: number, name: string, noreserve = false): number {
  m.counters.add('os.mmap');
  return cpu.mmap(size, { align, noreserve, name });
}

export function osFree(m: Mi, cpu: Cpu, addr: number, size: number): void {
  m.counters.add('os.munmap');
  cpu.munmap(addr, size);
}

/** os.c _mi_os_commit -> prim.c _mi_prim_commit. */
export function osCommit(m: Mi, cpu: Cpu, addr: number, size: number): void {
  m.counters.add('os.commit');
  m.counters.add('os.mprotect');
  cpu.mprotect(addr, size, PROT_RW);
}

/** os.c _mi_os_protect/_mi_os_unprotect (guard pages). */
export function osProtect(m: Mi, cpu: Cpu, addr: number, size: number, protect: boolean): void {
  m.counters.add('os.mprotect');
  cpu.mprotect(addr, size, protect ? PROT_NONE : PROT_RW);
}

/** os.c _mi_os_reset -> MADV_FREE. */
export function osReset(m: Mi, cpu: Cpu, addr: number, size: number): void {
  m.counters.add('os.reset');
  m.counters.add('os.madvise');
  cpu.madvise(addr, size, 'free');
}

/**
 * os.c _mi_os_purge_ex: decommit (MADV_DONTNEED; in secure builds also PROT_NONE) or reset.
 * Returns whether the range needs a recommit before reuse.
 */
export function osPurge(m: Mi, cpu: Cpu, addr: number, size: number, allowReset = true): boolean {
  if (m.cfg.purgeDelay < 0) return false;
  const prev = enter(m, cpu, m.paths.purge);
  m.counters.add('os.purges');
  m.counters.add('os.purgedBytes', size);
  let needsRecommit = false;
  if (m.cfg.purgeDecommits) {
    m.counters.add('os.madvise');
    cpu.madvise(addr, size, 'dontneed');
    if (m.cfg.secure > 0) {
      m.counters.add('os.mprotect');
      cpu.mprotect(addr, size, PROT_NONE);
      needsRecommit = true;
    }
  } else if (allowReset) {
    osReset(m, cpu, addr, size);
  }
  leave(m, cpu, prev);
  return needsRecommit;
}
