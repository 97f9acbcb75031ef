/**
 * `alternating`: an adversarial pattern: allocate a big block, free it, allocate a small one, free
 * it, and again, so every size class (and the big block's span or mapping) goes from empty to used
 * and back at every step. An allocator that gives empty slabs, segments or large mappings back at
 * once, with no hysteresis ("debouncing"), pays a fresh slow path (and often a system call) every
 * time; one that caches them does not. Each block is written over its first `touchBytes` bytes.
 */
import { num, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { scaled, scaleParam, threadsParam } from './lib/params.ts';
import { workerThreads } from './lib/pthread.ts';
import { free, malloc, touch } from './ops.ts';

const PARAMS: ParamSpec[] = [
  threadsParam(1, 'threads, each alternating on its own'),
  {
    name: 'bigSize',
    type: 'int',
    default: 262144,
    min: 1,
    description: "the big request (256 KiB: above glibc's initial mmap threshold and most allocators' small classes)",
  },
  { name: 'smallSize', type: 'int', default: 16, min: 1, description: 'the small request' },
  { name: 'steps', type: 'int', default: 100000, min: 1, description: 'big/small pairs per thread, before scale' },
  { name: 'touchBytes', type: 'int', default: 64, min: 0, description: 'bytes written at the start of each block' },
  scaleParam(0.2, 'the steps'),
];

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const steps = scaled(num(p, 'steps'), num(p, 'scale'));
  const sizes = [num(p, 'bigSize'), num(p, 'smallSize')];
  const t = num(p, 'touchBytes');
  const worker = function* (): ThreadBody {
    for (let i = 0; i < steps; i++) {
      for (const size of sizes) {
        const b = (yield malloc(size)) as number;
        if (t > 0) yield touch(b, Math.min(t, size), true);
        yield free(b);
      }
    }
  };
  return { threads: workerThreads(num(p, 'threads'), 'alternating', worker) };
}

export const alternatingWorkload: WorkloadInfo = {
  name: 'alternating',
  summary: 'adversarial: big, free, small, free, ... so size classes and large spans empty and refill at every step',
  params: PARAMS,
  sources: [],
  doc: 'docs/workloads/alternating.md',
  create,
};
