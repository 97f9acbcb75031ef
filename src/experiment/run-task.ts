/**
 * One task of the parallel runner: a grid point's run, done in a worker thread. The worker imports
 * every built-in model and workload (and the grid's extra modules, e.g. a student's model), then
 * runs the point exactly as a serial run would, so the Result is identical.
 */
import '../allocators/index.ts';
import '../workloads/index.ts';
import type { PointConfig } from './grid.ts';
import type { Result } from './result.ts';
import { fileLineSource } from './line-file.ts';
import { importModelFile } from './model-file.ts';
import { runExperiment } from './run.ts';
import { isInputError } from './input-error.ts';

export interface RunTask {
  config: PointConfig;
  /** File URLs of modules that register extra models or workloads. */
  modules: string[];
  /** File URLs of student model files to register (compare -a ./mine.ts). */
  modelFiles: string[];
}

/** A task's answer: the Result, or the message of an input error (rethrown by the pool). */
export type TaskOutcome = { result: Result } | { inputError: string };

export async function runTask(task: RunTask): Promise<TaskOutcome> {
  try {
    for (const m of task.modules) await import(m);
    for (const f of task.modelFiles) await importModelFile(f);
    return { result: runExperiment({ ...task.config, openLines: fileLineSource }) };
  } catch (e) {
    if (isInputError(e)) return { inputError: e.message };
    throw e;
  }
}
