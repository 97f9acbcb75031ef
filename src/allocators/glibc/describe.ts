/**
 * `allocsim describe glibc`: the chunk size classes (tcache bins, fastbins, the unsorted bin, small
 * bins and the spacing of the large bins) and the constants and tunables, as data.
 */
import type { ModelDescription, SizeClass } from '../kit/contract.ts';
import {
  ARENAS_PER_CORE,
  CHUNK_HDR_SZ,
  DEFAULT_MMAP_THRESHOLD_MAX,
  FASTBIN_CONSOLIDATION_THRESHOLD,
  HEAP_MAX_SIZE,
  HEAP_MIN_SIZE,
  MALLOC_ALIGNMENT,
  MAX_TCACHE_SIZE,
  MIN_LARGE_SIZE,
  MINSIZE,
  MMAP_AS_MORECORE_SIZE,
  NBINS,
  NFASTBINS,
  NSMALLBINS,
  SIZE_SZ,
  TCACHE_MAX_BINS,
  binRange,
  csize2tidx,
  largebinSpacing,
  maxFastFor,
  request2size,
  tidx2usize,
} from './constants.ts';
import type { Tunables } from './params.ts';

export const GLIBC_SOURCES = [
  'glibc 2.36 malloc/malloc.c (tag glibc-2.36, commit 340c0632)',
  'glibc 2.36 malloc/arena.c',
  'glibc 2.36 sysdeps/generic/malloc-machine.h (DEFAULT_TOP_PAD)',
  'glibc 2.36 sysdeps/unix/sysv/linux/malloc-sysdep.h (check_may_shrink_heap)',
  'glibc 2.36 elf/dl-tunables.list (glibc.malloc.* tunables)',
];

function row(index: number, family: string, chunkMin: number, chunkMax: number, spacing: number | string): SizeClass {
  return {
    index,
    // The largest request the class serves (the smallest, for the unbounded last classes).
    size: (chunkMax === Infinity ? chunkMin : chunkMax) - SIZE_SZ,
    family,
    chunkMin,
    chunkMax: chunkMax === Infinity ? 'unbounded' : chunkMax,
    spacing,
  };
}

/** Every class a chunk can sit in, by family, in the order malloc looks at them. */
export function sizeClasses(t: Tunables): SizeClass[] {
  const out: SizeClass[] = [];
  const tcacheBins = Math.min(TCACHE_MAX_BINS, csize2tidx(request2size(t.tcacheMax)) + 1);
  for (let i = 0; i < tcacheBins; i++) {
    const chunk = request2size(tidx2usize(i));
    out.push(row(i, `tcache (${t.tcacheCount} per bin)`, chunk, chunk, MALLOC_ALIGNMENT));
  }
  const maxFast = maxFastFor(t.mxfast);
  for (let i = 0; i < NFASTBINS; i++) {
    const chunk = (i + 2) * 16;
    if (chunk <= maxFast) out.push(row(i, 'fastbin', chunk, chunk, MALLOC_ALIGNMENT));
  }
  out.push(row(1, 'unsorted', MINSIZE, Infinity, 'any'));
  for (let i = 2; i < NBINS - 1; i++) {
    const [lo, hi] = binRange(i);
    if (i < NSMALLBINS) out.push(row(i, 'smallbin', lo, hi, MALLOC_ALIGNMENT));
    else out.push(row(i, 'largebin', lo, hi, hi === Infinity ? 'unbounded' : largebinSpacing(lo)));
  }
  return out;
}

export function describeGlibc(t: Tunables, cores: number): ModelDescription {
  return {
    name: 'glibc',
    summary: 'glibc 2.36 malloc (ptmalloc2): tcache, fastbins, unsorted/small/large bins, top, brk and mmapped heaps, arenas',
    sizeClasses: sizeClasses(t),
    constants: {
      SIZE_SZ,
      MALLOC_ALIGNMENT,
      MINSIZE,
      chunkOverheadInUse: SIZE_SZ,
      CHUNK_HDR_SZ,
      NBINS,
      NSMALLBINS,
      MIN_LARGE_SIZE,
      NFASTBINS,
      TCACHE_MAX_BINS,
      MAX_TCACHE_SIZE,
      global_max_fast: maxFastFor(t.mxfast),
      FASTBIN_CONSOLIDATION_THRESHOLD,
      HEAP_MIN_SIZE,
      HEAP_MAX_SIZE,
      DEFAULT_MMAP_THRESHOLD_MAX,
      MMAP_AS_MORECORE_SIZE,
      arenaLimit:
        t.arenaMax !== 0 ? t.arenaMax : `${ARENAS_PER_CORE} x ${cores} cores = ${ARENAS_PER_CORE * cores} (after ${t.arenaTest} arenas)`,
      'tunable.tcache_count': t.tcacheCount,
      'tunable.tcache_max': t.tcacheMax,
      'tunable.tcache_unsorted_limit': t.tcacheUnsortedLimit,
      'tunable.mxfast': t.mxfast,
      'tunable.mmap_threshold': t.mmapThreshold,
      'tunable.trim_threshold': t.trimThreshold,
      'tunable.top_pad': t.topPad,
      'tunable.mmap_max': t.mmapMax,
      'tunable.arena_max': t.arenaMax,
      'tunable.arena_test': t.arenaTest,
      'tunable.perturb': t.perturb,
      dynamicThresholds: !t.noDynThreshold,
    },
    sources: GLIBC_SOURCES,
  };
}
