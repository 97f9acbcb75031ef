/**
 * An experiment of the playground, run as `allocsim compare` runs it serially: the CLI's grid
 * expansion, preflight, runs in grid order and summary. The simulator's worker calls it (and a
 * test compares its JSON with the CLI's in one process).
 */
import { baselineLabel, expandGrid, type GridSpec } from '../../src/experiment/grid.ts';
import { preflight } from '../../src/experiment/preflight.ts';
import type { Result } from '../../src/experiment/result.ts';
import { runExperiment } from '../../src/experiment/run.ts';
import { summarize, type Summary } from '../../src/experiment/summary.ts';
import { gridSpecOf, type ExperimentForm } from './experiment-form.ts';

export interface GridRun {
  spec: GridSpec;
  results: Result[];
  summary: Summary;
}

/** Runs every point of `form`'s grid; `progress` hears of each run and of the operations within it. */
export function runGrid(
  form: ExperimentForm,
  progress: (done: number, total: number, label: string, ops: number) => void = () => undefined,
): GridRun {
  const spec = gridSpecOf(form);
  const points = expandGrid(spec);
  const baseline = baselineLabel(spec, points);
  // As the CLI: a value only the model rejects fails before any run, with the CLI's message.
  preflight(spec, points);
  const results: Result[] = [];
  for (const p of points) {
    const label = `${p.allocatorLabel} ${p.benchmark} t=${p.threads}`;
    progress(results.length, points.length, label, 0);
    results.push(runExperiment({ ...p.config, onProgress: (ops) => progress(results.length, points.length, label, ops) }));
  }
  return { spec, results, summary: summarize(points, results, baseline) };
}
