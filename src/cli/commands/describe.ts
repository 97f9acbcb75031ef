/** `allocsim describe <allocator> [--param k=v] [--json]`: size classes, constants, parameters, sources. */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { COMMANDS } from './spec.ts';
import { createModel, hasModel, modelInfo, modelNames, type ModelDescription, type ModelInfo } from '../../allocators/index.ts';
import { lookupWorkload, workloadNames } from '../../workloads/index.ts';
import { Machine } from '../../machine/machine.ts';
import { machinePreset } from '../../machine/presets.ts';
import { parseAssignment, resolveParams, type ParamSpec, type ParamValue } from '../../lib/params.ts';
import { toJSON, fitColumns } from '../../report/format.ts';
import { UsageError } from '../errors.ts';
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

export interface WorkloadDescription {
  name: string;
  summary: string;
  /** Parameters with the defaults this name implies (a variant such as msgpass-4 sets some). */
  params: Array<ParamSpec & { value: ParamValue }>;
  sources: string[];
  doc: string | null;
}

export function describeWorkload(name: string): WorkloadDescription {
  const { info, overrides } = lookupWorkload(name);
  const values = resolveParams(`workload ${name}`, info.params, overrides);
  return {
    name,
    summary: info.summary,
    params: info.params.map((p) => ({ ...p, value: values[p.name] as ParamValue })),
    sources: info.sources,
    doc: info.doc ?? null,
  };
}

function paramTable(rows: string[][]): string {
  const p = new Table({
    head: ['parameter', 'default', 'description'].map((h) => chalk.bold(h)),
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: fitColumns([26, 14]),
  });
  for (const r of rows) p.push(r);
  return p.toString();
}

function formatWorkload(w: WorkloadDescription): string {
  const lines = [chalk.bold(w.name) + ` — ${w.summary}`];
  if (w.params.length > 0) lines.push(paramTable(w.params.map((s) => [s.name, String(s.value), s.description])));
  if (w.sources.length > 0) lines.push('sources:', ...w.sources.map((s) => `  ${s}`));
  if (w.doc !== null) lines.push(`documentation: ${w.doc}`);
  return `${lines.join('\n')}\n`;
}

function isWorkload(name: string): boolean {
  try {
    lookupWorkload(name);
    return true;
  } catch {
    return false;
  }
}

export function registerDescribe(y: Argv, io: Io): Argv {
  return y.command(
    COMMANDS.describe.command,
    COMMANDS.describe.describe,
    (b) =>
      b
        .positional('name', { type: 'string', demandOption: true, describe: 'an allocator or a workload (see allocsim list)' })
        .option('param', { type: 'string', array: true, describe: 'parameter override key=value (allocators)' })
        .option('json', { type: 'boolean', default: false }),
    (args) => {
      const name = String(args.name);
      if (!hasModel(name) && isWorkload(name)) {
        if (listOption(args.param).length > 0)
          throw new UsageError(`--param describes an allocator with a parameter changed; ${name} is a workload`);
        const w = describeWorkload(name);
        io.out(args.json ? toJSON(w) : formatWorkload(w));
        return;
      }
      if (!hasModel(name)) {
        throw new UsageError(
          `'${name}' is neither an allocator nor a workload; valid allocators: ${modelNames().join(', ')}; valid workloads: ${workloadNames().join(', ')}`,
        );
      }
      const data = describeData(name, listOption(args.param));
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
      if (data.params.length > 0) lines.push(paramTable(data.params.map((s) => [s.name, String(s.default), s.description])));
      if (data.sources.length > 0) lines.push('sources:', ...data.sources.map((s) => `  ${s}`));
      if (data.doc !== null) lines.push(`fidelity notes: ${data.doc}`);
      io.out(`${lines.join('\n')}\n`);
    },
  );
}
