/**
 * `sh6bench`: MicroQuill's SmartHeap benchmark as mimalloc-bench runs it (bench.sh: `sh6bench 2P`;
 * the source is downloaded and patched, daanx/mimalloc-bench bench/shbench/sh6bench.patch: call
 * count 10,000, and each block's first and last byte are written).
 *
 * T threads each run doBench: call count / T repeats of a fixed size schedule — size_base =
 * 1, 2, 4, 7, 11, … (×3/2 + 1) up to 1000, and for each the sizes size_base, size_base/2, …, 1,
 * allocated 250 times if below 100 bytes, 50 if below 1000 — into a ring of call count / T
 * pointers freed with a moving window (lib/sh-ring.ts). Everything is thread-local. At the end a
 * thread frees the slots below its cursor and the ring. `scale` multiplies the repeats.
 */
import { num, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { scaled, scaleParam, threadsParam, threadsVariant } from './lib/params.ts';
import { joinAll, spawnAll } from './lib/pthread.ts';
import { ShRing } from './lib/sh-ring.ts';
import { touchEnds } from './lib/touch.ts';
import { free, malloc } from './ops.ts';

const PATCH = 'daanx/mimalloc-bench bench/shbench/sh6bench.patch';

const PARAMS: ParamSpec[] = [
  threadsParam(16, 'threads (bench.sh passes 2 × nproc: 16 on the default machine)', 'bench.sh'),
  {
    name: 'callCount',
    type: 'int',
    default: 10000,
    min: 1,
    description: 'ulCallCount; each thread gets callCount / threads ring slots and repeats',
    source: PATCH,
  },
  {
    name: 'maxBlockSize',
    type: 'int',
    default: 1000,
    min: 2,
    description: 'size_base runs below this (uMaxBlockSize)',
    source: 'sh6bench.c',
  },
  scaleParam(0.0016, 'the repeats of the size schedule (not the ring)'),
];

/** One repeat of doBench's size schedule: the sizes in allocation order. */
export function sh6Schedule(maxBlockSize: number): number[] {
  const sizes: number[] = [];
  for (let base = 1; base < maxBlockSize; base = Math.floor((base * 3) / 2) + 1) {
    for (let size = base; size > 0; size = Math.floor(size / 2)) {
      let iterations = 1;
      if (size < 10000) iterations = 10;
      if (size < 1000) iterations *= 5;
      if (size < 100) iterations *= 5;
      for (let i = 0; i < iterations; i++) sizes.push(size);
    }
  }
  return sizes;
}

function* doBench(callCount: number, repeats: number, schedule: readonly number[]): ThreadBody {
  const memory = (yield malloc(callCount * 8)) as number;
  const ring = new ShRing(memory, callCount);
  for (let r = 0; r < repeats; r++) {
    for (const size of schedule) {
      const p = (yield malloc(size)) as number;
      yield* touchEnds(p, size);
      yield* ring.store(p);
    }
  }
  yield* ring.freeBelowCursor();
  yield free(memory);
}

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const threads = num(p, 'threads');
  const callCount = Math.max(1, Math.floor(num(p, 'callCount') / threads));
  const repeats = scaled(callCount, num(p, 'scale'));
  const schedule = sh6Schedule(num(p, 'maxBlockSize'));
  const main = function* (): ThreadBody {
    const tids = (yield malloc(8 * threads)) as number;
    const bodies = Array.from({ length: threads }, (_, i) => ({ body: doBench(callCount, repeats, schedule), name: `doBench-${i}` }));
    // WaitForThreads joins in reverse order of creation.
    yield* joinAll((yield* spawnAll(bodies)).reverse());
    yield free(tids);
  };
  return {
    threads: [{ name: 'main', body: main() }],
    report: () => ({ repeatsPerThread: repeats, ringSlots: callCount, mallocsPerRepeat: schedule.length }),
  };
}

export const sh6benchWorkload: WorkloadInfo = {
  name: 'sh6bench',
  summary: 'SmartHeap sh6bench: a fixed schedule of 1..1000-byte blocks through a per-thread ring with FIFO/LIFO frees',
  params: PARAMS,
  sources: ['MicroQuill sh6bench.c (http://www.microquill.com/smartheap/shbench/bench.zip)', PATCH, 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/sh6bench.md',
  variant: threadsVariant(),
  create,
};
