/**
 * `glibc-simple`: glibc's bench-malloc-simple as modified for mimalloc-bench
 * (daanx/mimalloc-bench bench/glibc-bench/bench-malloc-simple.c, run without arguments).
 *
 * For each size 16, 32 and 64: four phases (a warm-up, main thread, a fresh helper thread, and
 * main again once a thread has existed), each running n = 25, 100, 400 and 1600 blocks for
 * 2,000,000 / n iterations of: allocate n blocks writing every byte, free the first half in
 * allocation order, then the second half in reverse. 96 million allocations at scale 1; `scale`
 * multiplies the 2,000,000 (at least one iteration per n).
 */
import { join, spawn } from '../sim/ops.ts';
import { num, type ParamSpec } from '../lib/params.ts';
import type { Op, ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { scaled, scaleParam } from './lib/params.ts';
import { PointerArray } from './lib/pointer-array.ts';
import { free, malloc, touch } from './ops.ts';

const SRC = 'daanx/mimalloc-bench bench/glibc-bench/bench-malloc-simple.c';
const ALLOCS = [25, 100, 400, 1600];

const PARAMS: ParamSpec[] = [
  { name: 'size', type: 'int', default: 16, min: 1, description: 'first block size; the program also runs 2× and 4× it', source: SRC },
  {
    name: 'iterations',
    type: 'int',
    default: 2_000_000,
    min: 1,
    description: 'NUM_ITERS: each phase runs iterations / n rounds for every n (before scale)',
    source: SRC,
  },
  scaleParam(0.001, 'the iterations'),
];

function* doBenchmark(arr: PointerArray, size: number, n: number, iters: number): Generator<Op, void, unknown> {
  for (let j = 0; j < iters; j++) {
    for (let i = 0; i < n; i++) {
      const p = (yield malloc(size)) as number;
      yield* arr.sequential(i, true);
      arr.set(i, p);
      yield touch(p, size, true); // arr[i][g] = g for every byte
    }
    for (let i = 0; i < n >> 1; i++) {
      yield* arr.sequential(i, false);
      yield free(arr.get(i));
    }
    for (let i = n - 1; i >= n >> 1; i--) {
      yield* arr.sequential(i, false, -1);
      yield free(arr.get(i));
    }
  }
}

function* phase(arr: PointerArray, size: number, iterations: number): Generator<Op, void, unknown> {
  for (const n of ALLOCS) yield* doBenchmark(arr, size, n, Math.max(1, Math.floor(iterations / n)));
}

function* bench(size: number, iterations: number): Generator<Op, void, unknown> {
  const base = (yield malloc(1600 * 8)) as number;
  const arr = new PointerArray(base, 1600);
  yield* phase(arr, size, iterations); // warm-up
  yield* phase(arr, size, iterations); // main arena, single thread
  const t = (yield spawn(
    (function* (): ThreadBody {
      yield* phase(arr, size, iterations);
    })(),
    'thread_test',
  )) as number;
  yield join(t);
  yield* phase(arr, size, iterations); // main arena once a thread has existed
  yield free(base);
}

function create(env: WorkloadEnv): WorkloadInstance {
  const size = num(env.params, 'size');
  const iterations = scaled(num(env.params, 'iterations'), num(env.params, 'scale'));
  const main = function* (): ThreadBody {
    for (const s of [size, 2 * size, 4 * size]) yield* bench(s, iterations);
  };
  return { threads: [{ name: 'main', body: main() }] };
}

export const glibcSimpleWorkload: WorkloadInfo = {
  name: 'glibc-simple',
  summary: 'glibc bench-malloc-simple: batches of 25..1600 same-size blocks freed half FIFO, half LIFO; main thread and a helper thread',
  params: PARAMS,
  sources: [SRC],
  doc: 'docs/workloads/glibc-simple.md',
  create,
};
