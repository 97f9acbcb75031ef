/**
 * `startup`: snmalloc's start-up benchmark (src/test/perf/startup/startup.cc), the one behind the
 * 0.7 release notes' start-up figures. All threads synchronise, then each makes its first
 * allocation and frees it (`dealloc(alloc(1))`), timing that with the cycle counter; the program
 * prints the total (from the last thread's release to the last thread's finish) and the sorted
 * per-thread times. Every thread's first operation takes the allocator's initialisation path:
 * an allocator from the pool (made on the spot when the pool is empty), global init once.
 *
 * The source threads spin on an atomic flag; here they wait on a kernel barrier (no memory
 * traffic), so only the allocator's own work and contention are measured.
 */
import { barrier, now } from '../sim/ops.ts';
import { Barrier } from '../sim/primitives.ts';
import { num, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { free, malloc } from './ops.ts';

const SRC = 'src/test/perf/startup/startup.cc';

const PARAMS: ParamSpec[] = [
  {
    name: 'threads',
    type: 'int',
    default: 0,
    min: 0,
    max: 4096,
    description: 'threads; 0 = one per core (hardware_concurrency)',
    source: SRC,
  },
  { name: 'size', type: 'int', default: 1, min: 0, description: 'bytes of the first allocation', source: SRC },
];

function create(env: WorkloadEnv): WorkloadInstance {
  const n = num(env.params, 'threads') === 0 ? env.cores : num(env.params, 'threads');
  const size = num(env.params, 'size');
  const b = new Barrier('startup', n);
  const start = new Array<number>(n).fill(0);
  const end = new Array<number>(n).fill(0);
  function* body(i: number): ThreadBody {
    yield barrier(b);
    start[i] = (yield now()) as number;
    const p = (yield malloc(size)) as number;
    yield free(p);
    end[i] = (yield now()) as number;
  }
  return {
    threads: Array.from({ length: n }, (_, i) => ({ name: `startup-${i}`, body: body(i) })),
    report: () => {
      const times = start.map((s, i) => (end[i] as number) - s).sort((x, y) => x - y);
      const out: Record<string, number> = {
        threads: n,
        takenCycles: Math.max(...end) - Math.min(...start),
        minCycles: times[0] as number,
        medianCycles: times[Math.floor(n / 2)] as number,
        maxCycles: times[n - 1] as number,
      };
      times.forEach((t, i) => {
        out[`sorted${String(i).padStart(3, '0')}`] = t;
      });
      return out;
    },
  };
}

export const startupWorkload: WorkloadInfo = {
  name: 'startup',
  summary: "snmalloc's start-up benchmark: all threads synchronise, then each makes its first allocation",
  params: PARAMS,
  sources: [SRC],
  doc: 'docs/workloads/startup.md',
  create,
};
