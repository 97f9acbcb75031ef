/**
 * `allocsim compare -a A,B -w W [--threads 1,2,4] [--seeds N] [--baseline A] [--param k=v] ...`
 * `allocsim sweep --param k=v1,v2 [--param k2=...] -a A -w W ...`
 *
 * Both run a grid (allocators × workloads × threads × parameter values × seeds) and report it
 * relative to a baseline allocator; sweep is the same command with at least one parameter axis.
 */
import type { Argv } from 'yargs';
import { COMMANDS } from './spec.ts';
import { UsageError } from '../errors.ts';
import { gridFromArgs, gridOptions, parseAxis } from '../grid-options.ts';
import { executeGrid } from '../grid-run.ts';
import type { Io } from '../io.ts';
import { listOption } from '../options.ts';

export function registerCompare(y: Argv, io: Io, argv: readonly string[]): Argv {
  return y
    .command(
      COMMANDS.compare.command,
      COMMANDS.compare.describe,
      (b) => gridOptions(b),
      async (args) => {
        const spec = await gridFromArgs(args);
        await executeGrid(io, args, spec, `allocsim ${argv.join(' ')}`);
      },
    )
    .command(
      COMMANDS.sweep.command,
      COMMANDS.sweep.describe,
      (b) => gridOptions(b),
      async (args) => {
        const axes = listOption(args.param).map(parseAxis);
        if (!axes.some((a) => a.values.length > 1)) {
          throw new UsageError(
            'sweep needs a parameter with several values, e.g. --param batchit.sets=2,4,8; for one configuration use compare',
          );
        }
        await executeGrid(io, args, await gridFromArgs(args), `allocsim ${argv.join(' ')}`);
      },
    );
}
