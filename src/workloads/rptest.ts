/**
 * `rptest`: Mattias Jansson's rpmalloc benchmark as mimalloc-bench runs it
 * (daanx/mimalloc-bench bench/rptest/rptest.c, benchmark.h; bench.sh:
 * `rptest P 0 1 2 500 1000 100 8 16000`: random sizes, linear size mode, a cross-thread batch
 * every 2nd loop, 500 loops, 1000 slots, 100 operations, sizes 8..16000).
 *
 * Main runs the benchmark twice; each time T workers each make two passes of 500 loops over their
 * 1000 slots. A loop frees up to 0.8 · F[k]% of 100 slots (stride 11), frees the batches other
 * threads sent it, allocates A[k]% of 100 slots (stride 7, freeing an occupant first), and every
 * second loop allocates one more batch of A[k] blocks and pushes it on the next thread's lock-free
 * list. Blocks of 4 KiB and more are calloc'd; smaller ones rotate among calloc, memalign(8) and
 * memalign(16), memset in full; each block's first word holds its size and each page is touched.
 * Threads synchronise with main between passes, free everything and exit. The program prints
 * memory operations per CPU second (time measured only inside the loops).
 *
 * The C program's fixed tables (2000 sizes, 311 allocation and 257 free counts, all uniform
 * integers) are drawn afresh from the run seed with the same ranges; the sleeps of its
 * synchronisation are left out (they are outside its timed sections). `scale` multiplies the loops.
 */
import { barrier, now, spawn, join } from '../sim/ops.ts';
import { Barrier } from '../sim/primitives.ts';
import { num, type ParamSpec } from '../lib/params.ts';
import type { Rng } from '../sim/rng.ts';
import type { Op, ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { scaled, scaleParam, threadsParam, threadsVariant } from './lib/params.ts';
import { atomicLoad, calloc, cas, fetchAdd, fill, free, malloc, read, touch, write } from './ops.ts';

const SRC = 'daanx/mimalloc-bench bench/rptest/rptest.c';
const RANDOM_SIZES = 2000;
const ALLOC_OPS = 311;
const FREE_OPS = 257;
const ALIGNMENT = [0, 8, 16];
const PRIMES = [7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];
/** struct thread_pointers: pointers, count, next, allocated. */
const TP_BYTES = 32;

const PARAMS: ParamSpec[] = [
  threadsParam(8, 'threads (bench.sh passes nproc: 8 on the default machine)', 'bench.sh'),
  {
    name: 'crossRate',
    type: 'int',
    default: 2,
    min: 0,
    description: 'send a batch to the next thread every N loops (0: never)',
    source: 'bench.sh',
  },
  { name: 'loops', type: 'int', default: 500, min: 1, description: 'loops per pass (before scale)', source: 'bench.sh' },
  { name: 'allocs', type: 'int', default: 1000, min: 1, description: 'slots per thread', source: 'bench.sh' },
  {
    name: 'opCount',
    type: 'int',
    default: 100,
    min: 1,
    description: "operations per loop (scaled by the tables' percentages)",
    source: 'bench.sh',
  },
  { name: 'minSize', type: 'int', default: 8, min: 1, description: 'smallest block', source: 'bench.sh' },
  { name: 'maxSize', type: 'int', default: 16000, min: 1, description: 'largest block', source: 'bench.sh' },
  {
    name: 'sizeMode',
    type: 'enum',
    default: 'linear',
    choices: ['even', 'linear', 'exp'],
    description: 'size distribution: even, linear or exponential drop-off',
    source: 'bench.sh',
  },
  scaleParam(0.03, 'the loops'),
];

interface Tables {
  sizes: number[];
  allocOps: number[];
  freeOps: number[];
}

/** rptest's setup of its size and count tables, from uniform draws in the C tables' ranges. */
export function rptestTables(rng: Rng, minSize: number, maxSize: number, opCount: number, mode: string): Tables {
  const raw = Array.from({ length: RANDOM_SIZES }, () => rng.int(0, 99999));
  const range = maxSize - minSize;
  const even = raw.map((v) => minSize + Math.round(range * (v / 100000)));
  const r = range === 0 ? 1 : range;
  const lin: number[] = [];
  const exp: number[] = [];
  for (let i = 0; i < RANDOM_SIZES; i++) {
    const w0 = 1 - ((even[i] as number) - minSize) / r;
    const w1 = 1 - ((even[(i + 1) % RANDOM_SIZES] as number) - minSize) / r;
    const e = (even[(i + 2) % RANDOM_SIZES] as number) - minSize;
    lin.push(minSize + Math.trunc(e * Math.abs(w0 + w1 - 1)));
    exp.push(minSize + Math.trunc(e * (w0 * w1)));
  }
  const allocOps = Array.from({ length: ALLOC_OPS }, () => Math.trunc(opCount * (rng.int(30, 99) / 100)));
  const freeOps = Array.from({ length: FREE_OPS }, () => Math.trunc(0.8 * opCount * (rng.int(30, 99) / 100)));
  return { sizes: mode === 'even' ? even : mode === 'exp' ? exp : lin, allocOps, freeOps };
}

interface Shared {
  t: Tables;
  threads: number;
  crossRate: number;
  loops: number;
  allocs: number;
  allocScatter: number;
  freeScatter: number;
  /** benchmark_threads_sync, cross_thread_counter, then each thread's `foreign` list head (64 B apart). */
  g: number;
  sync: Barrier;
  mops: number;
  ticks: number;
}

const SYNC = 0;
const CROSS_COUNTER = 8;
const head = (s: Shared, i: number): number => s.g + 64 * (i + 1);

/** benchmark_malloc: memalign + memset for a non-zero alignment, calloc otherwise; then the page touches. */
function* benchmarkMalloc(s: Shared, alignment: number, size: number): Generator<Op, number, unknown> {
  let p: number;
  if (alignment !== 0) {
    p = (yield malloc(size, alignment)) as number;
    if (p !== 0) yield fill(p, size, 0xcd);
  } else {
    p = (yield calloc(1, size)) as number;
  }
  return p;
}

function* allocBlock(s: Shared, alignment: number, size: number): Generator<Op, number, unknown> {
  const p = yield* benchmarkMalloc(s, alignment, size);
  if (size >= 4) yield write(p, size, 4); // *(int32_t*)p = size
  const pages = Math.floor((size - 1) / 4096);
  for (let page = 1; page < pages; page++) yield touch(p + page * 4096, 1, true);
  yield touch(p + size - 1, 1, true);
  s.mops++;
  return p;
}

function* freeBlock(s: Shared, p: number): Generator<Op, void, unknown> {
  yield touch(p, 4, false); // allocated -= *(int32_t*)p
  yield free(p);
  s.mops++;
}

/** get_cross_thread_memory: takes the whole list, leaving a fresh tag. */
function* takeForeign(s: Shared, i: number): Generator<Op, number, unknown> {
  for (;;) {
    const prev = (yield atomicLoad(head(s, i))) as number;
    const cur = prev - (prev % 16);
    if (cur === 0) return 0;
    const tag = (((yield fetchAdd(s.g + CROSS_COUNTER, 1)) as number) + 1) % 16;
    if ((yield cas(head(s, i), prev, tag)) as boolean) return cur;
  }
}

/** put_cross_thread_memory: pushes a batch on thread i's list. */
function* putForeign(s: Shared, i: number, tp: number): Generator<Op, void, unknown> {
  for (;;) {
    const prev = (yield atomicLoad(head(s, i))) as number;
    yield write(tp + 16, prev - (prev % 16));
    const tag = (((yield fetchAdd(s.g + CROSS_COUNTER, 1)) as number) + 1) % 16;
    if ((yield cas(head(s, i), prev, tp + tag)) as boolean) return;
  }
}

function* freeForeign(s: Shared, first: number): Generator<Op, void, unknown> {
  for (let tp = first; tp !== 0;) {
    const pointers = (yield read(tp)) as number;
    const count = (yield read(tp + 8)) as number;
    for (let k = 0; k < count; k++) yield* freeBlock(s, (yield read(pointers + 8 * k)) as number);
    const next = (yield read(tp + 16)) as number;
    yield free(pointers);
    yield free(tp);
    s.mops += 2;
    tp = next;
  }
}

/** One worker's state: its slots and cursors (benchmark_worker's locals). */
interface Worker {
  index: number;
  slots: number;
  ptr: number[];
  allocIdx: number;
  freeIdx: number;
  crossIndex: number;
  sizeIndex: number;
}

/** The next block of the size table, with its alignment rotation (k-th of the loop). */
function* nextBlock(s: Shared, w: Worker, k: number): Generator<Op, number, unknown> {
  const size = s.t.sizes[(w.sizeIndex + 2) % RANDOM_SIZES] as number;
  const p = yield* allocBlock(s, size < 4096 ? (ALIGNMENT[(w.sizeIndex + k) % 3] as number) : 0, size);
  w.sizeIndex = (w.sizeIndex + 1) % RANDOM_SIZES;
  return p;
}

/** Frees `count` slots stepping by the free scatter, then allocates `allocCount` stepping by the alloc scatter. */
function* replaceSlots(s: Shared, w: Worker, freeCount: number, allocCount: number, foreign: number): Generator<Op, void, unknown> {
  for (let k = 0; k < freeCount; k++) {
    yield touch(w.slots + 8 * w.freeIdx, 8, true);
    if (w.ptr[w.freeIdx] !== 0) {
      yield* freeBlock(s, w.ptr[w.freeIdx] as number);
      w.ptr[w.freeIdx] = 0;
    }
    w.freeIdx = (w.freeIdx + s.freeScatter) % s.allocs;
  }
  yield* freeForeign(s, foreign);
  for (let k = 0; k < allocCount; k++) {
    yield touch(w.slots + 8 * w.allocIdx, 8, true);
    if (w.ptr[w.allocIdx] !== 0) yield* freeBlock(s, w.ptr[w.allocIdx] as number);
    w.ptr[w.allocIdx] = yield* nextBlock(s, w, k);
    w.allocIdx = (w.allocIdx + s.allocScatter) % s.allocs;
  }
}

/** A batch of `count` fresh blocks (struct thread_pointers + its pointer array) for another thread. */
function* makeBatch(s: Shared, w: Worker, count: number): Generator<Op, number, unknown> {
  const batch = yield* benchmarkMalloc(s, 16, TP_BYTES);
  const pointers = yield* benchmarkMalloc(s, 16, 8 * count);
  yield write(batch, pointers);
  yield write(batch + 8, count);
  s.mops += 2;
  for (let k = 0; k < count; k++) yield write(pointers + 8 * k, yield* nextBlock(s, w, k));
  return batch;
}

/** One pass of `loops` loops; the timed parts add to the CPU ticks. */
function* pass(s: Shared, w: Worker, iter: number): Generator<Op, void, unknown> {
  w.sizeIndex = ((w.index + 1) * ((iter + 1) * 37)) % RANDOM_SIZES;
  let doForeign = true;
  for (let loop = 0; loop < s.loops; loop++) {
    const foreign = yield* takeForeign(s, w.index);
    const start = (yield now()) as number;
    const allocCount = s.t.allocOps[(iter + loop) % ALLOC_OPS] as number;
    yield* replaceSlots(s, w, s.t.freeOps[(iter + loop) % FREE_OPS] as number, allocCount, foreign);
    const batch = s.crossRate > 0 && loop % s.crossRate === 0 && doForeign ? yield* makeBatch(s, w, allocCount) : 0;
    s.ticks += ((yield now()) as number) - start;
    if (batch !== 0) {
      w.crossIndex = (w.crossIndex + 1) % s.threads;
      if (s.threads > 1 && w.crossIndex === w.index) w.crossIndex = (w.crossIndex + 1) % s.threads;
      yield* putForeign(s, w.crossIndex, batch);
    }
    if (((yield atomicLoad(s.g + SYNC)) as number) > 0) doForeign = false; // one thread completed
  }
}

/** Reports completion and waits for main (the C code polls, draining its list, while it waits). */
function* meetMain(s: Shared, w: Worker): Generator<Op, void, unknown> {
  yield fetchAdd(s.g + SYNC, 1);
  yield barrier(s.sync);
  yield* freeForeign(s, yield* takeForeign(s, w.index));
}

function* worker(s: Shared, index: number): ThreadBody {
  const slots = yield* benchmarkMalloc(s, 16, 8 * s.allocs);
  const w: Worker = { index, slots, ptr: new Array<number>(s.allocs).fill(0), allocIdx: 0, freeIdx: 0, crossIndex: 0, sizeIndex: 0 };
  for (let iter = 0; iter < 2; iter++) {
    yield* pass(s, w, iter);
    yield* meetMain(s, w);
    const start = (yield now()) as number;
    for (let k = 0; k < s.allocs; k++) {
      if (k % 8 === 0) yield touch(slots + 8 * k, 8, true);
      if (w.ptr[k] !== 0) {
        yield* freeBlock(s, w.ptr[k] as number);
        w.ptr[k] = 0;
      }
    }
    s.ticks += ((yield now()) as number) - start;
    yield* freeForeign(s, yield* takeForeign(s, index));
  }
  yield* meetMain(s, w);
  yield free(slots);
}

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const threads = num(p, 'threads');
  const allocs = num(p, 'allocs');
  let k = 0;
  while (allocs % (PRIMES[k] as number) === 0) k++;
  const allocScatter = PRIMES[k] as number;
  k++;
  while (allocs % (PRIMES[k] as number) === 0) k++;
  const s: Shared = {
    t: rptestTables(env.rng(0), num(p, 'minSize'), num(p, 'maxSize'), num(p, 'opCount'), String(p.sizeMode)),
    threads,
    crossRate: threads === 1 ? 0 : num(p, 'crossRate'),
    loops: scaled(num(p, 'loops'), num(p, 'scale')),
    allocs,
    allocScatter,
    freeScatter: PRIMES[k] as number,
    g: env.staticData(64 * (threads + 1), 'rptest sync and foreign lists'),
    sync: new Barrier('benchmark_threads_sync', threads + 1),
    mops: 0,
    ticks: 0,
  };
  const main = function* (): ThreadBody {
    const args = (yield calloc(1, 256 * threads)) as number;
    const handles = (yield calloc(1, 8 * threads)) as number;
    for (let pass = 0; pass < 2; pass++) {
      yield write(s.g + SYNC, 0);
      const ids: number[] = [];
      for (let i = 0; i < threads; i++) ids.push((yield spawn(worker(s, i), `benchmark_worker-${i}`)) as number);
      for (let sync = 0; sync < 3; sync++) {
        yield barrier(s.sync); // every worker has reported; main samples memory use and releases them
        yield write(s.g + SYNC, 0);
      }
      for (const id of ids) yield join(id);
    }
    yield free(handles);
    yield free(args);
  };
  return {
    threads: [{ name: 'main', body: main() }],
    report: (hz) => {
      const cpuSeconds = s.ticks / hz;
      const opsPerCpuSecond = cpuSeconds > 0 ? s.mops / cpuSeconds : 0;
      return { memoryOps: s.mops, cpuSeconds, opsPerCpuSecond, rtime: opsPerCpuSecond > 0 ? 2e6 / opsPerCpuSecond : 0 };
    },
  };
}

export const rptestWorkload: WorkloadInfo = {
  name: 'rptest',
  summary:
    'rpmalloc benchmark: strided slot replacement of 8..16000 B blocks plus batches handed to the next thread through lock-free lists',
  params: PARAMS,
  sources: [SRC, 'daanx/mimalloc-bench bench/rptest/benchmark.h', 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/rptest.md',
  variant: threadsVariant(),
  create,
};
