/**
 * `alloc-test`: OLogN's allocator tester as mimalloc-bench builds it (daanx/mimalloc-bench
 * bench/alloc-test/allocator_tester.h, allocator_tester.cpp with BENCH=4; bench.sh: `alloc-test 1`
 * and `alloc-test min(P,16)`).
 *
 * Each of T threads owns 2^18 / T slots (a 16-byte TestBin per slot in one allocated array).
 * Setup fills the slots whose bit is set in successive random words (about half). The main loop
 * does 100,000,000 operations: pick a slot from a six-level 80/20 Pareto table, then read every
 * byte of its block and free it, or, if it is empty, allocate a block and memset it. Sizes: with
 * c = ctz(U[1..128]) + 2, uniform in (2^c, 2^(c+1)], so 5..1024 bytes, mean about 27.5. Every
 * thread seeds the program's PRNG with 41, so all threads do the same work. At the end each thread
 * reads and frees what is left. `scale` multiplies the main loop.
 */
import { num, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { scaled, scaleParam, threadsParam, threadsVariant } from './lib/params.ts';
import { AllocTestPrng } from './lib/prng64.ts';
import { runThreads } from './lib/pthread.ts';
import { fill, free, malloc, touch } from './ops.ts';

const SRC = 'daanx/mimalloc-bench bench/alloc-test/allocator_tester.h';
const UINT32_MAX = 4294967295;
const PARETO_80_20_6 = [0.262144, 0.393216, 0.24576, 0.08192, 0.01536, 0.001536, 0.000064];
const BIN_BYTES = 16;
const BINS_PER_LINE = 4;

const PARAMS: ParamSpec[] = [
  threadsParam(8, 'threads (bench.sh: 1, and min(nproc, 16): 8 on the default machine)', 'bench.sh'),
  {
    name: 'items',
    type: 'int',
    default: 1 << 18,
    min: 32,
    description: 'slots shared out among the threads (maxItems)',
    source: 'daanx/mimalloc-bench bench/alloc-test/allocator_tester.cpp',
  },
  {
    name: 'iterations',
    type: 'int',
    default: 100_000_000,
    min: 32,
    description: 'main-loop operations per thread (iterCount, before scale)',
    source: 'daanx/mimalloc-bench bench/alloc-test/allocator_tester.cpp',
  },
  {
    name: 'maxItemSizeExp',
    type: 'int',
    default: 10,
    min: 3,
    max: 20,
    description: 'largest block 2^exp bytes',
    source: 'daanx/mimalloc-bench bench/alloc-test/allocator_tester.cpp',
  },
  {
    name: 'programSeed',
    type: 'int',
    default: 41,
    min: 0,
    description: 'rndSeed of every thread; the run seed s uses programSeed + s − 1',
    source: 'daanx/mimalloc-bench bench/alloc-test/allocator_tester.cpp',
  },
  scaleParam(0.0001, 'the main-loop operations'),
];

/** calcSizeWithStatsAdjustment. */
export function allocTestSize(randNum: bigint, maxItemSizeExp: number): number {
  const e = BigInt(maxItemSizeExp - 3);
  const statClassBase = Number(randNum & ((1n << e) - 1n)) + 1;
  const rest = randNum >> e;
  let idx = 0;
  while (((statClassBase >>> idx) & 1) === 0) idx++;
  idx += 2;
  return Number(rest & BigInt((1 << idx) - 1)) + 1 + (1 << idx);
}

/** Pareto_80_20_6_Init/_Rand: picks a slot index from two random words. */
export class Pareto {
  private readonly ranges: number[] = [];
  private readonly offsets: number[] = [0];

  constructor(items: number) {
    this.ranges[0] = Math.trunc(UINT32_MAX * (PARETO_80_20_6[0] as number));
    for (let i = 1; i < 5; i++)
      this.ranges[i] = ((this.ranges[i - 1] as number) + Math.trunc(UINT32_MAX * (PARETO_80_20_6[i] as number))) >>> 0;
    this.ranges[5] = Math.trunc(UINT32_MAX * (1 - (PARETO_80_20_6[6] as number)));
    for (let i = 0; i < 6; i++) this.offsets[i + 1] = (this.offsets[i] as number) + Math.trunc(items * (PARETO_80_20_6[6 - i] as number));
    this.offsets[7] = items;
  }

  pick(r1: number, r2: number): number {
    let idx = 6;
    for (let i = 0; i < 6; i++) {
      if (r1 < (this.ranges[i] as number)) {
        idx = i;
        break;
      }
    }
    // With fewer slots than the real 2^18 / T, the smallest ranges round to no slots (the C code
    // would divide by zero); those draws go to the next range that has slots.
    while ((this.offsets[idx + 1] as number) - (this.offsets[idx] as number) === 0 && idx < 6) idx++;
    const size = (this.offsets[idx + 1] as number) - (this.offsets[idx] as number);
    return (this.offsets[idx] as number) + (r2 % size);
  }
}

interface Config {
  items: number;
  iterations: number;
  exp: number;
  seed: number;
}

function* randomPosRandomSize(c: Config): ThreadBody {
  const base = (yield malloc(c.items * BIN_BYTES)) as number;
  yield fill(base, c.items * BIN_BYTES, 0);
  const ptr = new Array<number>(c.items).fill(0);
  const size = new Array<number>(c.items).fill(0);
  const rng = new AllocTestPrng(c.seed);
  const pareto = new Pareto(c.items);
  const bin = (i: number): number => base + BIN_BYTES * i;
  for (let i = 0; i < Math.floor(c.items / 32); i++) {
    const bits = rng.rng32();
    for (let j = 0; j < 32; j++) {
      if (((bits >>> j) & 1) === 0) continue;
      const k = i * 32 + j;
      const sz = allocTestSize(rng.rng64(), c.exp);
      size[k] = sz;
      ptr[k] = (yield malloc(sz)) as number;
      if (k % BINS_PER_LINE === 0 || j === 0) yield touch(bin(k), BIN_BYTES, true); // a sequential pass: one access per line
      yield fill(ptr[k] as number, sz, sz & 0xff);
    }
  }
  const per = Math.floor(c.iterations / 32);
  for (let k = 0; k < 32; k++) {
    for (let j = 0; j < per; j++) {
      const idx = pareto.pick(rng.rng32(), rng.rng32());
      yield touch(bin(idx), BIN_BYTES, true);
      const p = ptr[idx] as number;
      if (p !== 0) {
        yield touch(p, size[idx] as number, false); // sum every word of it
        yield free(p);
        ptr[idx] = 0;
      } else {
        const sz = allocTestSize(rng.rng64(), c.exp);
        size[idx] = sz;
        ptr[idx] = (yield malloc(sz)) as number;
        yield fill(ptr[idx] as number, sz, sz & 0xff);
      }
    }
  }
  for (let idx = 0; idx < c.items; idx++) {
    if (idx % BINS_PER_LINE === 0) yield touch(bin(idx), BIN_BYTES * BINS_PER_LINE, false);
    const p = ptr[idx] as number;
    if (p === 0) continue;
    yield touch(p, size[idx] as number, false);
    yield free(p);
  }
  yield free(base);
}

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const threads = num(p, 'threads');
  const c: Config = {
    items: Math.max(32, Math.floor(num(p, 'items') / threads)),
    iterations: Math.max(32, scaled(num(p, 'iterations'), num(p, 'scale'))),
    exp: num(p, 'maxItemSizeExp'),
    seed: num(p, 'programSeed') + env.seed - 1,
  };
  const main = function* (): ThreadBody {
    yield* runThreads(threads, 'runRandomTest', () => randomPosRandomSize(c));
  };
  return { threads: [{ name: 'main', body: main() }] };
}

export const allocTestWorkload: WorkloadInfo = {
  name: 'alloc-test',
  summary: 'OLogN allocator tester: Pareto-distributed slot choice, free-if-full else allocate 5..1024 B, full memory access',
  params: PARAMS,
  sources: [SRC, 'daanx/mimalloc-bench bench/alloc-test/allocator_tester.cpp', 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/alloc-test.md',
  variant: threadsVariant(),
  create,
};
