/**
 * `collatz-vector`: CS3650 Challenge 2's vector test program (ch02-starter ivec_main.c and ivec.h;
 * see lib/collatz.ts; the course builds it as collatz-ivec-*). A sequence is a 24-byte ivec
 * {cap, size, data} whose data starts at 4 longs and doubles through realloc when full, so
 * buffers are powers of two. ivec_copy pre-sizes the copy to the old capacity and pushes every
 * element (charged here as one memcpy-like pass), so only the new steps cause reallocs.
 */
import type { ParamSpec } from '../lib/params.ts';
import type { Op } from '../sim/thread.ts';
import type { WorkloadInfo } from './contract.ts';
import { collatzCreate, iterateSteps, type Sequence } from './lib/collatz.ts';
import { collatzParams, collatzVariant } from './lib/collatz-params.ts';
import { copy, free, malloc, read, realloc, write } from './ops.ts';

const CAP = 0;
const SIZE = 8;
const DATA = 16;

function* makeIvec(cap: number): Generator<Op, [number, number], unknown> {
  const xs = (yield malloc(24)) as number;
  yield write(xs + CAP, cap);
  yield write(xs + SIZE, 0);
  const data = (yield malloc(cap * 8)) as number;
  yield write(xs + DATA, data);
  return [xs, data];
}

export const ivecSequence: Sequence = {
  *single(n) {
    const [xs, data] = yield* makeIvec(4);
    yield write(data, n);
    yield write(xs + SIZE, 1);
    return xs;
  },
  *last(xs) {
    const data = (yield read(xs + DATA)) as number;
    const size = (yield read(xs + SIZE)) as number;
    return (yield read(data + 8 * (size - 1))) as number;
  },
  *copyAndIterate(xs) {
    let cap = (yield read(xs + CAP)) as number;
    let size = (yield read(xs + SIZE)) as number;
    const src = (yield read(xs + DATA)) as number;
    const made = yield* makeIvec(cap);
    const ys = made[0];
    let data = made[1];
    yield copy(data, src, 8 * size);
    yield write(ys + SIZE, size);
    const last = (yield read(data + 8 * (size - 1))) as number;
    // ivec_push for each step (the header fields stay in L1 within the operation).
    for (const v of iterateSteps(last)) {
      if (size >= cap) {
        cap *= 2;
        yield write(ys + CAP, cap);
        data = (yield realloc(data, cap * 8)) as number;
        yield write(ys + DATA, data);
      }
      yield write(data + 8 * size, v);
      size++;
      yield write(ys + SIZE, size);
    }
    return ys;
  },
  *length(xs) {
    return (yield read(xs + SIZE)) as number;
  },
  *free(xs) {
    yield free((yield read(xs + DATA)) as number);
    yield free(xs);
  },
};

export const collatzVectorWorkload: WorkloadInfo = {
  name: 'collatz-vector',
  summary: 'CS3650 Challenge 2 Collatz search with growable vectors: power-of-two buffers grown by realloc across 4 threads',
  params: collatzParams as ParamSpec[],
  sources: [
    'github:NatTuck/khoury-ntuck courses/2018/09/cs3650/draft-hw/ch02 (ch02-starter ivec_main.c, ivec.h)',
    'github:JasonSauntry/cs3650-ch02 ivec_main.c',
  ],
  doc: 'docs/workloads/collatz-vector.md',
  variant: collatzVariant,
  create: collatzCreate(ivecSequence),
};
