/**
 * `isoalloc-cmp`: IsoAlloc's malloc comparison test (struct/isoalloc tests/tests.c, built by
 * `make malloc_cmp_test` with MALLOC_PERF_TEST so it calls malloc/calloc/realloc/free).
 *
 * Three timed phases run the same grid: for every array size 16..65536 (13 powers of two) and
 * every allocation size, fill an array of that many pointers, freeing every odd-indexed block
 * right after allocating it and the rest at the end; then once more per array size with a random
 * size (one of the allocation sizes plus 0..31, drawn once per array). Phase 1 uses malloc,
 * phase 2 calloc(1, n), phase 3 malloc(n/2) then realloc to n. The `current` version (HEAD
 * 6599811) has 13 sizes, 16..8192 plus 16384, 32768 and 42000, and memsets the half-size block
 * before the realloc: 1,834,784 allocations a phase. The `2020` version (69d488e, the one
 * PERFORMANCE.md's 2020 table used) has the 10 sizes 16..8192 and no memset: 1,441,616.
 * `scale` multiplies every array size (at least 2). The program prints each phase's allocations
 * and CPU time; this model reports each phase's simulated seconds.
 */
import { now } from '../sim/ops.ts';
import { num, str, type ParamSpec } from '../lib/params.ts';
import type { Op, ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { GlibcRandom } from './lib/glibc-random.ts';
import { scaleParam } from './lib/params.ts';
import { calloc, fill, free, malloc, realloc } from './ops.ts';

const SRC = 'struct/isoalloc tests/tests.c';
const ARRAY_SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
const SIZES_2020 = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
const SIZES_CURRENT = [...SIZES_2020, 16384, 32768, 42000];

const PARAMS: ParamSpec[] = [
  {
    name: 'version',
    type: 'enum',
    default: 'current',
    choices: ['current', '2020'],
    description: 'tests.c at HEAD (13 sizes, memset before realloc) or as of 2020 (69d488e: 10 sizes, no memset)',
    source: SRC,
  },
  scaleParam(0.01, 'every array size'),
];

type Phase = 'malloc' | 'calloc' | 'realloc';

interface Config {
  sizes: readonly number[];
  memsetBeforeRealloc: boolean;
  scale: number;
  rand: GlibcRandom;
}

function* allocOne(c: Config, phase: Phase, size: number): Generator<Op, number, unknown> {
  if (phase === 'malloc') return (yield malloc(size)) as number;
  if (phase === 'calloc') return (yield calloc(1, size)) as number;
  const half = Math.floor(size / 2);
  const d = (yield malloc(half)) as number;
  if (c.memsetBeforeRealloc && half > 0) yield fill(d, half, 0);
  return (yield realloc(d, size)) as number;
}

/** allocate() / callocate() / reallocate(): allocation size 0 means a random one, drawn at the first block. */
function* runArray(c: Config, phase: Phase, arraySize: number, size0: number): Generator<Op, number, unknown> {
  const p: number[] = new Array<number>(arraySize).fill(0);
  let size = size0;
  for (let i = 0; i < arraySize; i++) {
    if (size === 0) {
      const idx = Math.floor((c.rand.next() % (4 * c.sizes.length)) / 4);
      size = (c.sizes[idx] as number) + (c.rand.next() % 32);
    }
    p[i] = yield* allocOne(c, phase, size);
    if (i % 2 === 1) {
      yield free(p[i] as number);
      p[i] = 0;
    }
  }
  for (const q of p) if (q !== 0) yield free(q);
  return arraySize;
}

/** The array lengths a run uses: every array size times scale, at least 2. */
function arrayLengths(scale: number): number[] {
  return ARRAY_SIZES.map((a) => Math.max(2, Math.round(a * scale)));
}

/** Allocations per phase: each array once per allocation size, plus once with a random size. */
export function isoallocAllocationsPerPhase(version: string, scale: number): number {
  const sizes = version === '2020' ? SIZES_2020 : SIZES_CURRENT;
  return arrayLengths(scale).reduce((sum, a) => sum + a * (sizes.length + 1), 0);
}

function create(env: WorkloadEnv): WorkloadInstance {
  const version = str(env.params, 'version');
  const c: Config = {
    sizes: version === '2020' ? SIZES_2020 : SIZES_CURRENT,
    memsetBeforeRealloc: version !== '2020',
    scale: num(env.params, 'scale'),
    rand: new GlibcRandom(env.seed),
  };
  const results: Record<string, number> = {};
  const main = function* (): ThreadBody {
    for (const phase of ['malloc', 'calloc', 'realloc'] as const) {
      const start = (yield now()) as number;
      let count = 0;
      const arrays = arrayLengths(c.scale);
      for (const a of arrays) for (const size of c.sizes) count += yield* runArray(c, phase, a, size);
      for (const a of arrays) count += yield* runArray(c, phase, a, 0);
      results[`${phase}Allocations`] = count;
      results[`${phase}Cycles`] = ((yield now()) as number) - start;
    }
  };
  return {
    threads: [{ name: 'main', body: main() }],
    report: (hz) => {
      const out: Record<string, number> = {};
      for (const phase of ['malloc', 'calloc', 'realloc']) {
        out[`${phase}Allocations`] = results[`${phase}Allocations`] ?? 0;
        out[`${phase}Seconds`] = (results[`${phase}Cycles`] ?? 0) / hz;
      }
      return out;
    },
  };
}

export const isoallocCmpWorkload: WorkloadInfo = {
  name: 'isoalloc-cmp',
  summary: 'IsoAlloc malloc_cmp_test: malloc/free, calloc/free and realloc phases over arrays of 16..65536 blocks, freeing every other one',
  params: PARAMS,
  sources: [SRC, 'struct/isoalloc PERFORMANCE.md'],
  doc: 'docs/workloads/isoalloc-cmp.md',
  variant: (suffix) => (suffix === '2020' ? { version: '2020' } : suffix === 'current' ? { version: 'current' } : undefined),
  create,
};
