/**
 * `msgpass`: snmalloc's message-passing benchmark (src/test/perf/msgpass/msgpass.cc, the workload of
 * the BatchIt paper's section 4.3 and of the 0.7 release notes).
 *
 * Producers allocate batches of 1-16 messages of one of four sizes (48, 64, 96, 128 bytes: classes
 * 2, 3, 5, 7), chain them and enqueue each batch onto a random queue; consumers dequeue and free;
 * proxies re-enqueue each message individually onto a lower-numbered queue. A global
 * `messages_outstanding` counter gives back-pressure: producers wait while it is >= max-out (4096).
 * The queues are FreeListMPSCQs in application memory (mpscq.ts): one exchange per enqueue.
 *
 * The real consumers and proxies spin with sched_yield when their queue is empty; here they park on
 * a kernel doorbell after a pass that found nothing, and whoever enqueues onto their queue (or ends
 * a phase: producers done, a proxy gone) rings it. `msgpass-N` means N producers and N consumers, as
 * in the paper (no proxies: the paper describes none). See docs/workloads/msgpass.md.
 */
import { counterAdd, join, recv, send, spawn, tryRecv, waitBelow, yieldCore } from '../sim/ops.ts';
import { SimCounter, SimQueue } from '../sim/primitives.ts';
import { bool, num, type ParamSpec } from '../lib/params.ts';
import type { Op, ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { canDequeue, dequeue, destroy, enqueue, queueInit, Q_BYTES } from './mpscq.ts';
import { atomicLoad, atomicStore, fetchAdd, free, malloc, read, write } from './ops.ts';
import { XoroshiroP128R32 } from './lib/xoroshiro.ts';

const SRC = 'src/test/perf/msgpass/msgpass.cc';
/** msgsizes[] of the producer. */
const MSG_SIZES = [48, 64, 96, 128];
/** The program's globals, on one line as in its .bss: producers_live, queue_gate, messages_outstanding. */
const LIVE = 0;
const GATE = 8;
const OUTSTANDING = 16;

const PARAMS: ParamSpec[] = [
  { name: 'producers', type: 'int', default: 3, min: 1, max: 512, description: 'producer threads (--producers)', source: SRC },
  { name: 'consumers', type: 'int', default: 3, min: 1, max: 512, description: 'consumer threads (--consumers)', source: SRC },
  { name: 'proxies', type: 'int', default: 2, min: 0, max: 512, description: 'proxy threads (--proxies)', source: SRC },
  { name: 'batches', type: 'int', default: 1 << 20, min: 1, description: 'batches per producer at scale=1 (--batches)', source: SRC },
  {
    name: 'maxOut',
    type: 'int',
    default: 4096,
    min: 1,
    description: 'back-pressure limit on messages outstanding (--max-out)',
    source: SRC,
  },
  {
    name: 'prefetch',
    type: 'bool',
    default: true,
    description: 'dequeue prefetches the next message (Aal::prefetch in FreeListMPSCQ::dequeue); false drops it',
    source: 'src/snmalloc/mem/freelist_queue.h',
  },
  {
    name: 'scale',
    type: 'number',
    default: 1 / 256,
    min: 1e-7,
    max: 1,
    description: 'multiplies batches (1 = the source default of 2^20; the default 1/256 gives 4096 batches per producer)',
  },
];

type Gen<T> = Generator<Op, T, unknown>;

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const nProd = num(p, 'producers');
  const nCons = num(p, 'consumers');
  const nProxy = num(p, 'proxies');
  const nQueue = nCons + nProxy;
  const batches = Math.max(1, Math.round(num(p, 'batches') * num(p, 'scale')));
  const maxOut = num(p, 'maxOut');
  const pf = bool(p, 'prefetch');
  const outstanding = new SimCounter('messages_outstanding');
  const bells = Array.from({ length: nQueue }, (_, q) => new SimQueue(`msgpass-bell-${q}`));
  const waiting = new Array<boolean>(nQueue).fill(false);
  let g = 0;
  let qs = 0;
  let produced = 0;
  let waits = 0;
  let peakOutstanding = 0;
  const queue = (q: number): number => qs + q * Q_BYTES;

  function* ring(q: number): Gen<void> {
    if (!waiting[q]) return;
    waiting[q] = false;
    yield send(bells[q] as SimQueue, 1);
  }

  function* ringAll(): Gen<void> {
    for (let q = 0; q < nQueue; q++) yield* ring(q);
  }

  /** The loop condition of consumers (gate = N_CONSUMER) and proxies (gate = qix + 1). */
  function* more(q: number, gate: number): Gen<boolean> {
    if (yield* canDequeue(queue(q))) return true;
    if (((yield read(g + LIVE)) as number) !== 0) return true;
    return ((yield read(g + GATE)) as number) > gate;
  }

  /** Instead of spinning: announce the wait, re-check, and sleep on the doorbell unless work arrived. */
  function* park(q: number, gate: number): Gen<void> {
    waiting[q] = true;
    const empty = !(yield* canDequeue(queue(q)));
    const live = ((yield read(g + LIVE)) as number) !== 0 || ((yield read(g + GATE)) as number) > gate;
    if (empty && live) {
      yield recv(bells[q] as SimQueue);
      return;
    }
    waiting[q] = false;
    yield tryRecv(bells[q] as SimQueue);
  }

  function* consumer(qix: number): ThreadBody {
    const q = queue(qix);
    for (;;) {
      let reap = 0;
      if (yield* canDequeue(q)) {
        reap = yield* dequeue(
          q,
          function* (m) {
            yield free(m);
          },
          pf,
        );
      }
      yield fetchAdd(g + OUTSTANDING, -reap);
      if (reap > 0) yield counterAdd(outstanding, -reap);
      if (!(yield* more(qix, nCons))) break;
      if (reap === 0) yield* park(qix, nCons);
    }
    yield free(yield* destroy(q));
  }

  function* proxy(qix: number): ThreadBody {
    const q = queue(qix);
    const r = XoroshiroP128R32.seeded(1234 + qix, qix, env.seed);
    for (;;) {
      let n = 0;
      if (yield* canDequeue(q)) {
        n = yield* dequeue(
          q,
          function* (m) {
            const rcpt = r.next() % qix;
            yield* enqueue(queue(rcpt), m, m);
            yield* ring(rcpt);
          },
          pf,
        );
      }
      yield yieldCore();
      if (!(yield* more(qix, qix + 1))) break;
      if (n === 0) yield* park(qix, qix + 1);
    }
    yield free(yield* destroy(q));
    yield fetchAdd(g + GATE, -1);
    yield* ringAll();
  }

  function* producer(pix: number): ThreadBody {
    const r = XoroshiroP128R32.seeded(5489 + pix, pix, env.seed);
    for (let batchix = batches; batchix > 0; batchix--) {
      while (((yield atomicLoad(g + OUTSTANDING)) as number) >= maxOut) {
        waits++;
        yield waitBelow(outstanding, maxOut);
      }
      const nmsg = (r.next() & 15) + 1;
      const size = MSG_SIZES[r.next() % MSG_SIZES.length] as number;
      let first = 0;
      let last = 0;
      for (let i = 0; i < nmsg; i++) {
        const m = (yield malloc(size)) as number;
        // freelist::Builder::add: the first link goes to the builder's head (a local), the rest
        // into the previous message's word 0.
        if (last !== 0) yield write(last, m);
        else first = m;
        last = m;
      }
      const rcpt = r.next() % nQueue;
      yield* enqueue(queue(rcpt), first, last);
      yield fetchAdd(g + OUTSTANDING, nmsg);
      const now = (yield counterAdd(outstanding, nmsg)) as number;
      if (now > peakOutstanding) peakOutstanding = now;
      produced += nmsg;
      yield* ring(rcpt);
      if ((batchix & 15) === 1) yield yieldCore();
    }
  }

  function* main(): ThreadBody {
    g = (yield malloc(64, 64)) as number;
    qs = (yield malloc(Q_BYTES * nQueue, Q_BYTES)) as number;
    for (let q = 0; q < nQueue; q++) yield* queueInit(queue(q));
    yield atomicStore(g + LIVE, 1, true);
    yield atomicStore(g + GATE, nQueue, true);
    yield atomicStore(g + OUTSTANDING, 0, true);
    const queueThreads: number[] = [];
    for (let i = 0; i < nCons; i++) queueThreads.push((yield spawn(consumer(i), `consumer-${i}`)) as number);
    for (let i = nCons; i < nQueue; i++) queueThreads.push((yield spawn(proxy(i), `proxy-${i}`)) as number);
    const producerThreads: number[] = [];
    for (let i = 0; i < nProd; i++) producerThreads.push((yield spawn(producer(i), `producer-${i}`)) as number);
    for (const t of producerThreads) yield join(t);
    yield atomicStore(g + LIVE, 0, true);
    yield* ringAll();
    for (let i = queueThreads.length - 1; i >= 0; i--) yield join(queueThreads[i] as number);
    yield free(qs);
    yield free(g);
  }

  return {
    threads: [{ name: 'main', body: main() }],
    report: () => ({ batchesPerProducer: batches, messages: produced, producerWaits: waits, peakOutstanding }),
  };
}

export const msgpassWorkload: WorkloadInfo = {
  name: 'msgpass',
  summary: "snmalloc's producer/consumer message-passing benchmark with back-pressure (msgpass-N: N producers, N consumers)",
  params: PARAMS,
  sources: [SRC, 'src/snmalloc/mem/freelist_queue.h', 'src/test/xoroshiro.h'],
  doc: 'docs/workloads/msgpass.md',
  variant: (suffix) => {
    if (!/^[1-9][0-9]*$/.test(suffix)) return undefined;
    const n = Number(suffix);
    return { producers: n, consumers: n, proxies: 0 };
  },
  create,
};
