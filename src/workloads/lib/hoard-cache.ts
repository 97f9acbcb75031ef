/**
 * The worker loop shared by Hoard's cache-thrash and cache-scratch benchmarks
 * (daanx/mimalloc-bench bench/cache-thrash/cache-thrash.cpp, bench/cache-scratch/cache-scratch.cpp):
 * `iterations` times, allocate an object, write and read back every byte of it `repetitions`
 * times, free it. If objects of different threads share a cache line, every write invalidates the
 * other threads' copies: the coherence misses the benchmarks exist to expose.
 */
import { num, type ParamSpec } from '../../lib/params.ts';
import type { Op } from '../../sim/thread.ts';
import type { WorkloadEnv } from '../contract.ts';
import { free, malloc, read, write } from '../ops.ts';
import { scaled, scaleParam, threadsParam } from './params.ts';

export function hoardParams(src: string): ParamSpec[] {
  return [
    threadsParam(8, 'worker threads (bench.sh runs 1 and nproc: 8 on the default machine)', 'bench.sh'),
    {
      name: 'iterations',
      type: 'int',
      default: 1000,
      min: 1,
      description: 'objects each thread allocates, uses and frees in turn',
      source: 'bench.sh',
    },
    { name: 'objSize', type: 'int', default: 1, min: 1, description: 'object size in bytes', source: 'bench.sh' },
    {
      name: 'repetitions',
      type: 'int',
      default: 2_000_000,
      min: 1,
      description: 'write+read passes over each object, divided among the threads (before scale)',
      source: src,
    },
    scaleParam(0.0001, 'the repetitions'),
  ];
}

export interface HoardConfig {
  threads: number;
  iterations: number;
  objSize: number;
  /** Passes per object per thread: repetitions / threads, as the source divides them. */
  perThread: number;
}

export function hoardConfig(env: WorkloadEnv): HoardConfig {
  const p = env.params;
  const threads = num(p, 'threads');
  return {
    threads,
    iterations: num(p, 'iterations'),
    objSize: num(p, 'objSize'),
    perThread: Math.max(1, Math.floor(scaled(num(p, 'repetitions'), num(p, 'scale')) / threads)),
  };
}

/** One worker's allocate / hammer / free loop. */
export function* hoardWorker(c: HoardConfig): Generator<Op, void, unknown> {
  for (let i = 0; i < c.iterations; i++) {
    const obj = (yield malloc(c.objSize)) as number;
    for (let j = 0; j < c.perThread; j++) {
      for (let k = 0; k < c.objSize; k++) {
        yield write(obj + k, k & 0xff, 1); // obj[k] = (char) k
        yield read(obj + k, 1); // volatile char ch = obj[k]
      }
    }
    yield free(obj);
  }
}
