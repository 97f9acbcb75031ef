/**
 * The main thread of a model's process. It runs each task of the grader (model-host.ts) on a worker
 * thread holding the model's realm, and watches it: a model call that does not return within the
 * call limit, a task over the run limit, or a worker over its heap limit ends that worker (V8 stops
 * the running code, infinite loop or not), the task fails with one line, and the next task gets a
 * fresh worker.
 */
import { Worker } from 'node:worker_threads';
import { DISPATCH } from './protocol.ts';
import { HB_CALL, HB_IDLE, HB_SEQ } from './realm.ts';
import type { Task } from './tasks.ts';
import type { WorkerData, WorkerReply } from './task-runner.ts';

export interface Limits {
  /** Wall-clock limit of one model call, in seconds. */
  callSeconds: number;
  /** Wall-clock limit of one task (a run, a property, a workload), in seconds. */
  runSeconds: number;
  /** Heap limit of the model's thread, in MiB. */
  memoryMiB: number;
}

export type StartMessage = { type: 'start'; file: string; code: string; sourceMap: string; limits: Limits };
export type TaskMessage = { type: 'task'; id: number; task: Task };
export type Outcome = { ok: true; value: unknown } | { ok: false; failure: string; errorName?: string };
export type ResultMessage = { type: 'result'; id: number } & Outcome;

const seconds = (s: number): string => `${s} s`;

export function runSupervisor(entry: URL): void {
  let start: StartMessage | undefined;
  let worker: Worker | undefined;
  const heartbeat = new SharedArrayBuffer(8);
  const beat = new Int32Array(heartbeat);
  let settle: ((o: Outcome) => void) | undefined;
  let since = 0;
  let lastSeq = -1;
  let taskStart = 0;

  const finish = (o: Outcome): void => {
    const s = settle;
    settle = undefined;
    s?.(o);
  };
  const kill = (failure: string): void => {
    const w = worker;
    worker = undefined;
    void w?.terminate();
    finish({ ok: false, failure });
  };

  const watchdog = setInterval(() => {
    if (settle === undefined || start === undefined) return;
    const now = Date.now();
    const call = Atomics.load(beat, HB_CALL);
    const seq = Atomics.load(beat, HB_SEQ);
    if (call === HB_IDLE || seq !== lastSeq) {
      lastSeq = seq;
      since = now;
    } else if (now - since > start.limits.callSeconds * 1000) {
      kill(`${DISPATCH[call] ?? 'a model call'} did not return within ${seconds(start.limits.callSeconds)}`);
      return;
    }
    if (now - taskStart > start.limits.runSeconds * 1000) kill(`the run did not finish within ${seconds(start.limits.runSeconds)}`);
  }, 25);
  watchdog.unref();

  const begin = (): Promise<Outcome> => {
    taskStart = Date.now();
    since = taskStart;
    lastSeq = -1;
    return new Promise<Outcome>((resolve) => {
      settle = resolve;
    });
  };

  /** A worker with the model loaded, or the reason it cannot load. */
  const ensureWorker = async (): Promise<Outcome> => {
    if (worker !== undefined) return { ok: true, value: null };
    const s = start as StartMessage;
    Atomics.store(beat, HB_CALL, HB_IDLE);
    const data: WorkerData = { file: s.file, code: s.code, sourceMap: s.sourceMap, heartbeat };
    const w = new Worker(entry, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: s.limits.memoryMiB, maxYoungGenerationSizeMb: 32 },
      env: {},
    });
    worker = w;
    w.on('message', (m: WorkerReply) => {
      if (w !== worker) return;
      if (m.type === 'failed') finish({ ok: false, failure: m.failure, errorName: m.errorName });
      else finish({ ok: true, value: m.type === 'done' ? m.value : null });
    });
    w.on('error', (e: Error & { code?: string }) => {
      if (w !== worker) return;
      kill(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `the model used more than ${s.limits.memoryMiB} MiB of memory`
          : (e.message.split('\n')[0] ?? 'the model failed'),
      );
    });
    w.on('exit', (code) => {
      if (w !== worker) return;
      kill(`the model's thread ended (exit code ${code}) before it answered`);
    });
    const loaded = await begin();
    if (!loaded.ok && worker === w) {
      worker = undefined;
      void w.terminate();
    }
    return loaded;
  };

  const runTask = async (m: TaskMessage): Promise<void> => {
    let o = await ensureWorker();
    if (o.ok) {
      const done = begin();
      worker?.postMessage(m.task);
      o = await done;
    }
    process.send?.({ type: 'result', id: m.id, ...o } satisfies ResultMessage);
  };

  let queue = Promise.resolve();
  process.on('message', (m: StartMessage | TaskMessage) => {
    if (m.type === 'start') start ??= m;
    else if (m.type === 'task' && start !== undefined) queue = queue.then(() => runTask(m));
  });
  process.on('disconnect', () => process.exit(0));
}
