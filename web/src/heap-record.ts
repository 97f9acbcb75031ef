/**
 * A run recorded operation by operation for the Heap tab: the CLI's HeapRecorder (the `--steps`
 * view and the heap map's samples) plus, after each operation, the model's counters and the cache
 * misses so far. Shared by the simulator's worker (built-in models) and the model worker (a
 * student's model). The frames after the limit are not kept; the run itself is the CLI's.
 */
import type { ModelInfo } from '../../src/allocators/kit/contract.ts';
import { HeapRecorder } from '../../src/experiment/heap-recorder.ts';
import { runExperiment } from '../../src/experiment/run.ts';
import type { Machine } from '../../src/machine/machine.ts';
import { cacheStats } from '../../src/machine/stats.ts';
import { parseAssignment, type ParamValue } from '../../src/lib/params.ts';
import type { HeapFrame, HeapJob, HeapRecording } from './messages.ts';

type Op = 'malloc' | 'calloc' | 'realloc' | 'free';
const OPS: readonly Op[] = ['malloc', 'calloc', 'realloc', 'free'];

function numbers(o: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

/** Wraps the recorded model so each operation also leaves a frame (until `limit` frames). */
function framed(info: ModelInfo, rec: HeapRecorder, frames: HeapFrame[], limit: number): ModelInfo {
  return {
    ...info,
    create: (env) => {
      const model = info.create(env);
      const m: Machine = env.machine;
      const after = (cycles: number): void => {
        if (frames.length >= limit) return;
        const step = rec.steps[rec.steps.length - 1];
        const sample = rec.samples[rec.samples.length - 1];
        if (step === undefined || sample === undefined) return;
        const c = cacheStats(m);
        frames.push({
          step,
          sample,
          counters: numbers(model.counters.toJSON()),
          misses: { l1: c.l1Misses, llc: c.llcMisses, coherence: c.coherenceMisses, allocatorL1: c.byOrigin.allocator.l1Misses },
          cycles,
        });
      };
      const ops = new Map<PropertyKey, unknown>(
        OPS.map((op) => {
          const f = model[op] as (...a: unknown[]) => unknown;
          return [
            op,
            (cpu: { now: number }, ...rest: unknown[]): unknown => {
              const r = f.call(model, cpu, ...rest);
              after(cpu.now);
              return r;
            },
          ];
        }),
      );
      // Everything else is the model's own, called on the model itself.
      return new Proxy(model, {
        get: (target, key) => {
          if (ops.has(key)) return ops.get(key);
          const v = Reflect.get(target, key) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    },
  };
}

/** Splits `key=value` workload parameters (bad syntax is a ParamError, as on the command line). */
export function workloadParams(params: readonly string[]): Record<string, ParamValue> {
  return Object.fromEntries(params.filter((p) => p.trim() !== '').map((p) => parseAssignment(p)));
}

/** `info` made to record its first `limit` operations into `frames` (and the recorder's steps). */
export function recording(info: ModelInfo, limit: number): { info: ModelInfo; rec: HeapRecorder; frames: HeapFrame[] } {
  // One sample per operation up to the limit (the recorder thins them only past it).
  const rec = new HeapRecorder({ steps: limit, samples: limit });
  const frames: HeapFrame[] = [];
  return { info: framed(rec.wrap(info), rec, frames, limit), rec, frames };
}

/** Runs `job` with `info`'s model and records its first `job.steps` operations. */
export function recordHeap(info: ModelInfo, job: HeapJob): HeapRecording {
  const { info: recorded, rec, frames } = recording(info, job.steps);
  const r = runExperiment({
    allocator: recorded,
    workload: job.workload,
    workloadParams: workloadParams(job.params),
    seed: job.seed,
    check: true,
  });
  const violation = r.check.violations[0];
  const error = r.error?.message ?? (violation === undefined ? undefined : `${violation.kind}: ${violation.message}`);
  return {
    title: `${info.name} on ${job.workload}, seed ${job.seed}`,
    hasHeapWalk: rec.hasHeapWalk,
    frames,
    ...(error !== undefined ? { error } : {}),
  };
}
