/**
 * `mstress`: mimalloc's multi-threaded stress test as mimalloc-bench runs it
 * (daanx/mimalloc-bench bench/mstress/mstress.c; bench.sh: `mstress P 50 25`).
 *
 * 25 rounds; in each, main starts threads 1..P−1 and runs thread 0 itself. Thread t makes
 * 100 · SCALE · (t % 8 + 1) allocations of 2^0..2^4 words, plus half as many "retained" ones of
 * 2^0..2^6 words freed only when it ends; 1% are 100×, 1000× or 10000× larger. Every word is
 * written, and checked before the block is freed. Each step frees a random live block with
 * probability 67% and, with 26%, swaps one of its blocks with one of 1000 shared transfer slots
 * (an atomic exchange), so blocks are freed by other threads, often after their allocator has
 * exited. After each round main frees about half of the transfer slots (all after the last).
 * Every random choice comes from the program's splitmix64 `pick`, seeded per thread with
 * (t + 1) · 43. `scale` multiplies SCALE (the allocations per thread).
 */
import { num, type ParamSpec } from '../lib/params.ts';
import type { Op, ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { scaleParam, threadsParam, threadsVariant } from './lib/params.ts';
import { SplitMixPick } from './lib/prng64.ts';
import { joinAll } from './lib/pthread.ts';
import { exchange, fill, free, malloc, realloc, touch } from './ops.ts';
import { spawn } from '../sim/ops.ts';

const SRC = 'daanx/mimalloc-bench bench/mstress/mstress.c';
const TRANSFERS = 1000;
const MAX_ITEM_SHIFT = 5;
const MAX_ITEM_RETAINED_SHIFT = MAX_ITEM_SHIFT + 2;
const DATA_GROWTH = 100000;

const PARAMS: ParamSpec[] = [
  threadsParam(8, 'threads per round, main included (bench.sh passes nproc: 8 on the default machine)', 'bench.sh'),
  {
    name: 'load',
    type: 'number',
    default: 50,
    min: 0,
    description: 'SCALE, the "load per thread": 100 · load · (t % 8 + 1) allocations (before scale)',
    source: 'bench.sh',
  },
  { name: 'rounds', type: 'int', default: 25, min: 1, description: 'ITER: rounds re-creating all threads', source: 'bench.sh' },
  { name: 'largeObjects', type: 'bool', default: true, description: 'allow_large_objects (the 1000× and 10000× blocks)', source: SRC },
  scaleParam(0.02, 'the allocations per thread'),
];

interface Shared {
  transfer: number;
  load: number;
  large: boolean;
  /** Words of each live block (the program stores it in the block's first word). */
  words: Map<number, number>;
}

function* allocItems(s: Shared, items0: number, r: SplitMixPick): Generator<Op, number, unknown> {
  let items = items0;
  if (r.chance(1)) {
    if (r.chance(1) && s.large)
      items *= 10000; // 0.01% giant
    else if (r.chance(10) && s.large)
      items *= 1000; // 0.1% huge
    else items *= 100; // 1% large
  }
  if (items === 40) items++; // pthreads uses that size for stack increases
  const p = (yield malloc(items * 8)) as number;
  if (p !== 0) {
    yield touch(p, items * 8, true); // p[i] = (items - i) ^ cookie
    s.words.set(p, items);
  }
  return p;
}

function* freeItems(s: Shared, p: number): Generator<Op, void, unknown> {
  if (p !== 0) {
    const items = s.words.get(p);
    if (items === undefined) throw new Error(`mstress: freeing ${p}, which it never allocated`);
    yield touch(p, items * 8, false); // verify every word
    s.words.delete(p);
  }
  yield free(p);
}

function* stress(s: Shared, tid: number): ThreadBody {
  const r = new SplitMixPick((tid + 1) * 43);
  let allocs = Math.round(100 * s.load * ((tid % 8) + 1));
  let retain = Math.floor(allocs / 2);
  const data: number[] = [];
  let dataArray = 0;
  let dataSize = 0;
  const retainedArray = (yield malloc(retain * 8)) as number;
  const retained: number[] = [];
  while (allocs > 0 || retain > 0) {
    if (retain === 0 || (r.chance(50) && allocs > 0)) {
      allocs--;
      if (data.length >= dataSize) {
        dataSize += DATA_GROWTH;
        dataArray = (yield realloc(dataArray, dataSize * 8)) as number;
      }
      yield touch(dataArray + 8 * data.length, 8, true);
      data.push(yield* allocItems(s, 1 << r.pick(MAX_ITEM_SHIFT), r));
    } else {
      yield touch(retainedArray + 8 * retained.length, 8, true);
      retained.push(yield* allocItems(s, 1 << r.pick(MAX_ITEM_RETAINED_SHIFT), r));
      retain--;
    }
    if (r.chance(66) && data.length > 0) {
      const idx = r.pick(data.length);
      yield touch(dataArray + 8 * idx, 8, true);
      yield* freeItems(s, data[idx] as number);
      data[idx] = 0;
    }
    if (r.chance(25) && data.length > 0) {
      const idx = r.pick(data.length);
      const t = r.pick(TRANSFERS);
      yield touch(dataArray + 8 * idx, 8, true);
      data[idx] = (yield exchange(s.transfer + 8 * t, data[idx] as number)) as number;
    }
  }
  for (const p of retained) yield* freeItems(s, p);
  for (const p of data) yield* freeItems(s, p);
  yield free(retainedArray);
  yield free(dataArray);
}

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const threads = num(p, 'threads');
  const rounds = num(p, 'rounds');
  const s: Shared = {
    transfer: env.staticData(8 * TRANSFERS, 'mstress transfer'),
    load: num(p, 'load') * num(p, 'scale'),
    large: p.largeObjects === true,
    words: new Map(),
  };
  const main = function* (): ThreadBody {
    const r = new SplitMixPick(43 * 43);
    for (let n = 0; n < rounds; n++) {
      const handles = (yield malloc(threads * 8)) as number;
      yield fill(handles, threads * 8, 0);
      const ids: number[] = [];
      for (let t = 1; t < threads; t++) ids.push((yield spawn(stress(s, t), `stress-${t}`, t % env.cores)) as number);
      yield* stress(s, 0);
      yield* joinAll(ids);
      yield free(handles);
      for (let i = 0; i < TRANSFERS; i++) {
        if (r.chance(50) || n + 1 === rounds) yield* freeItems(s, (yield exchange(s.transfer + 8 * i, 0)) as number);
      }
    }
  };
  return { threads: [{ name: 'main', body: main() }] };
}

export const mstressWorkload: WorkloadInfo = {
  name: 'mstress',
  summary: 'mimalloc stress: rounds of short-lived threads allocating and verifying blocks, trading them through 1000 shared slots',
  params: PARAMS,
  sources: [SRC, 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/mstress.md',
  variant: threadsVariant(),
  create,
};
