/**
 * `sh8bench`: MicroQuill's SmartHeap 8 benchmark as mimalloc-bench runs it (bench.sh:
 * `sh8bench 2P`; the downloaded SH8BENCH.C is patched by daanx/mimalloc-bench
 * bench/shbench/sh8bench.patch: 700,000 iterations, and each block's first and last byte written).
 *
 * Main starts T threads, then allocates F 8-byte "foreign" blocks (F = 10^7 rounded down to a
 * multiple of T²), each holding the address of its slot in a shared array. Every iteration a
 * thread first frees the foreign blocks main has produced so far from its share (F/T² from each
 * of the T regions: remote frees into main's heap, reading each block first), then allocates the
 * next step of a cyclic size histogram (16 B × 5000, 48 × 1000, 72 × 100, 148 × 100, 200 × 100,
 * 520 × 10, 1056 × 5, 4096 × 3, 9162, 34562, 168524, 8 × 1000) into a ring of heapSize / T
 * slots freed with the moving window of lib/sh-ring.ts. Nothing is freed at the end.
 *
 * `scale` multiplies the iterations, the ring and the foreign blocks together.
 */
import { num, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { scaled, scaleParam, threadsParam, threadsVariant } from './lib/params.ts';
import { joinAll, spawnAll } from './lib/pthread.ts';
import { ShRing } from './lib/sh-ring.ts';
import { touchEnds } from './lib/touch.ts';
import { fill, free, malloc, read, write } from './ops.ts';

const PATCH = 'daanx/mimalloc-bench bench/shbench/sh8bench.patch';

/** blockSizeHistogramDefault: [size, count]; entry 0 is also the foreign blocks' size. */
export const SH8_HISTOGRAM: ReadonlyArray<readonly [number, number]> = [
  [8, 1000],
  [16, 5000],
  [48, 1000],
  [72, 100],
  [148, 100],
  [200, 100],
  [520, 10],
  [1056, 5],
  [4096, 3],
  [9162, 1],
  [34562, 1],
  [168524, 1],
];

const PARAMS: ParamSpec[] = [
  threadsParam(16, 'threads (bench.sh passes 2 × nproc: 16 on the default machine)', 'bench.sh'),
  {
    name: 'iterations',
    type: 'int',
    default: 700000,
    min: 1,
    description: 'ulIterations, divided among the threads (before scale)',
    source: PATCH,
  },
  {
    name: 'heapSize',
    type: 'int',
    default: 1000000,
    min: 5,
    description: 'ulHeapSize: ring slots, divided among the threads (before scale)',
    source: 'SH8BENCH.C',
  },
  {
    name: 'foreignAllocs',
    type: 'int',
    default: 10000000,
    min: 0,
    description: 'ulForeignAllocCount: blocks main allocates for the threads to free (before scale)',
    source: 'SH8BENCH.C',
  },
  scaleParam(0.0003, 'the iterations, the ring slots and the foreign blocks'),
];

interface Shared {
  threads: number;
  iterations: number;
  heap: number;
  /** F: foreign blocks, a multiple of threads². */
  foreign: number;
  /** interThreadMem: F slots written by main. */
  buf: number;
}

function* doBench(s: Shared, index: number): ThreadBody {
  const slotSize = s.foreign / s.threads;
  const perThreadReset = slotSize / s.threads;
  let freesLeft = s.foreign > 0 ? slotSize : 0;
  let perThread = perThreadReset;
  let at = s.buf + 8 * perThreadReset * index;
  const memory = (yield malloc(s.heap * 8)) as number;
  const ring = new ShRing(memory, s.heap);
  let sizeIndex = 0;
  for (let it = 0; it < s.iterations; it++) {
    // Free the foreign blocks made available so far, spread evenly over every thread's region.
    while (freesLeft > 0) {
      const block = (yield read(at)) as number;
      if (block === 0) break;
      yield read(block); // assert(**foreignFrees == foreignFrees)
      yield free(block);
      at += 8;
      freesLeft--;
      if (--perThread === 0) {
        perThread = perThreadReset;
        at += 8 * (slotSize - perThread);
      }
    }
    if (++sizeIndex === SH8_HISTOGRAM.length) sizeIndex = 0;
    const [size, count] = SH8_HISTOGRAM[sizeIndex] as readonly [number, number];
    for (let c = 0; c < count; c++) {
      const slot = yield* ring.next();
      if (slot < 0) continue; // the wrap consumes this count without allocating
      const p = (yield malloc(size)) as number;
      yield* ring.put(slot, p);
      yield* touchEnds(p, size);
    }
  }
  // The residual frees are compiled out in the source (#if 0): the ring and its blocks leak.
}

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const threads = num(p, 'threads');
  const scale = num(p, 'scale');
  const t2 = threads * threads;
  const s: Shared = {
    threads,
    iterations: Math.max(1, Math.floor(scaled(num(p, 'iterations'), scale) / threads)),
    heap: Math.max(5, Math.floor(scaled(num(p, 'heapSize'), scale) / threads)),
    foreign: Math.floor(Math.round(num(p, 'foreignAllocs') * scale) / t2) * t2,
    buf: 0,
  };
  const main = function* (): ThreadBody {
    const tids = (yield malloc(8 * threads)) as number;
    let itb = 0;
    if (s.foreign > 0) {
      s.buf = (yield malloc(8 * s.foreign)) as number;
      itb = (yield malloc(16 * threads)) as number;
      yield fill(s.buf, 8 * s.foreign, 0);
    }
    const ids = yield* spawnAll(Array.from({ length: threads }, (_, i) => ({ body: doBench(s, i), name: `doBench-${i}` })));
    for (let i = 0; i < s.foreign; i++) {
      // Equal-sized foreign blocks "to maximize collisions"; each records its slot's address.
      const block = (yield malloc(SH8_HISTOGRAM[0]?.[0] as number)) as number;
      yield write(block, s.buf + 8 * i);
      yield write(s.buf + 8 * i, block);
    }
    yield* joinAll(ids.reverse());
    yield free(tids);
    if (s.foreign > 0) {
      yield free(s.buf);
      yield free(itb);
    }
  };
  return {
    threads: [{ name: 'main', body: main() }],
    report: () => ({ iterationsPerThread: s.iterations, ringSlots: s.heap, foreignBlocks: s.foreign }),
  };
}

export const sh8benchWorkload: WorkloadInfo = {
  name: 'sh8bench',
  summary: 'SmartHeap sh8bench: a cyclic size histogram through per-thread rings, plus frees of blocks main allocates (remote frees)',
  params: PARAMS,
  sources: ['MicroQuill SH8BENCH.C (http://www.microquill.com/smartheap/SH8BENCH.zip)', PATCH, 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/sh8bench.md',
  variant: threadsVariant(),
  create,
};
