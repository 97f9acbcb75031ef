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

export interface RunTask {
  config: PointConfig;
  /** File URLs of modules that register extra models or workloads. */
  modules: string[];
  /** File URLs of student model files to register (compare -a ./mine.ts). */
  modelFiles: string[];
}

export async function runTask(task: RunTask): Promise<Result> {
  for (const m of task.modules) await import(m);
  for (const f of task.modelFiles) await importModelFile(f);
  return runExperiment({ ...task.config, openLines: fileLineSource });
}
