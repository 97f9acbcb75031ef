/**
 * The Heap tab: record a run of a teaching allocator (or the editor's model) operation by
 * operation, then step forward and back: the heap map so far, the `--steps` view with the free
 * list, the counters and the cache misses so far.
 */
import { $, input, options, select, words } from './dom.ts';
import { countersTable, heapMapUpTo, stepText } from './heap-picture.ts';
import type { Catalog, FromModel, FromSim, HeapJob, HeapRecording, ToModel, ToSim } from './messages.ts';
import type { WorkerClient } from './worker-client.ts';

/** The Heap tab's choice that means the model in the editor. */
export const EDITOR_MODEL = "(the editor's model)";

export class HeapView {
  private rec: HeapRecording | undefined;
  private at = 0;

  constructor(
    private readonly sim: WorkerClient<ToSim, FromSim>,
    private readonly models: WorkerClient<ToModel, FromModel>,
    private readonly editor: { source(): string; limitMs(): number },
  ) {}

  init(cat: Catalog): void {
    const teaching = cat.allocators.filter((a) => a.family === 'teaching').map((a) => a.name);
    const others = cat.allocators.filter((a) => a.family !== 'teaching').map((a) => a.name);
    options(
      select('heap-model'),
      [...teaching, EDITOR_MODEL, ...others].map((n) => ({ value: n, label: n })),
    );
    options(
      select('heap-workload'),
      cat.workloads.map((w) => ({ value: w.name, label: w.name })),
    );
    select('heap-workload').value = 'random';
    $('heap-record').addEventListener('click', () => this.record());
    $('heap-back').addEventListener('click', () => this.show(this.at - 1));
    $('heap-forward').addEventListener('click', () => this.show(this.at + 1));
    input('heap-slider').addEventListener('input', () => this.show(Number(input('heap-slider').value)));
    document.addEventListener('keydown', (e) => {
      if (this.rec === undefined || $('heap').hidden || (e.target as HTMLElement).closest('input, textarea, select, .cm-editor') !== null)
        return;
      if (e.key === 'ArrowLeft') this.show(this.at - 1);
      if (e.key === 'ArrowRight') this.show(this.at + 1);
    });
  }

  private status(text: string, error = false): void {
    const s = $('heap-status');
    s.textContent = text;
    s.classList.toggle('error', error);
  }

  private job(): HeapJob {
    return {
      allocator: select('heap-model').value,
      workload: select('heap-workload').value,
      params: words(input('heap-params').value, /\s+/),
      seed: Number(input('heap-seed').value),
      steps: Math.max(1, Math.min(2000, Number(input('heap-steps').value) || 1)),
    };
  }

  record(): void {
    const job = this.job();
    this.status('recording…');
    const done = (rec: HeapRecording): boolean => {
      this.load(rec);
      return true;
    };
    const failed = (message: string): boolean => {
      this.status(message, true);
      return true;
    };
    if (job.allocator === EDITOR_MODEL) {
      const limit = this.editor.limitMs();
      this.models.run(
        { kind: 'heap', source: this.editor.source(), job },
        (m) => (m.kind === 'heap-done' ? done(m.recording) : m.kind === 'error' ? failed(m.message) : false),
        limit,
        () => this.status(`stopped after ${limit / 1000} s: the model did not finish in the time limit (an infinite loop?)`, true),
      );
    } else {
      this.sim.run({ kind: 'heap', job }, (m) =>
        m.kind === 'heap-done' ? done(m.recording) : m.kind === 'error' ? failed(m.message) : false,
      );
    }
  }

  /** Shows a recording from its first operation. */
  load(rec: HeapRecording): void {
    this.rec = rec;
    const slider = input('heap-slider');
    slider.max = String(Math.max(0, rec.frames.length - 1));
    $('heap-viewer').hidden = rec.frames.length === 0;
    this.status(
      rec.frames.length === 0
        ? `no operation recorded${rec.error !== undefined ? `: ${rec.error}` : ''}`
        : `${rec.title}: ${rec.frames.length} operations recorded${rec.error !== undefined ? `; the run ended with: ${rec.error}` : ''}`,
      rec.error !== undefined,
    );
    this.show(0);
  }

  /** Shows frame `i` (clamped to the recording). */
  show(i: number): void {
    const rec = this.rec;
    if (rec === undefined || rec.frames.length === 0) return;
    this.at = Math.max(0, Math.min(rec.frames.length - 1, i));
    const f = rec.frames[this.at];
    if (f === undefined) return;
    input('heap-slider').value = String(this.at);
    $('heap-position').textContent = `operation ${this.at + 1} of ${rec.frames.length}`;
    $('heap-step').textContent = stepText(rec, f);
    $('heap-counters').innerHTML = countersTable(f);
    $('heap-map').innerHTML = heapMapUpTo(rec, this.at);
    ($('heap-back') as HTMLButtonElement).disabled = this.at === 0;
    ($('heap-forward') as HTMLButtonElement).disabled = this.at === rec.frames.length - 1;
  }
}
