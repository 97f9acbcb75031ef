/**
 * `producer-consumer`: a parametric pipeline for remote frees. P producers each allocate
 * `messages` blocks (sizes cycling through `sizes`), write them and send them to a consumer, which
 * reads each message and frees it: every free is a remote free. Topology `1:1` sends producer i's
 * messages to consumer i mod C; `all-to-all` spreads each producer's messages over every consumer
 * in turn. With back-pressure on, producers block while `window` messages are outstanding (sent
 * but not yet freed), as snmalloc's msgpass bounds its queues; off, queues grow without bound.
 *
 * A consumer's inbox is a multi-producer ring of pointers in application memory: a sender takes a
 * slot with an atomic fetch-add on the inbox's tail word (the line all of a consumer's producers
 * contend on) and stores the message pointer there; the consumer reads the slot, then the message.
 * The kernel queue underneath carries the value and decides when a blocked consumer wakes.
 */
import { counterAdd, recv, send, waitBelow } from '../sim/ops.ts';
import { SimCounter, SimQueue } from '../sim/primitives.ts';
import { bool, num, str, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import { WorkloadInputError, type WorkloadEnv, type WorkloadInfo, type WorkloadInstance } from './contract.ts';
import { scaled, scaleParam } from './lib/params.ts';
import { joinAll, spawnAll } from './lib/pthread.ts';
import { fetchAdd, free, malloc, read, touch, write } from './ops.ts';
import { quoteExcerpt } from '../sim/excerpt.ts';

const PARAMS: ParamSpec[] = [
  { name: 'producers', type: 'int', default: 4, min: 1, max: 512, description: 'P, producing threads' },
  { name: 'consumers', type: 'int', default: 4, min: 1, max: 512, description: 'C, consuming (freeing) threads' },
  {
    name: 'topology',
    type: 'enum',
    default: '1:1',
    choices: ['1:1', 'all-to-all'],
    description: 'producer i → consumer i mod C, or every producer to every consumer in turn',
  },
  { name: 'backPressure', type: 'bool', default: true, description: 'block producers while `window` messages are outstanding' },
  {
    name: 'window',
    type: 'int',
    default: 4096,
    min: 1,
    description: 'outstanding messages allowed with back-pressure (msgpass uses 4096)',
  },
  { name: 'messages', type: 'int', default: 100000, min: 1, description: 'messages per producer, before scale' },
  { name: 'sizes', type: 'string', default: '48,64,96,128', description: "message sizes in bytes, used in turn (msgpass's sizes)" },
  { name: 'touchBytes', type: 'int', default: 64, min: 0, description: 'bytes of each message the producer writes and the consumer reads' },
  scaleParam(0.2, 'the messages per producer'),
];

const DONE = -1;

export function parseSizes(text: string): number[] {
  const sizes = text.split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new WorkloadInputError(
      'producer-consumer sizes',
      undefined,
      `${quoteExcerpt(text)} must be a comma-separated list of positive sizes in bytes, e.g. sizes=48,64`,
    );
  }
  return sizes;
}

const RING = 1024;

interface Shared {
  inboxes: SimQueue[];
  /** Each consumer's inbox tail word (application memory, one line each). */
  tails: number;
  /** Each consumer's ring of RING pointer slots. */
  rings: number;
  outstanding: SimCounter;
  backPressure: boolean;
  window: number;
  touch: number;
}

function* producer(s: Shared, targets: number[], messages: number, sizes: number[]): ThreadBody {
  for (let m = 0; m < messages; m++) {
    const size = sizes[m % sizes.length] as number;
    const c = targets[m % targets.length] as number;
    if (s.backPressure) yield waitBelow(s.outstanding, s.window);
    const msg = (yield malloc(size)) as number;
    if (s.touch > 0) yield touch(msg, Math.min(size, s.touch), true);
    const slot = (yield fetchAdd(s.tails + 64 * c, 1)) as number;
    yield write(s.rings + 8 * (RING * c + (slot % RING)), msg);
    yield counterAdd(s.outstanding, 1);
    yield send(s.inboxes[c] as SimQueue, msg);
  }
  for (const c of targets) yield send(s.inboxes[c] as SimQueue, DONE);
}

function* consumer(s: Shared, index: number, senders: number): ThreadBody {
  let done = 0;
  let head = 0;
  while (done < senders) {
    const msg = (yield recv(s.inboxes[index] as SimQueue)) as number;
    if (msg === DONE) {
      done++;
      continue;
    }
    yield read(s.rings + 8 * (RING * index + (head++ % RING)));
    if (s.touch > 0) yield touch(msg, s.touch, false);
    yield free(msg);
    yield counterAdd(s.outstanding, -1);
  }
}

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const P = num(p, 'producers');
  const C = num(p, 'consumers');
  const allToAll = str(p, 'topology') === 'all-to-all';
  const sizes = parseSizes(str(p, 'sizes'));
  const messages = scaled(num(p, 'messages'), num(p, 'scale'));
  const s: Shared = {
    inboxes: Array.from({ length: C }, (_, i) => new SimQueue(`inbox-${i}`)),
    tails: env.staticData(64 * C, 'producer-consumer inbox tails'),
    rings: env.staticData(8 * RING * C, 'producer-consumer inbox rings'),
    outstanding: new SimCounter('outstanding messages'),
    backPressure: bool(p, 'backPressure'),
    window: num(p, 'window'),
    touch: Math.min(num(p, 'touchBytes'), Math.min(...sizes)),
  };
  const targets = Array.from({ length: P }, (_, i) => (allToAll ? Array.from({ length: C }, (_, c) => (c + i) % C) : [i % C]));
  const senders = Array.from({ length: C }, (_, c) => targets.filter((t) => t.includes(c)).length);
  const main = function* (): ThreadBody {
    const bodies = [
      ...Array.from({ length: C }, (_, c) => ({ body: consumer(s, c, senders[c] as number), name: `consumer-${c}` })),
      ...Array.from({ length: P }, (_, i) => ({ body: producer(s, targets[i] as number[], messages, sizes), name: `producer-${i}` })),
    ];
    yield* joinAll(yield* spawnAll(bodies));
  };
  return { threads: [{ name: 'main', body: main() }], report: () => ({ messages: messages * P }) };
}

export const producerConsumerWorkload: WorkloadInfo = {
  name: 'producer-consumer',
  summary: 'parametric pipeline: P producers allocate messages, C consumers free them (1:1 or all-to-all, with or without back-pressure)',
  params: PARAMS,
  sources: ['microsoft/snmalloc src/test/perf/msgpass/msgpass.cc (the shape it generalises)'],
  doc: 'docs/workloads/producer-consumer.md',
  create,
};
