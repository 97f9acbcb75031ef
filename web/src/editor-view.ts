/**
 * The Model tab: a code editor (CodeMirror) opened on the `allocsim init` templates; "Check" loads
 * the model in the model worker (transpiled there) under a time limit, probes it against the
 * contract and runs the invariant suite, showing each failure's shrunk counterexample as a
 * sequence of heap pictures, one per operation.
 */
import { javascript } from '@codemirror/lang-javascript';
import { basicSetup, EditorView } from 'codemirror';
import { $, escapeText, input, options, select, words } from './dom.ts';
import { stripSequence } from './heap-picture.ts';
import type { FromModel, GradeInputs, PropertyReport, ToModel } from './messages.ts';
import type { WorkerClient } from './worker-client.ts';

export class ModelEditor {
  private view: EditorView | undefined;

  constructor(private readonly models: WorkerClient<ToModel, FromModel>) {}

  async init(): Promise<void> {
    // The templates of `allocsim init`, copied into the site by web:build.
    const r = await fetch('templates/index.json');
    const templates = r.ok ? ((await r.json()) as string[]) : [];
    options(
      select('model-template'),
      templates.map((t) => ({ value: t, label: t })),
    );
    this.view = new EditorView({ parent: $('model-editor'), extensions: [basicSetup, javascript({ typescript: true })] });
    select('model-template').addEventListener('change', () => void this.open(select('model-template').value));
    $('model-check').addEventListener('click', () => this.check());
    $('model-grade').addEventListener('click', () => void this.grade());
    $('model-stop').addEventListener('click', () => {
      this.models.stop();
      this.status('stopped', true);
    });
    if (templates[0] !== undefined) await this.open(templates[0]);
  }

  async open(template: string): Promise<void> {
    const r = await fetch(`templates/${template}.ts`);
    this.set(r.ok ? await r.text() : `// the template ${template} is missing from this build (${r.status})\n`);
  }

  source(): string {
    return this.view?.state.doc.toString() ?? '';
  }

  set(text: string): void {
    const v = this.view;
    v?.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
  }

  /** The time limit of a model run, in milliseconds. */
  limitMs(): number {
    const s = Number(input('model-limit').value);
    return Math.round((Number.isFinite(s) && s > 0 ? s : 20) * 1000);
  }

  /** The status line; `done` marks the end of a job (data-done, which the browser tests wait for). */
  private status(text: string, error = false, done = true): void {
    const s = $('model-status');
    s.textContent = text;
    s.classList.toggle('error', error);
    s.dataset.done = String(done);
  }

  /** Grades the model on `allocsim grade`'s default inputs (fetched from the site), under the time limit. */
  async grade(): Promise<void> {
    const limit = this.limitMs();
    const out = $('model-results');
    out.innerHTML = '';
    this.status('fetching the inputs…', false, false);
    const r = await fetch('grade/inputs.json');
    if (!r.ok) return this.status(`grade/inputs.json is missing from this build (${r.status})`, true);
    const all = (await r.json()) as GradeInputs;
    const chosen = new Set(words(input('model-grade-inputs').value));
    const sel =
      chosen.size === 0 ? all : { inputs: all.inputs.filter((i) => chosen.has(i.label)), notes: [`chosen: ${[...chosen].join(', ')}`] };
    const unknown = [...chosen].filter((c) => !all.inputs.some((i) => i.label === c));
    if (unknown.length > 0)
      return this.status(`no grading input named ${unknown.join(', ')}; the inputs are ${all.inputs.map((i) => i.label).join(', ')}`, true);
    const traces: Record<string, string> = {};
    for (const i of sel.inputs) {
      const file = i.params.file;
      if (i.workload !== 'trace' || typeof file !== 'string') continue;
      const t = await fetch(`grade/${encodeURIComponent(file)}`);
      if (!t.ok) return this.status(`the trace ${file} is missing from this build (${t.status})`, true);
      traces[file] = await t.text();
    }
    this.status('grading…', false, false);
    this.models.run(
      { kind: 'grade', source: this.source(), inputs: sel.inputs, traces },
      (m) => {
        switch (m.kind) {
          case 'grade-progress':
            this.status(`grading: ${m.what} done`, false, false);
            return false;
          case 'grade-done':
            out.innerHTML = gradeHTML(m, sel.notes);
            this.status(
              m.valid.every((v) => v) ? 'graded: valid on every input' : 'graded: invalid on some inputs (see the table)',
              !m.valid.every((v) => v),
            );
            return true;
          case 'error':
            this.status(m.message, true);
            return true;
          default:
            return false;
        }
      },
      limit,
      () =>
        this.status(
          `stopped after ${limit / 1000} s: grading did not finish in the time limit (an infinite loop? or raise the limit)`,
          true,
        ),
    );
  }

  check(): void {
    const limit = this.limitMs();
    const out = $('model-results');
    out.innerHTML = '';
    this.status('loading the model…', false, false);
    const runs = Math.max(1, Number(input('model-runs').value) || 40);
    this.models.run(
      { kind: 'check', source: this.source(), runs, seed: 1 },
      (m) => {
        switch (m.kind) {
          case 'loaded': {
            const bad = m.contract.filter((c) => !c.ok);
            out.insertAdjacentHTML(
              'beforeend',
              `<h3>contract of ${escapeText(m.name)}</h3><ul class="contract">${m.contract.map((c) => `<li class="${c.ok ? 'pass' : 'fail'}">${c.ok ? 'ok' : 'FAIL'} ${escapeText(c.name)}: ${escapeText(c.detail)}</li>`).join('')}</ul>`,
            );
            this.status(
              bad.length === 0 ? 'running the invariant suite…' : `${bad.length} contract problem(s); running what can run…`,
              bad.length > 0,
              false,
            );
            return false;
          }
          case 'property':
            out.insertAdjacentHTML('beforeend', propertyHTML(m.report));
            return false;
          case 'check-done': {
            const failed = out.querySelectorAll('.property.fail, .contract .fail').length;
            this.status(failed === 0 ? 'the model passes the contract and the invariant suite' : `${failed} check(s) failed`, failed > 0);
            return true;
          }
          case 'error':
            this.status(m.message, true);
            return true;
          default:
            return false;
        }
      },
      limit,
      () => this.status(`stopped after ${limit / 1000} s: the model did not finish in the time limit (an infinite loop?)`, true),
    );
  }
}

function gradeHTML(m: Extract<FromModel, { kind: 'grade-done' }>, notes: readonly string[]): string {
  const head = `<tr>${m.head.map((h) => `<th>${escapeText(h)}</th>`).join('')}</tr>`;
  const body = m.rows
    .map(
      (r, i) =>
        `<tr>${r.map((c, j) => `<td${j === 1 ? ` class="${m.valid[i] === true ? 'better' : 'worse'}"` : ''}>${escapeText(c)}</td>`).join('')}</tr>`,
    )
    .join('');
  return (
    `<h3>grade (as allocsim grade)</h3><p class="note">inputs: ${escapeText(notes.join('; '))}</p><table class="grade">${head}${body}</table><p class="note">${escapeText(m.legend)}</p>` +
    `${m.errors.map((e) => `<p class="violation">${escapeText(e)}</p>`).join('')}<pre id="model-scores">${escapeText(m.scores)}</pre>`
  );
}

function propertyHTML(r: PropertyReport): string {
  const p = r.result;
  const head = `<h4>${p.ok ? 'pass' : 'FAIL'} ${escapeText(p.name)} <small>(${p.runs} sequence${p.runs === 1 ? '' : 's'}) ${escapeText(p.description)}</small></h4>`;
  if (p.ok) return `<div class="property pass">${head}</div>`;
  const v = p.violation;
  const what = v !== undefined && v !== null ? `${v.kind}: ${v.message}` : (p.message ?? 'failed');
  const seq = (p.counterexample ?? []).map((c) => `<li>${escapeText(c)}</li>`).join('');
  const replay = r.replay;
  const pictures =
    replay === undefined || replay.frames.length === 0
      ? ''
      : `<p>the shrunk counterexample replayed, the heap after each operation (live blocks by thread, <span class="free">free</span>, <span class="cached">cached</span>):</p><div class="strips">${stripSequence(
          replay.frames.map((f) => f.sample),
          replay.frames.map((f, i) => `${i + 1}. ${f.step.text}`),
        )}</div>`;
  return `<div class="property fail">${head}<p class="violation">${escapeText(what)}</p><p>minimal failing sequence (t&lt;n&gt; = thread, #&lt;k&gt; = k-th live block):</p><ol>${seq}</ol>${pictures}<p class="replay">replay: allocsim check allocator.ts --only ${escapeText(p.name)} --seed ${p.seed} --path ${escapeText(p.path ?? '')}${p.replayPath !== undefined ? ` --replay-path '${escapeText(p.replayPath)}'` : ''}</p></div>`;
}
