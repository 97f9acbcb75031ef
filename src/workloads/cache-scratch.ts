/**
 * `cache-scratch`: Hoard's passive false-sharing test as mimalloc-bench runs it
 * (daanx/mimalloc-bench bench/cache-scratch/cache-scratch.cpp; bench.sh: `cache-scratch T 1000 1 2000000 P`,
 * T = 1 and nproc). Main allocates T 1-byte objects back to back (so they may share a line) and
 * hands one to each thread; each thread frees its object (a remote free) and then runs the
 * cache-thrash loop. An allocator that gives a thread back the freed object, or another object
 * of that line, makes the threads keep invalidating each other's copies.
 */
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { hoardConfig, hoardParams, hoardWorker, type HoardConfig } from './lib/hoard-cache.ts';
import { threadsVariant } from './lib/params.ts';
import { joinAll, spawnAll } from './lib/pthread.ts';
import { free, malloc } from './ops.ts';

const SRC = 'daanx/mimalloc-bench bench/cache-scratch/cache-scratch.cpp';

function* worker(c: HoardConfig, given: number): ThreadBody {
  yield free(given); // delete w->_object
  yield* hoardWorker(c);
}

function create(env: WorkloadEnv): WorkloadInstance {
  const c = hoardConfig(env);
  const main = function* (): ThreadBody {
    const objs: number[] = [];
    for (let i = 0; i < c.threads; i++) objs.push((yield malloc(c.objSize)) as number);
    const bodies = objs.map((o, i) => ({ body: worker(c, o), name: `worker-${i}` }));
    yield* joinAll(yield* spawnAll(bodies));
  };
  return { threads: [{ name: 'main', body: main() }] };
}

export const cacheScratchWorkload: WorkloadInfo = {
  name: 'cache-scratch',
  summary: 'passive false sharing: main hands each thread a 1-byte object to free, then threads hammer their own',
  params: hoardParams(SRC),
  sources: [SRC, 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/cache-scratch.md',
  variant: threadsVariant(),
  create,
};
