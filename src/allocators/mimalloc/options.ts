/**
 * mimalloc's options (src/options.c) and the build/version choices, as allocsim parameters.
 *
 * Defaults are mimalloc's (the same in v2.1.2 and v2.4.1 unless noted). `version` selects the
 * behaviours that changed between the two releases (docs/models/mimalloc.md lists them); `secure`
 * is the MI_SECURE build level; `batchit` plugs in the BatchIt cache (the paper's section 3.1).
 */
import { batchitParams, shapeFromParams, type BatchItShape } from '../shared/batchit/index.ts';
import { bool, num, str, type ParamSpec, type Params } from '../../lib/params.ts';
import { MI_VERSIONS, type MiVersion } from './types.ts';

const OPTIONS = 'mimalloc src/options.c';

/**
 * BatchIt for mimalloc as the paper describes it (section 3.1, section 4): 16 free lists, 2-way set
 * associative (8 sets), a multiply-and-shift hash, eviction of the longest list. Unlike snmalloc's
 * code, nothing suggests the set+way overlap quirk, so the 16 entries form a plain 8x2 array.
 */
export const MIMALLOC_BATCHIT_SHAPE: BatchItShape = { sets: 8, ways: 2, hash: 'multiply-shift', policy: 'largest', layout: 'clean' };

export function mimallocParams(secure: number, batchit: boolean): ParamSpec[] {
  return [
    {
      name: 'version',
      type: 'enum',
      default: '2cca58',
      choices: MI_VERSIONS,
      description: 'mimalloc code to follow: 2cca58 (the commit the BatchIt paper patched), 2.1.2 (mimalloc-bench pin), 2.4.1 (latest v2)',
      source: 'BatchIt paper section 3.1; mimalloc-bench build-bench-env.sh; microsoft/mimalloc',
    },
    {
      name: 'secure',
      type: 'int',
      default: secure,
      min: 0,
      max: 4,
      description: 'MI_SECURE build level (0 = release; 4 = mimalloc-bench mi-sec)',
      source: 'mimalloc include/mimalloc/types.h',
    },
    {
      name: 'batchit',
      type: 'bool',
      default: batchit,
      description: 'cache remote frees per page in the freeing thread (BatchIt, ISMM 2024 section 3.1)',
      source: 'BatchIt paper section 3.1',
    },
    {
      name: 'batchit.carryLength',
      type: 'bool',
      default: false,
      description:
        'deeper integration: a batch carries its length and head, so the owner splices it without walking (paper section 3.1 / 4.2)',
      source: 'BatchIt paper section 3.1',
    },
    ...batchitParams(MIMALLOC_BATCHIT_SHAPE, 'BatchIt paper sections 3.1 and 4 (mimalloc: 16 entries, 2-way, evict the longest list)'),
    {
      name: 'purge_delay',
      type: 'int',
      default: 10,
      min: -1,
      description: 'ms before freed spans are purged (-1 never, 0 at once)',
      source: OPTIONS,
    },
    {
      name: 'purge_extend_delay',
      type: 'int',
      default: 1,
      min: 0,
      description: 'ms a pending segment purge is extended by each further free',
      source: OPTIONS,
    },
    { name: 'arena_purge_mult', type: 'int', default: 10, min: 0, description: 'arena purge delay = purge_delay x this', source: OPTIONS },
    {
      name: 'purge_decommits',
      type: 'bool',
      default: true,
      description: 'purge with MADV_DONTNEED (decommit) rather than MADV_FREE (reset)',
      source: OPTIONS,
    },
    {
      name: 'arena_reserve',
      type: 'int',
      default: 1024 * 1024,
      min: 0,
      description: 'KiB reserved per arena (doubling every 8 arenas after 8); 0 = no arenas',
      source: OPTIONS,
    },
    {
      name: 'max_segment_reclaim',
      type: 'int',
      default: -1,
      min: -1,
      description:
        "reclaim tries: v2.1.2 a count (default 8, clamped to 8..1024), v2.4.1 a percentage of the abandoned segments (default 10); -1 = the version's default",
      source: OPTIONS,
    },
    {
      name: 'abandoned_page_purge',
      type: 'bool',
      default: false,
      description: 'force purging a segment when it is abandoned',
      source: OPTIONS,
    },
    {
      name: 'abandoned_reclaim_on_free',
      type: 'int',
      default: -1,
      min: -1,
      max: 1,
      description:
        "a free into an abandoned segment first reclaims it: 1 on, 0 off, -1 the version's default (2cca58: on; 2.4.1: off; absent in 2.1.2)",
      source: 'mimalloc 2cca58 and v2.4.1 src/options.c, src/alloc.c/free.c',
    },
    {
      name: 'generic_collect',
      type: 'int',
      default: 10000,
      min: 1,
      max: 1000000,
      description: 'v2.4.1: mi_heap_collect every this many generic mallocs',
      source: 'mimalloc v2.4.1 src/options.c, src/page.c',
    },
  ];
}

/** Resolved configuration: options plus the behaviours `version` selects. */
export interface MiConfig {
  version: MiVersion;
  secure: number;
  /** MI_ENCODE_FREELIST / MI_PADDING / MI_PADDING_CHECK: MI_SECURE >= 3. */
  encoded: boolean;
  padding: number;
  batchit: boolean;
  carryLength: boolean;
  shape: BatchItShape;
  purgeDelay: number;
  purgeExtendDelay: number;
  arenaPurgeMult: number;
  purgeDecommits: boolean;
  arenaReserve: number;
  maxSegmentReclaim: number;
  /**
   * segment.c: v2.1.2 pops a global abandoned list and swaps the `visited` list back in when it runs
   * dry (so one pass can revisit the same segments); v2.1.4+ walks the arenas' abandoned bitmaps
   * with a cursor, visiting each segment once per pass.
   */
  abandonedCursor: boolean;
  abandonedPagePurge: boolean;
  reclaimOnFree: boolean;
  genericCollect: number;
  /** types.h: MI_SMALL_OBJ_SIZE_MAX = small page / 4 (v2.1.x) or / 8 (v2.2+, commit 7fa3b41f). */
  smallObjSizeMax: number;
  /** types.h: MI_MEDIUM_OBJ_SIZE_MAX = medium page / 4 (128 KiB, v2.1.x) or / 8 (64 KiB, v2.2+). */
  mediumObjSizeMax: number;
  /** page.c: housekeeping on every generic call (v2.1.2) or every 100th (v2.2.2+, commit 58d13f6a). */
  genericEvery: number;
  /** page.c: first-fit page search (v2.1.2, 1) or best of MI_MAX_CANDIDATE_SEARCH = 4 (v2.4.1). */
  candidateSearch: number;
  /** page.c _mi_page_retire: retire_expire = 1 + 16 (or 4) in v2.1.2, 16 (or 4) in v2.4.1. */
  retireExtra: number;
  /** page.c: MI_MIN_EXTEND = 8 * MI_SECURE when secure, else 4. */
  minExtend: number;
  /** page.c: randomized free-list initialisation (v2.1.2: MI_SECURE >= 1; v2.4.1: >= 2). */
  randomExtend: boolean;
  /** page.c mi_find_free_page: extend instead of collect half the time (v2.1.2: MI_SECURE >= 3; v2.4.1: >= 2). */
  coinExtend: boolean;
  /** page.c mi_page_extend_free returns while the free list is non-empty (v2.1.2: only MI_SECURE <= 2; v2.4.1: always). */
  extendOnlyWhenEmpty: boolean;
  /** free.c/alloc.c mi_checked_ptr_segment: cookie check (v2.1.2: MI_SECURE >= 4; v2.4.1: >= 3). */
  cookieCheck: boolean;
}

export function configFrom(p: Params): MiConfig {
  const version = str(p, 'version') as MiVersion;
  const secure = num(p, 'secure');
  /** v2.1.x code (v2.1.2 and 2cca58 share the allocation paths and the structs). */
  const v21 = version !== '2.4.1';
  const v212 = version === '2.1.2';
  const div = v21 ? 4 : 8;
  const reclaimOnFree = num(p, 'abandoned_reclaim_on_free');
  return {
    version,
    secure,
    encoded: secure >= 3,
    padding: secure >= 3 ? 8 : 0,
    batchit: bool(p, 'batchit'),
    carryLength: bool(p, 'batchit') && bool(p, 'batchit.carryLength'),
    shape: shapeFromParams(p),
    purgeDelay: num(p, 'purge_delay'),
    purgeExtendDelay: num(p, 'purge_extend_delay'),
    arenaPurgeMult: num(p, 'arena_purge_mult'),
    purgeDecommits: bool(p, 'purge_decommits'),
    arenaReserve: num(p, 'arena_reserve') * 1024,
    maxSegmentReclaim: num(p, 'max_segment_reclaim') >= 0 ? num(p, 'max_segment_reclaim') : v212 ? 8 : 10,
    abandonedCursor: !v212,
    abandonedPagePurge: bool(p, 'abandoned_page_purge'),
    reclaimOnFree: !v212 && (reclaimOnFree === 1 || (reclaimOnFree === -1 && version === '2cca58')),
    genericCollect: num(p, 'generic_collect'),
    smallObjSizeMax: (64 * 1024) / div,
    mediumObjSizeMax: (512 * 1024) / div,
    genericEvery: v21 ? 1 : 100,
    candidateSearch: v21 ? 1 : 4,
    retireExtra: v21 ? 1 : 0,
    minExtend: secure > 0 ? 8 * secure : 4,
    randomExtend: v21 ? secure >= 1 : secure >= 2,
    coinExtend: v21 ? secure >= 3 : secure >= 2,
    extendOnlyWhenEmpty: !v21 || secure <= 2,
    cookieCheck: v21 ? secure >= 4 : secure >= 3,
  };
}
