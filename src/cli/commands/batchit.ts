/**
 * `allocsim batchit [--seeds N] [--jobs N] [--json|--csv|--svg F|--html F] ...`: the main experiment
 * (what `npm start` runs): the BatchIt comparison, or what exists of it (src/experiment/presets.ts).
 */
import chalk from 'chalk';
import type { Argv } from 'yargs';
import { COMMANDS } from './spec.ts';
import { batchitPreset } from '../../experiment/presets.ts';
import { outputOptions, shardOption } from '../grid-options.ts';
import { executeGrid } from '../grid-run.ts';
import { formatPublished } from '../../report/published-table.ts';
import type { Io } from '../io.ts';
import { loadMachine, positiveInt } from '../options.ts';

export function registerBatchit(y: Argv, io: Io, argv: readonly string[]): Argv {
  return y.command(
    COMMANDS.batchit.command,
    COMMANDS.batchit.describe,
    (b) =>
      shardOption(
        outputOptions(
          b
            .option('seeds', { type: 'string', default: '3', describe: 'seeds per configuration' })
            .option('machine', { alias: 'm', type: 'string', default: 'default', describe: 'machine preset or JSON file' })
            .option('profile', { type: 'boolean', default: false, describe: 'record per-path profiles in the Results' }),
        ),
      ),
    async (args) => {
      const { note, ...grid } = batchitPreset(positiveInt('seeds', args.seeds));
      if (args.quiet !== true && args.json !== true && args.csv !== true) io.err(chalk.dim(`allocsim batchit: ${note}\n`));
      const spec = {
        ...grid,
        machine: loadMachine(String(args.machine)),
        check: false,
        profile: args.profile === true || args['cachegrind-out'] !== undefined,
        modules: [],
      };
      await executeGrid(io, args, spec, `allocsim ${argv.join(' ')}`, formatPublished);
    },
  );
}
