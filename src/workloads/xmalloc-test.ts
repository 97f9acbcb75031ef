/**
 * `xmalloc-test`: Lever and Boreham's producer/consumer stress test as mimalloc-bench runs it
 * (daanx/mimalloc-bench bench/xmalloc-test/xmalloc-test.c; bench.sh: `xmalloc-test -w P -t 5 -s 64`).
 *
 * P producers each allocate a batch header (a `struct batch`: a next link and 4096 object
 * pointers, 32,776 bytes), fill it with 4096 fresh objects (each memset over its first 128 bytes
 * at most), and push it on one global LIFO stack guarded by a mutex, blocking while 100 batches
 * are queued. P consumers pop batches and free the objects in index order, then the header: every
 * free is a remote free. Main sleeps for the run time, sets the done flag and wakes everyone; the
 * program prints frees per second and bench.sh's relative time 100 / (Mfree/s).
 *
 * The stack, its count, the done flag, the lock word and the consumers' counters are application
 * memory, touched as the program touches them; the pointer array inside each batch carries the
 * real object addresses from producer to consumer through simulated memory.
 */
import { condBroadcast, condSignal, now, sleep } from '../sim/ops.ts';
import { num, type ParamSpec } from '../lib/params.ts';
import type { Op, ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { Lran2 } from './lib/lran2.ts';
import { scaleParam, threadsParam, threadsVariant } from './lib/params.ts';
import { PTHREAD_MUTEX_BYTES, PthreadMutex, SimCondition, joinAll, spawnAll } from './lib/pthread.ts';
import { atomicLoad, atomicStore, fill, free, malloc, read, write } from './ops.ts';

const SRC = 'daanx/mimalloc-bench bench/xmalloc-test/xmalloc-test.c';
const OBJECTS_PER_BATCH = 4096;
/** sizeof(struct batch): the next link and OBJECTS_PER_BATCH pointers. */
const BATCH_BYTES = 8 + 8 * OBJECTS_PER_BATCH;
/** The sizes `-s -1` draws from (possible_sizes[] in the source). */
const POSSIBLE_SIZES = [8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048];

const PARAMS: ParamSpec[] = [
  threadsParam(8, 'producers, and as many consumers (-w; bench.sh passes nproc: 8 on the default machine)', 'bench.sh'),
  {
    name: 'seconds',
    type: 'number',
    default: 5,
    min: 1e-6,
    description: 'run time in simulated seconds before scale (-t)',
    source: 'bench.sh',
  },
  {
    name: 'objectSize',
    type: 'int',
    default: 64,
    min: -1,
    description: 'object size (-s); -1 draws each size from possible_sizes[] with lran2',
    source: 'bench.sh',
  },
  {
    name: 'batchLimit',
    type: 'int',
    default: 100,
    min: 1,
    description: 'queued batches at which producers block (batch_count_limit)',
    source: SRC,
  },
  scaleParam(0.0004, 'the run time'),
];

// Layout of the program's globals (one static area).
const G_BATCHES = 0;
const G_COUNT = 8;
const G_DONE = 16;
const G_LOCK = 64;
const GLOBALS_BYTES = G_LOCK + PTHREAD_MUTEX_BYTES;

interface Shared {
  g: number;
  mutex: PthreadMutex;
  empty: SimCondition;
  full: SimCondition;
  limit: number;
  objectSize: number;
  /** Consumers' counters array (malloc'd by main), 64 bytes per consumer. */
  counters: number;
  freed: number;
}

function* enqueue(s: Shared, b: number): Generator<Op, void, unknown> {
  yield* s.mutex.lock();
  for (;;) {
    const count = (yield read(s.g + G_COUNT)) as number;
    if (count < s.limit || ((yield atomicLoad(s.g + G_DONE)) as number) !== 0) break;
    yield* s.mutex.wait(s.full);
  }
  yield write(b, (yield read(s.g + G_BATCHES)) as number);
  yield write(s.g + G_BATCHES, b);
  yield write(s.g + G_COUNT, ((yield read(s.g + G_COUNT)) as number) + 1);
  yield condSignal(s.empty);
  yield* s.mutex.unlock();
}

function* dequeue(s: Shared): Generator<Op, number, unknown> {
  yield* s.mutex.lock();
  for (;;) {
    if (((yield read(s.g + G_BATCHES)) as number) !== 0 || ((yield atomicLoad(s.g + G_DONE)) as number) !== 0) break;
    yield* s.mutex.wait(s.empty);
  }
  const b = (yield read(s.g + G_BATCHES)) as number;
  if (b !== 0) {
    yield write(s.g + G_BATCHES, (yield read(b)) as number);
    yield write(s.g + G_COUNT, ((yield read(s.g + G_COUNT)) as number) - 1);
    yield condSignal(s.full);
  }
  yield* s.mutex.unlock();
  return b;
}

function* producer(s: Shared, id: number): ThreadBody {
  const lr = new Lran2(id);
  while (((yield atomicLoad(s.g + G_DONE)) as number) === 0) {
    const b = (yield malloc(BATCH_BYTES)) as number;
    for (let i = 0; i < OBJECTS_PER_BATCH; i++) {
      const size = s.objectSize > 0 ? s.objectSize : (POSSIBLE_SIZES[lr.next() % POSSIBLE_SIZES.length] as number);
      const p = (yield malloc(size)) as number;
      yield write(b + 8 + 8 * i, p);
      yield fill(p, Math.min(size, 128), i % 256);
    }
    yield* enqueue(s, b);
  }
}

function* consumer(s: Shared, id: number): ThreadBody {
  const counter = s.counters + 64 * id;
  while (((yield atomicLoad(s.g + G_DONE)) as number) === 0) {
    const b = yield* dequeue(s);
    if (b !== 0) {
      for (let i = 0; i < OBJECTS_PER_BATCH; i++) yield free((yield read(b + 8 + 8 * i)) as number);
      yield free(b);
    }
    // The source counts a batch even when dequeue returned none at shutdown; so do we.
    yield write(counter, ((yield read(counter)) as number) + OBJECTS_PER_BATCH);
    s.freed += OBJECTS_PER_BATCH;
  }
}

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const workers = num(p, 'threads');
  const runCycles = num(p, 'seconds') * num(p, 'scale') * env.cyclesPerSecond;
  const g = env.staticData(GLOBALS_BYTES, 'xmalloc-test globals');
  const s: Shared = {
    g,
    mutex: new PthreadMutex(g + G_LOCK, 'xmalloc lock'),
    empty: new SimCondition('empty_cv'),
    full: new SimCondition('full_cv'),
    limit: num(p, 'batchLimit'),
    objectSize: num(p, 'objectSize'),
    counters: 0,
    freed: 0,
  };
  let elapsed = 0;
  const main = function* (): ThreadBody {
    const threadIds = (yield malloc(8 * workers * 2)) as number;
    s.counters = (yield malloc(64 * workers)) as number;
    const ids = (yield malloc(4 * workers)) as number;
    const begin = (yield now()) as number;
    const bodies: Array<{ body: ThreadBody; name: string }> = [];
    for (let i = 0; i < workers; i++) {
      yield write(s.counters + 64 * i, 0);
      bodies.push({ body: consumer(s, i), name: `mem_releaser-${i}` }, { body: producer(s, i), name: `mem_allocator-${i}` });
    }
    const tids = yield* spawnAll(bodies);
    // Main sleeps for the run time (the source polls every millisecond), then stops everyone.
    // It sets the flag under the lock so no waiter can miss the broadcast (the source does not).
    yield sleep(runCycles);
    yield* s.mutex.lock();
    yield atomicStore(g + G_DONE, 1);
    yield condBroadcast(s.empty);
    yield condBroadcast(s.full);
    yield* s.mutex.unlock();
    yield* joinAll(tids);
    elapsed = ((yield now()) as number) - begin;
    yield free(ids);
    // Free the batches still queued.
    for (let b = (yield read(g + G_BATCHES)) as number; b !== 0;) {
      for (let i = 0; i < OBJECTS_PER_BATCH; i++) yield free((yield read(b + 8 + 8 * i)) as number);
      const next = (yield read(b)) as number;
      yield free(b);
      b = next;
    }
    yield free(threadIds);
    yield free(s.counters);
  };
  return {
    threads: [{ name: 'main', body: main() }],
    report: (hz) => {
      const seconds = elapsed / hz;
      const mfreePerSec = seconds > 0 ? s.freed / seconds / 1e6 : 0;
      return { frees: s.freed, elapsedSeconds: seconds, mfreePerSec, rtime: mfreePerSec > 0 ? 100 / mfreePerSec : 0 };
    },
  };
}

export const xmallocTestWorkload: WorkloadInfo = {
  name: 'xmalloc-test',
  summary: 'P producers fill 4096-object batches, P consumers free them (all remote frees) through a bounded LIFO stack',
  params: PARAMS,
  sources: [SRC, 'daanx/mimalloc-bench bench.sh'],
  doc: 'docs/workloads/xmalloc-test.md',
  variant: threadsVariant(),
  create,
};
