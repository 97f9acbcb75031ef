/** The OSTEP tab: malloc.py's flags as form fields; its output (and, with picture, the heap drawn). */
import { FREESPACE_FLAGS } from '../../src/experiment/ostep/freespace-options.ts';
import { $, escapeText } from './dom.ts';
import type { FromSim, ToSim } from './messages.ts';
import type { WorkerClient } from './worker-client.ts';

export class OstepView {
  constructor(private readonly sim: WorkerClient<ToSim, FromSim>) {}

  init(): void {
    $('ostep-fields').innerHTML = FREESPACE_FLAGS.map((f) => {
      const flag = f.alias === '' ? `--${f.name}` : `-${f.alias}`;
      const id = `ostep-${f.name}`;
      const field =
        f.type === 'boolean'
          ? `<input type="checkbox" id="${id}" data-flag="${f.name}"${f.default === true || f.name === 'compute' || f.name === 'picture' ? ' checked' : ''}>`
          : `<input type="text" id="${id}" data-flag="${f.name}" value="${escapeText(String(f.default))}" size="12">`;
      return `<label title="${escapeText(f.describe)}"><span>${escapeText(flag)} ${escapeText(f.name)}</span>${field}</label>`;
    }).join('');
    $('ostep-run').addEventListener('click', () => this.run());
  }

  run(): void {
    const args: Record<string, string | boolean> = {};
    for (const el of $('ostep-fields').querySelectorAll<HTMLInputElement>('input[data-flag]')) {
      args[el.dataset.flag as string] = el.type === 'checkbox' ? el.checked : el.value;
    }
    const flags = FREESPACE_FLAGS.filter((f) => args[f.name] !== f.default).map((f) => {
      const opt = f.alias === '' ? `--${f.name}` : `-${f.alias}`;
      return f.type === 'boolean' ? opt : `${opt} ${String(args[f.name])}`;
    });
    $('ostep-command').textContent = `allocsim ostep-freespace ${flags.join(' ')}`;
    this.sim.run({ kind: 'ostep', args }, (m) => {
      if (m.kind === 'ostep-done') $('ostep-output').textContent = m.text + (m.error !== undefined ? `\n${m.error}` : '');
      else if (m.kind === 'error') $('ostep-output').textContent = `error: ${m.message}`;
      return m.kind !== 'progress';
    });
  }
}
