/**
 * Runs the points of a grid, serially in this thread (`jobs` = 1) or on a pool of worker threads
 * (piscina), one run per task. Each run is single-threaded and deterministic, so the Results are
 * the same either way; they come back in grid order whatever order the workers finish in.
 */
import { availableParallelism } from 'node:os';
import type { GridPoint } from './grid.ts';
import type { Result } from './result.ts';
import { fileLineSource } from './line-file.ts';
import { runExperiment } from './run.ts';
import type { RunTask, TaskOutcome } from './run-task.ts';
import { InputError } from './input-error.ts';
import { workerEntryUrl } from './worker-entry-url.ts';

export interface PoolOptions {
  /** Worker threads; 1 runs in this thread. */
  jobs: number;
  /** File URLs of modules that register extra models or workloads (imported by each worker). */
  modules: string[];
  /** File URLs of student model files each worker registers. */
  modelFiles?: string[];
  /** Called after each finished run. */
  onDone?: (done: number, total: number, point: GridPoint) => void;
  /**
   * Runners of the models that run isolated (model files), by model name: their points go there,
   * one at a time per model, while the other points run here or on the pool.
   */
  isolated?: ReadonlyMap<string, (config: GridPoint['config']) => Promise<Result>>;
}

/** The default --jobs: the number of cores Node may use. */
export function defaultJobs(): number {
  return availableParallelism();
}

export async function runPoints(points: readonly GridPoint[], opts: PoolOptions): Promise<Result[]> {
  const results: Result[] = new Array<Result>(points.length);
  let done = 0;
  const finished = (i: number, r: Result): void => {
    results[i] = r;
    done++;
    opts.onDone?.(done, points.length, points[i] as GridPoint);
  };
  const isolated = opts.isolated ?? new Map();
  const own = points.map((_, i) => i).filter((i) => !isolated.has((points[i] as GridPoint).config.allocator));
  const away = [...isolated].map(async ([name, run]) => {
    for (const [i, p] of points.entries()) if (p.config.allocator === name) finished(i, await run(p.config));
  });
  await Promise.all([runOwn(points, own, opts, finished), ...away]);
  return results;
}

/** The points at `indices` that run in this process or on its worker threads. */
async function runOwn(
  points: readonly GridPoint[],
  indices: readonly number[],
  opts: PoolOptions,
  finished: (i: number, r: Result) => void,
): Promise<void> {
  if (indices.length === 0) return;
  const threads = Math.min(opts.jobs, indices.length);
  if (threads <= 1) {
    for (const i of indices) {
      finished(i, runExperiment({ ...(points[i] as GridPoint).config, openLines: fileLineSource }));
      // Let timers (the progress bar) and signals in between runs.
      await new Promise((r) => setTimeout(r, 0));
    }
    return;
  }
  const { Piscina } = await import('piscina');
  const pool = new Piscina<RunTask, TaskOutcome>({
    filename: workerEntryUrl(),
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
  });
  // Larger thread counts first, so the long runs do not all land at the end.
  const order = [...indices].sort((a, b) => (points[b] as GridPoint).threads - (points[a] as GridPoint).threads || a - b);
  try {
    await Promise.all(
      order.map(async (i) => {
        const outcome = await pool.run({
          config: (points[i] as GridPoint).config,
          modules: opts.modules,
          modelFiles: opts.modelFiles ?? [],
        });
        if ('inputError' in outcome) throw new InputError(outcome.inputError);
        finished(i, outcome.result);
      }),
    );
  } finally {
    await pool.destroy();
  }
}
