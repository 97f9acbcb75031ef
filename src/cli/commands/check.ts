/** `allocsim check <allocator> [--seed S] [--runs N] [--param k=v] [--path P] [--json]`: the invariant suite. */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { modelInfo, type ModelInfo } from '../../allocators/index.ts';
import { PROPERTIES, runConformance, type PropertyResult } from '../../experiment/conformance.ts';
import { parseAssignment, resolveParams } from '../../sim/params.ts';
import { toJSON } from '../../report/format.ts';
import { EXIT_CHECK_FAILED, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { listOption, positiveInt } from '../options.ts';

/** Resolves the model to check; later commands extend this to student files. */
export type ModelResolver = (nameOrFile: string) => Promise<ModelInfo> | ModelInfo;

export function formatCheck(model: string, results: readonly PropertyResult[]): string {
  const t = new Table({ head: ['property', 'result', 'runs', 'what it checks'].map((h) => chalk.bold(h)), style: { head: [], border: [], compact: true }, wordWrap: true, colWidths: [16, 8, 6, 70] });
  for (const r of results) t.push([r.name, r.ok ? chalk.green('pass') : chalk.red('FAIL'), String(r.runs), r.description]);
  const lines = [chalk.bold(`invariant suite for ${model}`), t.toString()];
  for (const r of results.filter((x) => !x.ok)) {
    lines.push(chalk.red(`\n${r.name}: ${r.message ?? 'failed'}`));
    if (r.counterexample !== undefined && r.counterexample.length > 0) {
      lines.push('minimal failing sequence (t<n> = thread, #<k> = k-th live block, modulo the live count):');
      r.counterexample.forEach((c, i) => lines.push(`  ${String(i + 1).padStart(3)}. ${c}`));
    }
    if (r.path !== undefined) lines.push(chalk.dim(`replay: allocsim check ${model} --only ${r.name} --seed ${r.seed} --path ${r.path}`));
  }
  return `${lines.join('\n')}\n`;
}

export function registerCheck(y: Argv, io: Io, resolve: ModelResolver = modelInfo): Argv {
  return y.command(
    'check <allocator>',
    'run the invariant property suite against one allocator model',
    (b) =>
      b
        .positional('allocator', { type: 'string', demandOption: true, describe: 'model name (or a student model file)' })
        .option('seed', { type: 'string', default: '1' })
        .option('runs', { type: 'string', default: '40', describe: 'random sequences per property' })
        .option('only', { type: 'string', array: true, describe: `properties to run: ${PROPERTIES.map((p) => p.name).join(', ')}` })
        .option('path', { type: 'string', describe: 'replay a failing case (from a previous report)' })
        .option('param', { alias: 'p', type: 'string', array: true, describe: 'model parameter key=value' })
        .option('json', { type: 'boolean', default: false }),
    async (args) => {
      const info = await resolve(String(args.allocator));
      const only = listOption(args.only);
      for (const o of only) {
        if (!PROPERTIES.some((p) => p.name === o)) {
          throw new UsageError(`unknown property '${o}'; choose from ${PROPERTIES.map((p) => p.name).join(', ')}`);
        }
      }
      const params = Object.fromEntries(listOption(args.param).map(parseAssignment));
      resolveParams(`allocator ${info.name}`, info.params, params); // validate before running
      const results = runConformance(info, {
        seed: positiveInt('seed', args.seed, 0),
        numRuns: positiveInt('runs', args.runs),
        params,
        only: only.length > 0 ? only : undefined,
        path: args.path === undefined ? undefined : String(args.path),
      });
      io.out(args.json ? toJSON({ allocator: info.name, results }) : formatCheck(info.name, results));
      if (results.some((r) => !r.ok)) io.exitCode = EXIT_CHECK_FAILED;
    },
  );
}
