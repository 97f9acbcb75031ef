/**
 * `larson`: Paul Larson's server simulation as mimalloc-bench runs it
 * (daanx/mimalloc-bench bench/larson/larson.cpp; bench.sh: `larson 5 8 1000 5000 100 4141 P`).
 *
 * Main fills P × 5000 slots with blocks of uniform size in [8, 1000), shuffles them and does
 * 4 × P × 5000 random replacements (warmup). Thread i then owns slots [i·5000, (i+1)·5000): it
 * repeatedly frees a random slot's block (at first, blocks main allocated: remote frees), allocates
 * a new one and writes two bytes into it. After `rounds × 5000` operations a thread starts a
 * successor on the same slots and exits (thread churn: frees into the heaps of dead threads). Main
 * sleeps for the run time, raises the stop flag and waits for every chain to finish; the program
 * prints allocations per second (bench.sh: relative time 1e9 / throughput).
 *
 * `scale` shortens the run time and the operations per thread generation together, so a scaled
 * run has as many generations per chain as the real one. The slot array and the stop flag are
 * application memory; sizes and victims come from the program's own lran2 generators.
 */
import { counterAdd, now, sleep, spawn, waitBelow } from '../sim/ops.ts';
import { SimCounter } from '../sim/primitives.ts';
import { num, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { Lran2 } from './lib/lran2.ts';
import { scaled, scaleParam, threadsParam, threadsVariant } from './lib/params.ts';
import { free, malloc, read, touch, write } from './ops.ts';

const SRC = 'daanx/mimalloc-bench bench/larson/larson.cpp';

const PARAMS: ParamSpec[] = [
  threadsParam(8, 'worker threads (bench.sh passes nproc: 8 on the default machine)', 'bench.sh'),
  { name: 'seconds', type: 'number', default: 5, min: 1e-6, description: 'run time in simulated seconds before scale', source: 'bench.sh' },
  { name: 'minSize', type: 'int', default: 8, min: 1, description: 'smallest block', source: 'bench.sh' },
  { name: 'maxSize', type: 'int', default: 1000, min: 1, description: 'blocks are min + lran2() % (max - min) bytes', source: 'bench.sh' },
  {
    name: 'chunksPerThread',
    type: 'int',
    default: 1000,
    min: 1,
    source: 'bench.sh',
    description: 'slots per thread (bench.sh: 5000; the warm-up of O(free blocks) allocators is quadratic in it, so the default is 1000)',
  },
  {
    name: 'rounds',
    type: 'int',
    default: 100,
    min: 1,
    description: 'a thread generation does rounds × chunksPerThread × scale operations',
    source: 'bench.sh',
  },
  {
    name: 'programSeed',
    type: 'int',
    default: 4141,
    min: 0,
    description: 'lran2 seed; the run seed s uses programSeed + s − 1',
    source: 'bench.sh',
  },
  scaleParam(0.0002, 'the run time and the operations per thread generation'),
];

interface Shared {
  stop: number;
  slots: number;
  minSize: number;
  range: number;
  chunks: number;
  opsPerGeneration: number;
  chains: SimCounter;
  allocs: number;
  generations: number;
}

function blockSize(s: Shared, r: Lran2): number {
  return s.range === 0 ? s.minSize : s.minSize + (r.next() % s.range);
}

/** exercise_heap: one thread generation of chain `i`; starts its successor unless stopped. */
function* exerciseHeap(s: Shared, i: number, rgen: Lran2, core: number): ThreadBody {
  if (((yield read(s.stop)) as number) !== 0) {
    yield counterAdd(s.chains, -1);
    return;
  }
  s.generations++;
  const base = s.slots + 8 * i * s.chunks;
  for (let n = 0; n < s.opsPerGeneration; n++) {
    const slot = base + 8 * (rgen.next() % s.chunks);
    yield free((yield read(slot)) as number);
    const p = (yield malloc(blockSize(s, rgen))) as number;
    yield write(slot, p);
    s.allocs++;
    yield touch(p, 2, true); // writes 'a', reads it back, writes 'b'
    if (((yield read(s.stop)) as number) !== 0) break;
  }
  if (((yield read(s.stop)) as number) === 0) yield spawn(exerciseHeap(s, i, rgen, core), `exercise_heap-${i}`, core);
  else yield counterAdd(s.chains, -1);
}

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const threads = num(p, 'threads');
  const scale = num(p, 'scale');
  const chunks = num(p, 'chunksPerThread');
  const minSize = num(p, 'minSize');
  const numChunks = threads * chunks;
  const g = env.staticData(64 + 8 * numChunks, 'larson globals');
  const s: Shared = {
    stop: g,
    slots: g + 64,
    minSize,
    range: Math.max(0, num(p, 'maxSize') - minSize),
    chunks,
    opsPerGeneration: scaled(num(p, 'rounds') * chunks, scale),
    chains: new SimCounter('running chains', threads),
    allocs: 0,
    generations: 0,
  };
  const rgen = new Lran2(num(p, 'programSeed') + env.seed - 1);
  let duration = 0;
  const main = function* (): ThreadBody {
    // warmup(): fill every slot, shuffle, then 4 × numChunks random replacements. The slot array
    // lives in main's cache afterwards (the swaps are charged as one pass over it).
    const blk: number[] = [];
    for (let c = 0; c < numChunks; c++) blk.push((yield malloc(blockSize(s, rgen))) as number);
    for (let c = numChunks; c > 0; c--) {
      const v = rgen.next() % c;
      const t = blk[v] as number;
      blk[v] = blk[c - 1] as number;
      blk[c - 1] = t;
    }
    for (let c = 0; c < 4 * numChunks; c++) {
      const v = rgen.next() % numChunks;
      yield free(blk[v] as number);
      blk[v] = (yield malloc(blockSize(s, rgen))) as number;
    }
    for (let c = 0; c < numChunks; c++) yield write(s.slots + 8 * c, blk[c] as number);
    const start = (yield now()) as number;
    for (let i = 0; i < threads; i++) {
      const core = (i + 1) % env.cores;
      yield spawn(exerciseHeap(s, i, new Lran2(rgen.next()), core), `exercise_heap-${i}`, core);
    }
    yield sleep(num(p, 'seconds') * scale * env.cyclesPerSecond);
    yield write(s.stop, 1);
    yield waitBelow(s.chains, 1);
    duration = ((yield now()) as number) - start;
    // The program exits without freeing the slots.
  };
  return {
    threads: [{ name: 'main', body: main() }],
    report: (hz) => {
      const seconds = duration / hz;
      const throughput = seconds > 0 ? s.allocs / seconds : 0;
      return { allocs: s.allocs, threadGenerations: s.generations, seconds, throughput, rtime: throughput > 0 ? 1e9 / throughput : 0 };
    },
  };
}

export const larsonWorkload: WorkloadInfo = {
  name: 'larson',
  summary:
    'server simulation: threads replace random blocks of 8..1000 B in their slots; each thread hands its slots to a successor (churn)',
  params: PARAMS,
  sources: [SRC, 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/larson.md',
  variant: threadsVariant(),
  create,
};
