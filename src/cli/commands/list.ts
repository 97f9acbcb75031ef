/** `allocsim list [allocators|workloads|machines] [--json]` */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { COMMANDS } from './spec.ts';
import { allModels } from '../../allocators/index.ts';
import { MACHINE_PRESETS } from '../../machine/presets.ts';
import { allWorkloads } from '../../workloads/index.ts';
import { fitColumns, toJSON } from '../../report/format.ts';
import type { Io } from '../io.ts';

export function listData(what: string): unknown {
  const allocators = allModels().map((m) => ({ name: m.name, family: m.family, summary: m.summary, doc: m.doc ?? null, params: m.params }));
  const workloads = allWorkloads().map((w) => ({
    name: w.name,
    summary: w.summary,
    doc: w.doc ?? null,
    sources: w.sources,
    params: w.params,
  }));
  const machines = Object.values(MACHINE_PRESETS).map((m) => ({ name: m.name, cores: m.cores, ghz: m.ghz, description: m.description }));
  if (what === 'allocators') return allocators;
  if (what === 'workloads') return workloads;
  if (what === 'machines') return machines;
  return { allocators, workloads, machines };
}

function table(head: string[], rows: string[][]): string {
  // The name column fits the longest name (never truncated); the description takes the rest of the terminal.
  const nameWidth = Math.max(24, ...rows.map((r) => (r[0] ?? '').length + 2));
  const t = new Table({
    head: head.map((h) => chalk.bold(h)),
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: fitColumns([nameWidth]),
  });
  for (const r of rows) t.push(r);
  return t.toString();
}

export function registerList(y: Argv, io: Io): Argv {
  return y.command(
    COMMANDS.list.command,
    COMMANDS.list.describe,
    (b) =>
      b
        .positional('what', { choices: ['allocators', 'workloads', 'machines', 'all'] as const, default: 'all' })
        .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' }),
    (args) => {
      const what = String(args.what);
      if (args.json) {
        io.out(toJSON(listData(what)));
        return;
      }
      const parts: string[] = [];
      if (what === 'all' || what === 'allocators') {
        parts.push(
          table(
            ['allocator', 'summary'],
            allModels().map((m) => [m.name, `${m.summary} [${m.family}]`]),
          ),
        );
      }
      if (what === 'all' || what === 'workloads') {
        parts.push(
          table(
            ['workload', 'summary'],
            allWorkloads().map((w) => [w.name, w.summary]),
          ),
        );
      }
      if (what === 'all' || what === 'machines') {
        parts.push(
          table(
            ['machine', 'description'],
            Object.values(MACHINE_PRESETS).map((m) => [m.name, `${m.cores} cores, ${m.ghz} GHz: ${m.description}`]),
          ),
        );
      }
      io.out(`${parts.join('\n')}\n`);
    },
  );
}
