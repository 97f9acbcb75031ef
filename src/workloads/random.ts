/**
 * `random`: a seeded mix of malloc, calloc, realloc and free across threads, with a configurable
 * share of frees handed to another thread to free (remote frees). The smoke workload of the test
 * suite; not modelled on a particular program.
 *
 * Each thread keeps up to `maxLive` blocks. Per step it allocates (when below the cap and a coin
 * says so) or releases one of its blocks at random: by realloc, by a local free, or by sending it
 * to another thread's inbox (a kernel queue) to be freed there. Sizes are log-uniform between
 * `minSize` and `maxSize`. Each new block is written over its first `touchBytes` bytes.
 */
import { recv, send, tryRecv } from '../sim/ops.ts';
import { SimQueue } from '../sim/primitives.ts';
import { num, type ParamSpec } from '../lib/params.ts';
import type { Rng } from '../sim/rng.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { calloc, compute, free, malloc, realloc, touch } from './ops.ts';

const PARAMS: ParamSpec[] = [
  { name: 'threads', type: 'int', default: 4, min: 1, max: 1024, description: 'simulated threads' },
  { name: 'ops', type: 'int', default: 20000, min: 1, description: 'allocator operations per thread (before scale)' },
  { name: 'scale', type: 'number', default: 1, min: 0.0001, description: 'multiplies ops' },
  { name: 'minSize', type: 'int', default: 8, min: 0, description: 'smallest request in bytes' },
  { name: 'maxSize', type: 'int', default: 512, min: 1, description: 'largest request in bytes' },
  { name: 'maxLive', type: 'int', default: 500, min: 1, description: 'cap on blocks a thread holds' },
  { name: 'allocBias', type: 'number', default: 0.55, min: 0, max: 1, description: 'chance of allocating when below the cap' },
  { name: 'reallocFraction', type: 'number', default: 0.1, min: 0, max: 1, description: 'share of releases done by realloc' },
  { name: 'callocFraction', type: 'number', default: 0.05, min: 0, max: 1, description: 'share of allocations done by calloc' },
  { name: 'remoteFreeFraction', type: 'number', default: 0.2, min: 0, max: 1, description: 'share of frees sent to another thread' },
  { name: 'touchBytes', type: 'int', default: 64, min: 0, description: 'bytes written into each new block' },
  { name: 'computePerOp', type: 'int', default: 20, min: 0, description: 'application work between operations (units)' },
];

const DONE = -1;

function sizeOf(rng: Rng, lo: number, hi: number): number {
  if (hi <= lo) return lo;
  const a = Math.log2(Math.max(1, lo));
  const b = Math.log2(hi);
  return Math.min(hi, Math.max(lo, Math.round(2 ** (a + rng.float() * (b - a)))));
}

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const threads = num(p, 'threads');
  const steps = Math.max(1, Math.round(num(p, 'ops') * num(p, 'scale')));
  const inboxes = Array.from({ length: threads }, (_, i) => new SimQueue(`inbox-${i}`));
  const body = function* (me: number, rng: Rng): ThreadBody {
    const live: number[] = [];
    let doneFrom = 0;
    const drain = function* (block: boolean): ThreadBody {
      for (;;) {
        const v = (yield block ? recv(inboxes[me] as SimQueue) : tryRecv(inboxes[me] as SimQueue)) as number | undefined;
        if (v === undefined) return;
        if (v === DONE) doneFrom++;
        else yield free(v);
        if (block) return;
      }
    };
    for (let i = 0; i < steps; i++) {
      yield compute(num(p, 'computePerOp'));
      if (i % 16 === 0) yield* drain(false);
      const wantAlloc = live.length === 0 || (live.length < num(p, 'maxLive') && rng.chance(num(p, 'allocBias')));
      if (wantAlloc) {
        const size = sizeOf(rng, num(p, 'minSize'), num(p, 'maxSize'));
        const ptr = rng.chance(num(p, 'callocFraction')) ? ((yield calloc(1, size)) as number) : ((yield malloc(size)) as number);
        if (ptr === 0) continue;
        const t = Math.min(size, num(p, 'touchBytes'));
        if (t > 0) yield touch(ptr, t, true);
        live.push(ptr);
        continue;
      }
      const k = rng.below(live.length);
      const ptr = live[k] as number;
      if (rng.chance(num(p, 'reallocFraction'))) {
        const q = (yield realloc(ptr, sizeOf(rng, num(p, 'minSize'), num(p, 'maxSize')))) as number;
        if (q !== 0) live[k] = q;
        continue;
      }
      live[k] = live[live.length - 1] as number;
      live.pop();
      if (threads > 1 && rng.chance(num(p, 'remoteFreeFraction'))) {
        let to = rng.below(threads - 1);
        if (to >= me) to++;
        yield send(inboxes[to] as SimQueue, ptr);
      } else {
        yield free(ptr);
      }
    }
    for (const ptr of live) yield free(ptr);
    for (let t = 0; t < threads; t++) if (t !== me) yield send(inboxes[t] as SimQueue, DONE);
    while (doneFrom < threads - 1) yield* drain(true);
    yield* drain(false);
  };
  return {
    threads: Array.from({ length: threads }, (_, i) => ({ name: `random-${i}`, body: body(i, env.rng(i)) })),
  };
}

export const randomWorkload: WorkloadInfo = {
  name: 'random',
  summary: 'seeded mix of malloc/calloc/realloc/free across threads with remote frees (smoke test)',
  params: PARAMS,
  sources: [],
  doc: 'docs/workloads/random.md',
  create,
};
