/**
 * The Experiment tab: the choices of `allocsim compare`, a run in the simulator's worker with a
 * progress bar and a cancel button, the CLI's table and charts, the JSON and CSV to download, and
 * a URL (and the command line) that reproduce the experiment.
 */
import { $, downloadLink, input, options, select, words } from './dom.ts';
import { cliArgs, DEFAULT_FORM, formFromQuery, formToQuery, type ExperimentForm } from './experiment-form.ts';
import type { Catalog, FromSim, ToSim } from './messages.ts';
import type { WorkerClient } from './worker-client.ts';

function selected(sel: HTMLSelectElement): string[] {
  return [...sel.selectedOptions].map((o) => o.value);
}

function choose(sel: HTMLSelectElement, values: readonly string[]): void {
  for (const o of sel.options) o.selected = values.includes(o.value);
}

/** The form's fields as an ExperimentForm (number fields are checked by gridSpecOf in the worker). */
export function readForm(): ExperimentForm {
  const baseline = select('exp-baseline').value;
  return {
    allocators: selected(select('exp-allocators')),
    workloads: selected(select('exp-workloads')),
    threads: words(input('exp-threads').value).map(Number),
    threadParams: words(input('exp-thread-params').value),
    seeds: Number(input('exp-seeds').value),
    seed: Number(input('exp-seed').value),
    params: words(($('exp-params') as HTMLTextAreaElement).value, /\s+/),
    ...(baseline !== '' ? { baseline } : {}),
    machine: select('exp-machine').value,
    check: input('exp-check').checked,
  };
}

function writeForm(f: ExperimentForm): void {
  choose(select('exp-allocators'), f.allocators);
  choose(select('exp-workloads'), f.workloads);
  input('exp-threads').value = f.threads.join(',');
  input('exp-thread-params').value = f.threadParams.join(',');
  input('exp-seeds').value = String(f.seeds);
  input('exp-seed').value = String(f.seed);
  ($('exp-params') as HTMLTextAreaElement).value = f.params.join('\n');
  baselineChoices(f.baseline);
  select('exp-machine').value = f.machine;
  input('exp-check').checked = f.check;
}

function baselineChoices(keep?: string): void {
  const sel = select('exp-baseline');
  const now = keep ?? sel.value;
  options(sel, [{ value: '', label: '(the first)' }, ...selected(select('exp-allocators')).map((a) => ({ value: a, label: a }))]);
  sel.value = [...sel.options].some((o) => o.value === now) ? now : '';
}

export class ExperimentView {
  constructor(private readonly sim: WorkerClient<ToSim, FromSim>) {}

  /** Fills the choices from the catalog and the form from the URL; runs the experiment a URL names. */
  init(cat: Catalog, query: string): void {
    options(
      select('exp-allocators'),
      cat.allocators.map((a) => ({ value: a.name, label: `${a.name} (${a.family})` })),
    );
    options(
      select('exp-workloads'),
      cat.workloads.map((w) => ({ value: w.name, label: w.name })),
    );
    options(
      select('exp-machine'),
      cat.machines.map((m) => ({ value: m, label: m })),
    );
    select('exp-allocators').addEventListener('change', () => baselineChoices());
    $('exp-run').addEventListener('click', () => this.run());
    $('exp-cancel').addEventListener('click', () => this.cancel());
    const q = new URLSearchParams(query);
    let f = DEFAULT_FORM;
    try {
      f = formFromQuery(query);
    } catch (e) {
      this.status(`the link's experiment is not valid: ${(e as Error).message}`, true);
    }
    writeForm(f);
    if (q.has('a') && q.has('w') && (q.get('tab') ?? 'experiment') === 'experiment') this.run();
  }

  /** The status line; `done` marks the end of a job (data-done, which the browser tests wait for). */
  private status(text: string, error = false, done = true): void {
    const s = $('exp-status');
    s.textContent = text;
    s.classList.toggle('error', error);
    s.dataset.done = String(done);
  }

  private busy(on: boolean): void {
    (input('exp-run') as unknown as HTMLButtonElement).disabled = on;
    (input('exp-cancel') as unknown as HTMLButtonElement).disabled = !on;
  }

  cancel(): void {
    this.sim.stop();
    this.busy(false);
    this.status('cancelled');
  }

  run(): void {
    const form = readForm();
    const query = formToQuery(form);
    history.replaceState(null, '', `?${query}`);
    $('exp-command').textContent = `allocsim ${cliArgs(form)
      .map((a) => (/^[\w.,=:/+-]+$/.test(a) ? a : `'${a}'`))
      .join(' ')} --json`;
    const bar = $('exp-progress') as HTMLProgressElement;
    bar.value = 0;
    this.busy(true);
    this.status('starting', false, false);
    const started = performance.now();
    this.sim.run({ kind: 'experiment', form }, (m) => {
      switch (m.kind) {
        case 'progress':
          bar.max = m.total;
          bar.value = m.done;
          this.status(
            `run ${Math.min(m.done + 1, m.total)} of ${m.total}: ${m.label}${m.ops > 0 ? ` (${m.ops.toLocaleString('en-US')} operations)` : ''}`,
            false,
            false,
          );
          return false;
        case 'experiment-done': {
          bar.value = bar.max;
          $('exp-table').innerHTML = m.tableHTML;
          $('exp-charts').innerHTML = m.svg;
          downloadLink($('exp-json') as HTMLAnchorElement, m.json, 'application/json', 'experiment.json');
          downloadLink($('exp-csv') as HTMLAnchorElement, m.csv, 'text/csv', 'experiment.csv');
          const total = (performance.now() - started) / 1000;
          $('exp-status').dataset.runMs = String(Math.round(m.runMs));
          this.status(
            `done: ${m.title}; runs took ${(m.runMs / 1000).toFixed(2)} s (${total.toFixed(2)} s with the report)${m.failed > 0 ? `; ${m.failed} runs failed (an error or an invariant violation)` : ''}`,
          );
          this.busy(false);
          return true;
        }
        case 'error':
          this.status(m.message, true);
          this.busy(false);
          return true;
        default:
          return false;
      }
    });
  }
}
