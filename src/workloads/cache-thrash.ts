/**
 * `cache-thrash`: Hoard's active false-sharing test as mimalloc-bench runs it
 * (daanx/mimalloc-bench bench/cache-thrash/cache-thrash.cpp; bench.sh: `cache-thrash T 1000 1 2000000 P`,
 * T = 1 and nproc). Each of T threads repeatedly allocates a 1-byte object, writes and reads it
 * back 2,000,000 / T times, and frees it. An allocator that hands different threads' objects out
 * of one cache line makes every write a coherence miss on the other cores.
 */
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { hoardConfig, hoardParams, hoardWorker } from './lib/hoard-cache.ts';
import { threadsVariant } from './lib/params.ts';
import { runThreads } from './lib/pthread.ts';

const SRC = 'daanx/mimalloc-bench bench/cache-thrash/cache-thrash.cpp';

function create(env: WorkloadEnv): WorkloadInstance {
  const c = hoardConfig(env);
  // Main starts and joins the workers even for T = 1, as the program does.
  return { threads: [{ name: 'main', body: runThreads(c.threads, 'worker', () => hoardWorker(c)) }] };
}

export const cacheThrashWorkload: WorkloadInfo = {
  name: 'cache-thrash',
  summary: 'active false sharing: threads each allocate, hammer and free 1-byte objects',
  params: hoardParams(SRC),
  sources: [SRC, 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/cache-thrash.md',
  variant: threadsVariant(),
  create,
};
