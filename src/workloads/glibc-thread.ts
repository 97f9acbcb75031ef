/**
 * `glibc-thread`: glibc's bench-malloc-thread as modified for mimalloc-bench
 * (daanx/mimalloc-bench bench/glibc-bench/bench-malloc-thread.c; bench.sh: `glibc-thread P`).
 *
 * P threads run for 2 seconds, each over its own 1024-slot working set (arrays on main's stack):
 * free the block in the next slot, allocate a new one and write every byte of it. Slots come from
 * a shared table of 4096 random indexes and sizes from a table of 8000 inverse-square sizes in
 * [4, 32768], both filled with rand() before the run (never seeded, so seed 1; the run seed s
 * uses srand(s)); every thread walks both tables from the start. The program prints the total
 * iterations (bench.sh: relative time 1e9 / iterations). The working sets are never freed.
 */
import { join, sleep, spawn } from '../sim/ops.ts';
import { num, type ParamSpec } from '../lib/params.ts';
import type { Op, ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { GlibcRandom } from './lib/glibc-random.ts';
import { scaleParam, threadsParam, threadsVariant } from './lib/params.ts';
import { PointerArray } from './lib/pointer-array.ts';
import { free, malloc, read, touch, write } from './ops.ts';

const SRC = 'daanx/mimalloc-bench bench/glibc-bench/bench-malloc-thread.c';
const WORKING_SET_SIZE = 1024;
const NUM_BLOCK_SIZES = 8000;
const NUM_OFFSETS = WORKING_SET_SIZE * 4;
const RAND_MAX = 2147483647;

const PARAMS: ParamSpec[] = [
  threadsParam(8, 'threads (bench.sh passes nproc: 8 on the default machine)', 'bench.sh'),
  {
    name: 'seconds',
    type: 'number',
    default: 2,
    min: 1e-6,
    description: 'BENCHMARK_DURATION in simulated seconds (before scale)',
    source: SRC,
  },
  scaleParam(0.0004, 'the run time'),
];

/** get_block_size: an inverse-square distribution over [4, 32768], in single precision as the C code. */
export function inverseSquareSize(randData: number): number {
  const f = Math.fround;
  const minPow = f(1 / 4); // powf(4, -1)
  const maxPow = f(1 / 32768); // powf(32768, -1)
  const r = f(f(randData) / f(RAND_MAX));
  return Math.trunc(f(1 / f(f(f(maxPow - minPow) * r) + minPow)));
}

export function glibcThreadTables(seed: number): { sizes: number[]; offsets: number[] } {
  const rand = new GlibcRandom(seed);
  const sizes = Array.from({ length: NUM_BLOCK_SIZES }, () => inverseSquareSize(rand.next()));
  const offsets = Array.from({ length: NUM_OFFSETS }, () => rand.next() % WORKING_SET_SIZE);
  return { sizes, offsets };
}

interface Shared {
  sizes: number[];
  offsets: number[];
  timeout: number;
  iterations: number;
}

function* benchmarkLoop(s: Shared, set: PointerArray): Generator<Op, void, unknown> {
  let offsetState = 0;
  let blockState = 0;
  while (((yield read(s.timeout, 1)) as number) === 0) {
    offsetState = offsetState >= NUM_OFFSETS - 1 ? 0 : offsetState + 1;
    blockState = blockState >= NUM_BLOCK_SIZES - 1 ? 0 : blockState + 1;
    const idx = s.offsets[offsetState] as number;
    const size = s.sizes[blockState] as number;
    yield* set.access(idx, true);
    yield free(set.get(idx));
    const p = (yield malloc(size)) as number;
    set.set(idx, p);
    yield touch(p, size, true);
    s.iterations++;
  }
}

function create(env: WorkloadEnv): WorkloadInstance {
  const threads = num(env.params, 'threads');
  const cycles = num(env.params, 'seconds') * num(env.params, 'scale') * env.cyclesPerSecond;
  // The timeout flag (set by the SIGALRM handler) and the working sets on main's stack.
  const g = env.staticData(64 + 8 * WORKING_SET_SIZE * threads, 'glibc-thread globals and working sets');
  const s: Shared = { ...glibcThreadTables(env.seed), timeout: g, iterations: 0 };
  const sets = Array.from({ length: threads }, (_, i) => new PointerArray(g + 64 + 8 * WORKING_SET_SIZE * i, WORKING_SET_SIZE));
  const main = function* (): ThreadBody {
    if (threads === 1) {
      // One thread: the loop runs in main; the alarm is modelled by a timer thread.
      yield spawn(
        (function* (): ThreadBody {
          yield sleep(cycles);
          yield write(s.timeout, 1, 1);
        })(),
        'alarm',
      );
      yield* benchmarkLoop(s, sets[0] as PointerArray);
      return;
    }
    const ids: number[] = [];
    for (let i = 0; i < threads; i++) ids.push((yield spawn(benchmarkLoop(s, sets[i] as PointerArray), `benchmark_thread-${i}`)) as number);
    yield sleep(cycles); // alarm(BENCHMARK_DURATION) fires while main waits in pthread_join
    yield write(s.timeout, 1, 1);
    for (const id of ids) yield join(id);
  };
  return {
    threads: [{ name: 'main', body: main() }],
    report: () => ({ iterations: s.iterations, rtime: s.iterations > 0 ? 1e9 / s.iterations : 0 }),
  };
}

export const glibcThreadWorkload: WorkloadInfo = {
  name: 'glibc-thread',
  summary: 'glibc bench-malloc-thread: threads replace blocks of inverse-square sizes (4..32768 B) in private 1024-slot sets',
  params: PARAMS,
  sources: [SRC, 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/glibc-thread.md',
  variant: threadsVariant(),
  create,
};
