/**
 * The worker thread of a model's process: loads the model into its realm (realm.ts) and runs the
 * tasks the supervisor passes on, one at a time, answering plain data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import '../../allocators/index.ts';
import '../../workloads/index.ts';
import type { ModelInfo } from '../../allocators/kit/contract.ts';
import { checkProperty, PROPERTIES } from '../conformance.ts';
import { runCoursework } from '../coursework-suite.ts';
import { HeapRecorder } from '../heap-recorder.ts';
import { fileLineSource } from '../line-file.ts';
import { probeContract } from '../model-contract.ts';
import { runExperiment } from '../run.ts';
import { ModelRealm } from './realm.ts';
import { summaryOf, type Task } from './tasks.ts';

export interface WorkerData {
  file: string;
  code: string;
  sourceMap: string;
  heartbeat: SharedArrayBuffer;
}

export type WorkerReply = { type: 'ready' } | { type: 'done'; value: unknown } | { type: 'failed'; failure: string; errorName: string };

function run(info: ModelInfo, file: string, task: Task): unknown {
  switch (task.kind) {
    case 'contract':
      return { model: summaryOf(info), checks: probeContract(info, file) };
    case 'property': {
      const spec = PROPERTIES.find((p) => p.name === task.name);
      if (spec === undefined) throw new Error(`unknown property ${task.name}`);
      return checkProperty(info, spec, {
        seed: task.seed,
        numRuns: task.numRuns,
        params: task.params,
        ...(task.races !== undefined ? { races: task.races } : {}),
        ...(task.path !== undefined ? { path: task.path } : {}),
        ...(task.replayPath !== undefined ? { replayPath: task.replayPath } : {}),
      });
    }
    case 'coursework':
      return runCoursework(
        info,
        { workloads: [task.workload], missing: [], fallback: false },
        { seed: task.seed, params: task.params, ...(task.scale !== undefined ? { scale: task.scale } : {}) },
      )[0];
    case 'run': {
      const recorder =
        (task.steps ?? 0) > 0 || (task.samples ?? 0) > 0
          ? new HeapRecorder({ steps: task.steps ?? 0, samples: task.samples ?? 0 })
          : undefined;
      const result = runExperiment({
        ...task.config,
        allocator: recorder === undefined ? info : recorder.wrap(info),
        openLines: fileLineSource,
      });
      return {
        result,
        ...(recorder !== undefined
          ? {
              recorder: {
                steps: recorder.steps,
                samples: recorder.samples,
                stepsSkipped: recorder.stepsSkipped,
                hasHeapWalk: recorder.hasHeapWalk,
              },
            }
          : {}),
      };
    }
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

export function runWorker(): void {
  const data = workerData as WorkerData;
  const port = parentPort;
  if (port === null) return;
  let info: ModelInfo;
  try {
    const realm = new ModelRealm(data.file, data.code, data.sourceMap, new Int32Array(data.heartbeat));
    info = realm.info();
  } catch (e) {
    port.postMessage({ type: 'failed', failure: firstLine(e), errorName: e instanceof Error ? e.name : 'Error' } satisfies WorkerReply);
    return;
  }
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
  port.on('message', (task: Task) => {
    let reply: WorkerReply;
    try {
      reply = { type: 'done', value: run(info, data.file, task) };
    } catch (e) {
      reply = { type: 'failed', failure: firstLine(e), errorName: e instanceof Error ? e.name : 'Error' };
    }
    port.postMessage(reply);
  });
}
