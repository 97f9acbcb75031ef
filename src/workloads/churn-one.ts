/**
 * `churn-one`: an adversarial pattern: one object allocated, written and freed, over and over
 * (microsoft/mimalloc issue #187: with nothing else live in its size class, every allocation found
 * an empty page and took the slow path until a page cache was added). Each thread churns its own
 * object; `keepAlive` holds one other block of the same size for the whole run, the issue's
 * workaround, to compare.
 */
import { bool, num, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { scaled, scaleParam, threadsParam } from './lib/params.ts';
import { workerThreads } from './lib/pthread.ts';
import { free, malloc, touch } from './ops.ts';

const PARAMS: ParamSpec[] = [
  threadsParam(1, 'threads, each churning its own object'),
  {
    name: 'size',
    type: 'int',
    default: 1024,
    min: 0,
    description: 'object size (the issue saw it above 256 bytes)',
    source: 'microsoft/mimalloc#187',
  },
  { name: 'iterations', type: 'int', default: 1000000, min: 1, description: 'malloc/free pairs per thread, before scale' },
  { name: 'touchBytes', type: 'int', default: 64, min: 0, description: 'bytes written into the object each time' },
  { name: 'keepAlive', type: 'bool', default: false, description: 'hold one more object of the size for the whole run' },
  scaleParam(0.1, 'the iterations'),
];

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const n = scaled(num(p, 'iterations'), num(p, 'scale'));
  const size = num(p, 'size');
  const t = Math.min(size, num(p, 'touchBytes'));
  const keep = bool(p, 'keepAlive');
  const worker = function* (): ThreadBody {
    const held = keep ? ((yield malloc(size)) as number) : 0;
    for (let i = 0; i < n; i++) {
      const b = (yield malloc(size)) as number;
      if (t > 0) yield touch(b, t, true);
      yield free(b);
    }
    if (keep) yield free(held);
  };
  return { threads: workerThreads(num(p, 'threads'), 'churn', worker) };
}

export const churnOneWorkload: WorkloadInfo = {
  name: 'churn-one',
  summary: 'adversarial: one object allocated and freed repeatedly (empty-page slow paths)',
  params: PARAMS,
  sources: ['microsoft/mimalloc issue #187'],
  doc: 'docs/workloads/churn-one.md',
  create,
};
