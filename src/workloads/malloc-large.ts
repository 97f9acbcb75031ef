/**
 * `malloc-large`: large-block churn from mimalloc issue #447 as mimalloc-bench runs it
 * (daanx/mimalloc-bench bench/malloc-large/malloc-large.cpp).
 *
 * One thread, 2000 iterations: pick one of 20 buffers, allocate a new zero-filled buffer of
 * uniform size in [5 MiB, 25 MiB] (`std::make_unique<char[]>(n)`: operator new, then every byte
 * set to 0) and only then free the buffer it replaces. The buffers left are freed at exit. The
 * C++ program draws from std::mt19937(42); this model draws the same uniform choices from the run
 * seed. `scale` multiplies the iterations.
 */
import { num, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { scaled, scaleParam } from './lib/params.ts';
import { fill, free, malloc } from './ops.ts';

const SRC = 'daanx/mimalloc-bench bench/malloc-large/malloc-large.cpp';
const MIB = 1024 * 1024;

const PARAMS: ParamSpec[] = [
  { name: 'buffers', type: 'int', default: 20, min: 1, description: 'kNumBuffers: live buffers at most', source: SRC },
  { name: 'minMiB', type: 'int', default: 5, min: 1, description: 'kMinBufferSize in MiB', source: SRC },
  { name: 'maxMiB', type: 'int', default: 25, min: 1, description: 'kMaxBufferSize in MiB', source: SRC },
  { name: 'iterations', type: 'int', default: 2000, min: 1, description: 'kNumIterations (before scale)', source: SRC },
  scaleParam(0.01, 'the iterations'),
];

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const n = num(p, 'buffers');
  const lo = num(p, 'minMiB') * MIB;
  const hi = Math.max(lo, num(p, 'maxMiB') * MIB);
  const iterations = scaled(num(p, 'iterations'), num(p, 'scale'));
  const rng = env.rng(0);
  const main = function* (): ThreadBody {
    const buffers = new Array<number>(n).fill(0);
    for (let i = 0; i < iterations; i++) {
      const idx = rng.int(0, n - 1);
      const size = rng.int(lo, hi);
      const b = (yield malloc(size)) as number;
      yield fill(b, size, 0);
      if (buffers[idx] !== 0) yield free(buffers[idx] as number);
      buffers[idx] = b;
    }
    for (const b of buffers) if (b !== 0) yield free(b);
  };
  return { threads: [{ name: 'main', body: main() }] };
}

export const mallocLargeWorkload: WorkloadInfo = {
  name: 'malloc-large',
  summary: 'one thread replacing 20 zero-filled buffers of 5..25 MiB',
  params: PARAMS,
  sources: [SRC],
  doc: 'docs/workloads/malloc-large.md',
  create,
};
