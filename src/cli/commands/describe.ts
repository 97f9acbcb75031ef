/** `allocsim describe <allocator> [--param k=v] [--json]`: size classes, constants, parameters, sources. */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { createModel, modelInfo, type ModelDescription, type ModelInfo } from '../../allocators/index.ts';
import { Machine } from '../../machine/machine.ts';
import { machinePreset } from '../../machine/costs.ts';
import { parseAssignment, type ParamSpec } from '../../sim/params.ts';
import { toJSON, fitColumns } from '../../report/format.ts';
import type { Io } from '../io.ts';
import { listOption } from '../options.ts';

export interface DescribeData extends ModelDescription {
  family: ModelInfo['family'];
  doc: string | null;
  params: readonly ParamSpec[];
}

export function describeData(name: string, params: string[]): DescribeData {
  const info = modelInfo(name);
  const overrides = Object.fromEntries(params.map(parseAssignment));
  const model = createModel(info, new Machine(machinePreset('default')), overrides);
  const d = model.describe();
  return { ...d, family: info.family, doc: info.doc ?? null, params: info.params };
}

export function registerDescribe(y: Argv, io: Io): Argv {
  return y.command(
    'describe <allocator>',
    'show an allocator model: size classes, constants, parameters and sources',
    (b) =>
      b
        .positional('allocator', { type: 'string', demandOption: true })
        .option('param', { type: 'string', array: true, describe: 'parameter override key=value' })
        .option('json', { type: 'boolean', default: false }),
    (args) => {
      const data = describeData(String(args.allocator), listOption(args.param));
      if (args.json) {
        io.out(toJSON(data));
        return;
      }
      const lines: string[] = [chalk.bold(`${data.name}`) + ` — ${data.summary}`];
      if (data.sizeClasses.length > 0) {
        const keys = Object.keys(data.sizeClasses[0] as object);
        const t = new Table({ head: keys.map((k) => chalk.bold(k)), style: { head: [], border: [] } });
        for (const sc of data.sizeClasses) t.push(keys.map((k) => String((sc as Record<string, unknown>)[k])));
        lines.push(`size classes (${data.sizeClasses.length}):`, t.toString());
      }
      const c = new Table({ head: [chalk.bold('constant'), chalk.bold('value')], style: { head: [], border: [] } });
      for (const [k, v] of Object.entries(data.constants)) c.push([k, String(v)]);
      lines.push(c.toString());
      if (data.params.length > 0) {
        const p = new Table({ head: ['parameter', 'default', 'description'].map((h) => chalk.bold(h)), style: { head: [], border: [] }, wordWrap: true, colWidths: fitColumns([26, 14]) });
        for (const s of data.params) p.push([s.name, String(s.default), s.description]);
        lines.push(p.toString());
      }
      if (data.sources.length > 0) lines.push('sources:', ...data.sources.map((s) => `  ${s}`));
      if (data.doc !== null) lines.push(`fidelity notes: ${data.doc}`);
      io.out(`${lines.join('\n')}\n`);
    },
  );
}
