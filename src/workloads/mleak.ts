/**
 * `mleak`: mimalloc-bench's thread-exit leak test (daanx/mimalloc-bench bench/mleak/mleak.c;
 * bench.sh runs `mleak 5` as mleak10 and `mleak 50` as mleak100).
 *
 * ITER × 100 rounds; in each, main starts 10 threads and joins them. Each thread callocs a
 * 128-byte object, swaps it into a random one of 1000 shared slots (an atomic exchange) and frees
 * whatever was there: usually an object a thread that has since exited allocated. Allocators that
 * keep a dead thread's memory alive without reclaiming it grow without bound. Slots come from the
 * process-wide rand() seeded with srand(0x1ce4e5b9), consumed in the order the threads run; main
 * frees every slot at the end. `scale` multiplies the rounds.
 */
import { join, spawn } from '../sim/ops.ts';
import { num, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { GlibcRandom } from './lib/glibc-random.ts';
import { scaled, scaleParam, threadsParam } from './lib/params.ts';
import { calloc, exchange, free, read } from './ops.ts';

const SRC = 'daanx/mimalloc-bench bench/mleak/mleak.c';
const BASEITER = 100;
const ALLOC_WORDS = 16;

const PARAMS: ParamSpec[] = [
  threadsParam(10, 'threads per round (THREADS)', SRC),
  {
    name: 'iter',
    type: 'int',
    default: 5,
    min: 1,
    description: 'ITER: the program runs ITER × 100 rounds (bench.sh: 5 for mleak10, 50 for mleak100)',
    source: 'bench.sh',
  },
  scaleParam(1, 'the rounds'),
];

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const threads = num(p, 'threads');
  const transfers = threads * BASEITER;
  const rounds = scaled(num(p, 'iter') * BASEITER, num(p, 'scale'));
  const transfer = env.staticData(8 * transfers, 'mleak transfer');
  const rand = new GlibcRandom(0x1ce4e5b9 + env.seed - 1);
  const leak = function* (): ThreadBody {
    const obj = (yield calloc(ALLOC_WORDS, 8)) as number;
    const i = rand.next() % transfers;
    yield free((yield exchange(transfer + 8 * i, obj)) as number);
  };
  const main = function* (): ThreadBody {
    for (let n = 0; n < rounds; n++) {
      const handles = (yield calloc(threads, 8)) as number;
      const ids: number[] = [];
      for (let t = 0; t < threads; t++) ids.push((yield spawn(leak(), `leak-${n}.${t}`, t % env.cores)) as number);
      for (const id of ids) yield join(id);
      yield free(handles);
    }
    for (let i = 0; i < transfers; i++) yield free((yield read(transfer + 8 * i)) as number);
  };
  return { threads: [{ name: 'main', body: main() }], report: () => ({ rounds, threadsCreated: rounds * threads }) };
}

export const mleakWorkload: WorkloadInfo = {
  name: 'mleak',
  summary: "rounds of 10 one-shot threads each swapping a 128 B calloc into 1000 shared slots, freeing dead threads' objects",
  params: PARAMS,
  sources: [SRC, 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/mleak.md',
  // mleak10 and mleak100 in bench.sh are `mleak 5` and `mleak 50`.
  variant: (suffix) => (suffix === '10' ? { iter: 5 } : suffix === '100' ? { iter: 50 } : undefined),
  create,
};
