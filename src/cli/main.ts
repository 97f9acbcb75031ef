/**
 * The allocsim command line (yargs). Each command lives in src/cli/commands/.
 * Exit codes: 0 ok, 1 a run failed a check, 2 usage error (a one-line message, no stack trace).
 */
import yargs from 'yargs';
import '../allocators/index.ts';
import '../workloads/index.ts';
import { registerBatchit } from './commands/batchit.ts';
import { registerCheck } from './commands/check.ts';
import { registerCompare } from './commands/compare.ts';
import { registerDescribe } from './commands/describe.ts';
import { registerGrade } from './commands/grade.ts';
import { registerInit } from './commands/init.ts';
import { registerList } from './commands/list.ts';
import { registerMerge } from './commands/merge.ts';
import { registerOstepFreespace } from './commands/ostep-freespace.ts';
import { registerRun } from './commands/run.ts';
import { EXIT_CHECK_FAILED, EXIT_USAGE, isUsageError, RunFailure, UsageError } from './errors.ts';
import { excerpt } from '../sim/excerpt.ts';
import { processIo, type Io } from './io.ts';
import { packageVersion } from './package-root.ts';
import { noColourForOut, noColourRequested, withColour } from './colour.ts';

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let y = yargs(argv)
    .scriptName('allocsim')
    .usage('allocsim: a discrete-event simulator of memory-allocator designs\n\nUsage: $0 <command> [options]')
    .strict()
    .demandCommand(1, 'name a command; see allocsim --help')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((msg, err) => {
      // Throwing stops yargs before the command's handler runs: a misspelled option or a bad
      // value is reported before any work, and nothing is written.
      if (err !== undefined && err !== null) throw err;
      throw new UsageError(String(msg ?? 'invalid command line').trim().replace(/\s*\n\s*/g, ' '));
    })
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .alias('version', 'V')
    .middleware(noColourForOut);
  y = registerList(y, io);
  y = registerDescribe(y, io);
  y = registerRun(y, io, argv);
  y = registerCheck(y, io);
  y = registerCompare(y, io, argv);
  y = registerMerge(y, io, argv);
  y = registerBatchit(y, io, argv);
  y = registerOstepFreespace(y, io);
  y = registerInit(y, io);
  y = registerGrade(y, io);
  try {
    await withColour(noColourRequested(), () => y.parseAsync());
  } catch (e) {
    if (isUsageError(e)) {
      io.err(`allocsim: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof RunFailure) {
      io.err(`allocsim: ${e.message}\n`);
      return EXIT_CHECK_FAILED;
    }
    // Anything else is a bug in allocsim: still one line, and the stack on request.
    if (process.env.ALLOCSIM_DEBUG !== undefined && process.env.ALLOCSIM_DEBUG !== '') throw e;
    const what = e instanceof Error ? `${e.name}: ${e.message}` : `threw ${String(e)}`;
    io.err(`allocsim: internal error: ${excerpt(what, 200)}; please report it with the command line (ALLOCSIM_DEBUG=1 shows the stack trace)\n`);
    return EXIT_CHECK_FAILED;
  }
  return io.exitCode;
}
