/**
 * IsoAlloc's memory-mapping helpers (src/iso_alloc_util.c): every mapping gets a random address
 * hint and is immediately madvise(MADV_FREE)'d; guarded mappings get a PROT_NONE page below and
 * above; MAP_POPULATE only with PRE_POPULATE_PAGES and a populate caller.
 */
import { PROT_NONE, PROT_RW } from '../../machine/page-table.ts';
import type { Cpu } from '../../machine/cpu.ts';
import type { IsoCtx } from './context.ts';
import { PAGE, ZONE_USER_SIZE } from './layout.ts';
import { randUint64 } from './random.ts';

export function roundUpPage(n: number): number {
  return Math.ceil(n / PAGE) * PAGE;
}

/**
 * mmap_pages(): mmap at a random page-aligned hint (& 0x3FFFFFFFF000), then dont_need_pages().
 * HUGE_PAGES/THP_PAGES ask for huge pages only for mappings of exactly 2 or 4 MiB; the MAP_HUGETLB
 * attempt fails without reserved huge pages and is retried without it (the failed call is not
 * charged), then MADV_HUGEPAGE.
 */
export function mmapPages(ctx: IsoCtx, cpu: Cpu, size: number, populate: boolean, prot = PROT_RW, name = 'isoalloc'): number {
  const r = randUint64(cpu);
  const hint = Number((((r + 4095n) & ~4095n) - 4096n) & 0x3ffffffff000n); // ROUND_DOWN_PAGE(r) & 0x3FFFFFFFF000
  const sz = roundUpPage(size);
  const thp = sz === ZONE_USER_SIZE || sz === ZONE_USER_SIZE / 2;
  const p = cpu.mmap(sz, { addr: hint, prot, populate: ctx.prePopulate && populate, huge: thp, name });
  ctx.counters.add('mmaps');
  if (thp) cpu.madvise(p, sz, 'hugepage');
  dontNeedPages(cpu, p, sz);
  return p;
}

/** dont_need_pages(): madvise(MADV_FREE). */
export function dontNeedPages(cpu: Cpu, p: number, size: number): void {
  cpu.madvise(p, roundUpPage(size), 'free');
}

/** create_guard_page(): mprotect(PROT_NONE); touching it is a machine fault. */
export function createGuardPage(ctx: IsoCtx, cpu: Cpu, p: number): void {
  cpu.mprotect(p, PAGE, PROT_NONE);
  ctx.counters.add('guardPages');
}

/** mmap_guarded_rw_pages(): size rounded to pages, one guard page on each side; returns the inner start. */
export function mmapGuardedRwPages(ctx: IsoCtx, cpu: Cpu, size: number, populate: boolean, name?: string): number {
  const sz = roundUpPage(size);
  const p = mmapPages(ctx, cpu, sz + 2 * PAGE, populate, PROT_RW, name);
  createGuardPage(ctx, cpu, p);
  createGuardPage(ctx, cpu, p + PAGE + sz);
  return p + PAGE;
}

/** unmap_guarded_pages(). */
export function unmapGuardedPages(cpu: Cpu, p: number, size: number): void {
  cpu.munmap(p - PAGE, roundUpPage(size) + 2 * PAGE);
}

/** MLOCK() with USE_MLOCK=1. */
export function mlock(cpu: Cpu, p: number, size: number): void {
  cpu.mlock(p, size);
}
