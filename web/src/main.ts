/**
 * The playground's page: four tabs over two workers (the simulator, and the student's model). The
 * page itself never runs a simulation.
 */
import { ModelEditor } from './editor-view.ts';
import { $ } from './dom.ts';
import { ExperimentView } from './experiment-view.ts';
import { HeapView } from './heap-view.ts';
import type { FromModel, FromSim, ToModel, ToSim } from './messages.ts';
import { OstepView } from './ostep-view.ts';
import { WorkerClient } from './worker-client.ts';

const TABS = ['experiment', 'heap', 'model', 'ostep'] as const;

function showTab(name: string): void {
  const tab = (TABS as readonly string[]).includes(name) ? name : 'experiment';
  for (const t of TABS) {
    $(t).hidden = t !== tab;
    $(`tab-${t}`).classList.toggle('active', t === tab);
  }
}

async function main(): Promise<void> {
  const sim = new WorkerClient<ToSim, FromSim>('sim-worker.js');
  const models = new WorkerClient<ToModel, FromModel>('model-worker.js');
  const editor = new ModelEditor(models);
  const experiment = new ExperimentView(sim);
  const heap = new HeapView(
    new WorkerClient<ToSim, FromSim>('sim-worker.js'),
    new WorkerClient<ToModel, FromModel>('model-worker.js'),
    editor,
  );
  const ostep = new OstepView(new WorkerClient<ToSim, FromSim>('sim-worker.js'));
  for (const t of TABS) $(`tab-${t}`).addEventListener('click', () => showTab(t));
  const query = location.search.slice(1);
  showTab(new URLSearchParams(query).get('tab') ?? 'experiment');
  // Test hook: the editor's text (CodeMirror keeps it in its own state).
  (window as unknown as { allocsimEditor: unknown }).allocsimEditor = { get: () => editor.source(), set: (t: string) => editor.set(t) };
  ostep.init();
  await editor.init();
  const catalogClient = new WorkerClient<ToSim, FromSim>('sim-worker.js');
  catalogClient.run({ kind: 'catalog' }, (m) => {
    if (m.kind === 'catalog') {
      heap.init(m.catalog);
      experiment.init(m.catalog, query);
      document.body.dataset.ready = 'true';
    } else if (m.kind === 'error') {
      $('exp-status').textContent = `the simulator did not start: ${m.message}`;
    }
    catalogClient.stop();
    return true;
  });
}

void main();
