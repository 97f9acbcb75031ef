/**
 * The model's parameters: glibc 2.36's malloc tunables (GLIBC_TUNABLES=glibc.malloc.NAME=...,
 * elf/dl-tunables.list) with glibc's defaults, plus the one OS setting malloc reads
 * (vm.overcommit_memory, sysdeps/unix/sysv/linux/malloc-sysdep.h).
 */
import { bool, num, type ParamSpec, type Params } from '../../lib/params.ts';
import {
  DEFAULT_MMAP_MAX,
  DEFAULT_MMAP_THRESHOLD,
  DEFAULT_MMAP_THRESHOLD_MAX,
  DEFAULT_MXFAST,
  DEFAULT_TOP_PAD,
  DEFAULT_TRIM_THRESHOLD,
  MAX_FAST_SIZE,
  MAX_TCACHE_COUNT,
  MAX_TCACHE_SIZE,
  TCACHE_FILL_COUNT,
} from './constants.ts';

const M = 'glibc malloc/malloc.c';

export const GLIBC_PARAMS: readonly ParamSpec[] = [
  {
    name: 'tcache_count',
    type: 'int',
    default: TCACHE_FILL_COUNT,
    min: 0,
    max: MAX_TCACHE_COUNT,
    description: 'chunks each tcache bin holds (0 disables the tcache)',
    source: `${M} TCACHE_FILL_COUNT`,
  },
  {
    name: 'tcache_max',
    type: 'int',
    default: MAX_TCACHE_SIZE,
    min: 0,
    max: MAX_TCACHE_SIZE,
    description: 'largest request the tcache serves, in bytes (sets tcache_bins)',
    source: `${M} MAX_TCACHE_SIZE`,
  },
  {
    name: 'tcache_unsorted_limit',
    type: 'int',
    default: 0,
    min: 0,
    description: 'unsorted chunks processed while filling the tcache before returning one (0 = no limit)',
    source: `${M} mp_.tcache_unsorted_limit`,
  },
  {
    name: 'mxfast',
    type: 'int',
    default: DEFAULT_MXFAST,
    min: 0,
    max: MAX_FAST_SIZE,
    description: 'largest request served by fastbins (global_max_fast = (mxfast + 8) & ~15)',
    source: `${M} DEFAULT_MXFAST`,
  },
  {
    name: 'mmap_threshold',
    type: 'int',
    default: DEFAULT_MMAP_THRESHOLD,
    min: 0,
    max: DEFAULT_MMAP_THRESHOLD_MAX,
    description: 'requests at least this big that top cannot serve are mmapped (dynamic unless set)',
    source: `${M} DEFAULT_MMAP_THRESHOLD`,
  },
  {
    name: 'trim_threshold',
    type: 'int',
    default: DEFAULT_TRIM_THRESHOLD,
    min: 0,
    description: 'top size from which a large free gives memory back (dynamic unless set)',
    source: `${M} DEFAULT_TRIM_THRESHOLD`,
  },
  {
    name: 'top_pad',
    type: 'int',
    default: DEFAULT_TOP_PAD,
    min: 0,
    description: 'extra bytes asked of sbrk on growth and kept on trim',
    source: 'glibc sysdeps/generic/malloc-machine.h DEFAULT_TOP_PAD',
  },
  {
    name: 'mmap_max',
    type: 'int',
    default: DEFAULT_MMAP_MAX,
    min: 0,
    description: 'most chunks mmapped at once (0 disables mmap for requests)',
    source: `${M} DEFAULT_MMAP_MAX`,
  },
  {
    name: 'arena_max',
    type: 'int',
    default: 0,
    min: 0,
    description: 'arena limit (0 = 8 x cores, decided once more than arena_test arenas exist)',
    source: 'glibc malloc/arena.c arena_get2',
  },
  {
    name: 'arena_test',
    type: 'int',
    default: 8,
    min: 1,
    description: 'arenas created before the 8 x cores limit is computed',
    source: `${M} NARENAS_FROM_NCORES(1)`,
  },
  {
    name: 'perturb',
    type: 'int',
    default: 0,
    min: 0,
    max: 255,
    description: 'fill byte for freed memory (allocated memory gets its complement); 0 = off',
    source: `${M} perturb_byte`,
  },
  {
    name: 'dynamic_threshold',
    type: 'bool',
    default: true,
    description:
      'let frees of mmapped chunks raise mmap_threshold and trim_threshold (glibc turns it off when mmap_threshold, trim_threshold, top_pad or mmap_max is set)',
    source: `${M} mp_.no_dyn_threshold`,
  },
  {
    name: 'overcommit_memory',
    type: 'int',
    default: 0,
    min: 0,
    max: 2,
    description: 'vm.overcommit_memory: 2 makes shrink_heap remap freed heap space PROT_NONE instead of madvise(MADV_DONTNEED)',
    source: 'glibc sysdeps/unix/sysv/linux/malloc-sysdep.h',
  },
];

/** The values ptmalloc_init writes into mp_ and the other globals. */
export interface Tunables {
  tcacheCount: number;
  tcacheMax: number;
  tcacheUnsortedLimit: number;
  mxfast: number;
  mmapThreshold: number;
  trimThreshold: number;
  topPad: number;
  mmapMax: number;
  arenaMax: number;
  arenaTest: number;
  perturb: number;
  /** mp_.no_dyn_threshold: setting any of the four thresholds freezes the dynamic rule (M:5308-5345). */
  noDynThreshold: boolean;
  mayShrinkHeap: boolean;
}

export function tunablesOf(p: Params): Tunables {
  const t = {
    tcacheCount: num(p, 'tcache_count'),
    tcacheMax: num(p, 'tcache_max'),
    tcacheUnsortedLimit: num(p, 'tcache_unsorted_limit'),
    mxfast: num(p, 'mxfast'),
    mmapThreshold: num(p, 'mmap_threshold'),
    trimThreshold: num(p, 'trim_threshold'),
    topPad: num(p, 'top_pad'),
    mmapMax: num(p, 'mmap_max'),
    arenaMax: num(p, 'arena_max'),
    arenaTest: num(p, 'arena_test'),
    perturb: num(p, 'perturb'),
    mayShrinkHeap: num(p, 'overcommit_memory') === 2,
  };
  // A tunable callback only runs for a tunable that was set, and the four below set no_dyn_threshold.
  // The model cannot see which parameters were given, so a value other than the default counts as set.
  const set =
    t.mmapThreshold !== DEFAULT_MMAP_THRESHOLD ||
    t.trimThreshold !== DEFAULT_TRIM_THRESHOLD ||
    t.topPad !== DEFAULT_TOP_PAD ||
    t.mmapMax !== DEFAULT_MMAP_MAX;
  return { ...t, noDynThreshold: set || !bool(p, 'dynamic_threshold') };
}
