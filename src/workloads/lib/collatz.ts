/**
 * The CS3650 Challenge 2 test programs (ch02-starter list_main.c and ivec_main.c, unchanged from
 * 2018 to 2025; copies in github:JasonSauntry/cs3650-ch02, course site github:NatTuck/khoury-ntuck
 * courses/2018/09/cs3650/draft-hw/ch02). See shared coursework notes §1.2.
 *
 * Main allocates `tasks` (8·TOP bytes) and TOP 64-byte `num_task`s {vals, steps, dibs,
 * pthread_mutex_t lock}, each with a one-element sequence. Four workers each repeat a pass until
 * one full pass finds every task finished. A pass starts at random() % TOP and visits tasks
 * 1..TOP−1 in rotated order; it claims a task by setting `dibs` under the task's mutex (skipping
 * tasks another thread holds), and for an unfinished task copies the whole sequence, appends up to
 * 50 Collatz steps to the copy and frees the old one; for a finished task it records the step
 * count. Main then reports the longest sequence and frees everything. The sequence is a linked
 * list of 16-byte cells (list variant) or a growable vector (ivec variant); this module holds what
 * both share, the sequence operations come from a `Sequence` implementation.
 *
 * Everything lives in simulated memory with its real values (the Collatz numbers, the cell
 * links), so an allocator that hands out overlapping blocks produces wrong answers.
 */
import { num } from '../../lib/params.ts';
import type { Op, ThreadBody } from '../../sim/thread.ts';
import type { WorkloadEnv, WorkloadInstance } from '../contract.ts';
import { collatzTop } from './collatz-params.ts';
import { fill, free, malloc, read, write } from '../ops.ts';
import { GlibcRandom } from './glibc-random.ts';
import { PTHREAD_MUTEX_BYTES, PthreadMutex, runThreads } from './pthread.ts';

/** sizeof(num_task) on x86-64: vals, steps, dibs (+4 padding), the 40-byte mutex. */
const TASK_BYTES = 64;
const VALS = 0;
const STEPS = 8;
const DIBS = 16;
const LOCK = 24;

export function collatzStep(n: number): number {
  return n % 2 === 0 ? n / 2 : 3 * n + 1;
}

/** A sequence representation: the list of cells or the ivec. */
export interface Sequence {
  /** A new sequence holding one number (cons(ii, 0) / make_ivec(4) + push). */
  single(n: number): Generator<Op, number, unknown>;
  /** The most recent number (xs->item / ivec_last). */
  last(xs: number): Generator<Op, number, unknown>;
  /** copy, then append up to 50 steps (iterate); returns the new sequence. */
  copyAndIterate(xs: number): Generator<Op, number, unknown>;
  /** Numbers in the sequence (count_list / xs->size). */
  length(xs: number): Generator<Op, number, unknown>;
  free(xs: number): Generator<Op, void, unknown>;
}

/** iterate(): up to 50 Collatz steps from `from`, stopping after reaching 1. */
export function iterateSteps(from: number): number[] {
  const out: number[] = [];
  let v = 0;
  let cur = from;
  for (let j = 0; v !== 1 && j < 50; j++) {
    v = collatzStep(cur);
    out.push(v);
    cur = v;
  }
  return out;
}

export interface CollatzRun {
  body: ThreadBody;
  result: { maxAt: number; maxSteps: number; passes: number };
}

export function collatzProgram(seq: Sequence, top: number, workers: number, randomSeed: number): CollatzRun {
  const result = { maxAt: 0, maxSteps: 0, passes: 0 };
  const rand = new GlibcRandom(randomSeed);
  const mutexes = new Map<number, PthreadMutex>();
  let tasks = 0;
  const mutexOf = (t: number): PthreadMutex => {
    let m = mutexes.get(t);
    if (m === undefined) {
      m = new PthreadMutex(t + LOCK, `task ${t.toString(16)} lock`);
      mutexes.set(t, m);
    }
    return m;
  };
  /** Claims or releases a task's dibs under its mutex; returns whether another thread had it. */
  const setDibs = function* (t: number, claim: boolean): Generator<Op, boolean, unknown> {
    const m = mutexOf(t);
    yield* m.lock();
    let skip = false;
    if (claim) {
      skip = ((yield read(t + DIBS, 4)) as number) !== 0;
      if (!skip) yield write(t + DIBS, 1, 4);
    } else {
      yield write(t + DIBS, 0, 4);
    }
    yield* m.unlock();
    return skip;
  };
  const scanAndIterate = function* (): Generator<Op, boolean, unknown> {
    let done = 0;
    const base = rand.next() % top;
    for (let i0 = 1; i0 < top; i0++) {
      const ii = 1 + ((base + i0) % (top - 1));
      const t = (yield read(tasks + 8 * ii)) as number;
      if (yield* setDibs(t, true)) continue;
      const xs = (yield read(t + VALS)) as number;
      if ((yield* seq.last(xs)) > 1) {
        const ys = yield* seq.copyAndIterate(xs);
        yield* seq.free(xs);
        yield write(t + VALS, ys);
      } else {
        if (((yield read(t + STEPS)) as number) === -1) yield write(t + STEPS, (yield* seq.length(xs)) - 1);
        done++;
      }
      yield* setDibs(t, false);
    }
    result.passes++;
    return done === top - 1;
  };
  const worker = function* (): ThreadBody {
    while (!(yield* scanAndIterate()));
  };
  const main = function* (): ThreadBody {
    tasks = (yield malloc(8 * top)) as number;
    for (let ii = 0; ii < top; ii++) {
      const t = (yield malloc(TASK_BYTES)) as number;
      yield write(tasks + 8 * ii, t);
      yield write(t + VALS, yield* seq.single(ii));
      yield write(t + STEPS, -1);
      yield write(t + DIBS, 0, 4);
      yield fill(t + LOCK, PTHREAD_MUTEX_BYTES, 0); // pthread_mutex_init
    }
    yield* runThreads(workers, 'worker', worker);
    for (let ii = 0; ii < top; ii++) {
      const t = (yield read(tasks + 8 * ii)) as number;
      const steps = (yield read(t + STEPS)) as number;
      if (steps > result.maxSteps) {
        result.maxAt = ii;
        result.maxSteps = steps;
      }
    }
    for (let ii = 0; ii < top; ii++) {
      const t = (yield read(tasks + 8 * ii)) as number;
      yield* seq.free((yield read(t + VALS)) as number);
      yield free(t);
    }
    yield free(tasks);
  };
  return { body: main(), result };
}

/** The `create` of a Collatz workload over a sequence representation. */
export function collatzCreate(seq: Sequence): (env: WorkloadEnv) => WorkloadInstance {
  return (env) => {
    const run = collatzProgram(seq, collatzTop(env.params), num(env.params, 'threads'), env.seed);
    return { threads: [{ name: 'main', body: run.body }], report: () => ({ ...run.result }) };
  };
}
