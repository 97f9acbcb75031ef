/**
 * The simulator's Web Worker: every run of the Experiment, Heap and OSTEP tabs happens here, never
 * on the page's thread. It runs the same code as the CLI (grid expansion, runExperiment, summary,
 * the vega-lite charts), so the same experiment gives the same JSON. The page cancels a job by
 * terminating this worker and starting another.
 */
import '../../src/allocators/index.ts';
import '../../src/workloads/index.ts';
import { allModels, modelInfo } from '../../src/allocators/registry.ts';
import { gridTitle } from '../../src/experiment/grid.ts';
import { resultOk } from '../../src/experiment/result.ts';
import { MACHINE_PRESETS } from '../../src/machine/presets.ts';
import { chartSVG } from '../../src/report/charts.ts';
import { toCSV } from '../../src/report/csv.ts';
import { gridJSON } from '../../src/report/format.ts';
import { summaryTable } from '../../src/report/html.ts';
import { allWorkloads } from '../../src/workloads/registry.ts';
import type { ExperimentForm } from './experiment-form.ts';
import { runGrid } from './experiment-run.ts';
import { recordHeap } from './heap-record.ts';
import type { Catalog, FromSim, ToSim } from './messages.ts';
import { ostepText } from './ostep-run.ts';

const post = (m: FromSim): void => (self as unknown as { postMessage(m: FromSim): void }).postMessage(m);

function catalog(): Catalog {
  return {
    allocators: allModels().map((m) => ({ name: m.name, summary: m.summary, family: m.family })),
    workloads: allWorkloads().map((w) => ({ name: w.name, summary: w.summary, params: w.params.map((p) => p.name) })),
    machines: Object.keys(MACHINE_PRESETS),
  };
}

async function experiment(form: ExperimentForm): Promise<void> {
  const start = performance.now();
  const grid = runGrid(form, (done, total, label, ops) => post({ kind: 'progress', done, total, label, ops }));
  const runMs = performance.now() - start;
  post({ kind: 'progress', done: grid.results.length, total: grid.results.length, label: 'charts', ops: 0 });
  const title = gridTitle(grid.spec);
  post({
    kind: 'experiment-done',
    title,
    json: gridJSON(grid.spec, grid.summary, grid.results),
    csv: toCSV(grid.summary),
    tableHTML: summaryTable(grid.summary),
    svg: await chartSVG(grid.summary, title),
    runMs,
    failed: grid.results.filter((r) => !resultOk(r)).length,
  });
}

async function handle(m: ToSim): Promise<void> {
  switch (m.kind) {
    case 'catalog':
      return post({ kind: 'catalog', catalog: catalog() });
    case 'experiment':
      return experiment(m.form);
    case 'heap':
      return post({ kind: 'heap-done', recording: recordHeap(modelInfo(m.job.allocator), m.job) });
    case 'ostep': {
      const out = ostepText(m.args);
      return post({ kind: 'ostep-done', text: out.stdout, ...(out.error !== undefined ? { error: out.error } : {}) });
    }
  }
}

self.onmessage = (e: MessageEvent<ToSim>): void => {
  handle(e.data).catch((err: unknown) => post({ kind: 'error', message: err instanceof Error ? err.message : String(err) }));
};
