/**
 * The allocsim command line (yargs). Each command lives in src/cli/commands/.
 * Exit codes: 0 ok, 1 a run failed a check, 2 usage error (a one-line message, no stack trace).
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { COMMANDS, type CommandKey } from './commands/spec.ts';
import { EXIT_CHECK_FAILED, EXIT_USAGE, isUsageError, RunFailure, UsageError } from './errors.ts';
import { excerpt } from '../sim/excerpt.ts';
import { processIo, type Io } from './io.ts';
import { packageVersion } from './package-root.ts';
import { noColourForOut, noColourRequested, withColour } from './colour.ts';
import { helpWidth } from '../report/format.ts';

type Register = (y: Argv, io: Io, argv: readonly string[]) => Argv;

/**
 * Each command module with the commands it registers, loaded only when one of them is run: the
 * others are registered by name and description alone (COMMANDS), which is all `allocsim --help`
 * shows, so it starts without loading the simulator.
 */
const MODULES: ReadonlyArray<{ keys: readonly CommandKey[]; load: () => Promise<Register> }> = [
  { keys: ['list'], load: async () => (await import('./commands/list.ts')).registerList },
  { keys: ['describe'], load: async () => (await import('./commands/describe.ts')).registerDescribe },
  { keys: ['run'], load: async () => (await import('./commands/run.ts')).registerRun },
  {
    keys: ['check'],
    load: async () => {
      const { registerCheck } = await import('./commands/check.ts');
      return (y, io) => registerCheck(y, io);
    },
  },
  { keys: ['compare', 'sweep'], load: async () => (await import('./commands/compare.ts')).registerCompare },
  { keys: ['merge'], load: async () => (await import('./commands/merge.ts')).registerMerge },
  { keys: ['batchit'], load: async () => (await import('./commands/batchit.ts')).registerBatchit },
  { keys: ['ostepFreespace'], load: async () => (await import('./commands/ostep-freespace.ts')).registerOstepFreespace },
  { keys: ['init'], load: async () => (await import('./commands/init.ts')).registerInit },
  { keys: ['grade'], load: async () => (await import('./commands/grade.ts')).registerGrade },
];

/** The module of the command `argv` names: its first word that is a command's name (options may come first). */
function namedModule(argv: readonly string[]): (typeof MODULES)[number] | undefined {
  const byName = (word: string): (typeof MODULES)[number] | undefined =>
    MODULES.find((m) => m.keys.some((k) => COMMANDS[k].command.split(' ')[0] === word));
  for (const a of argv) {
    const m = byName(a);
    if (m !== undefined) return m;
  }
  return undefined;
}

async function registerCommands(y: Argv, io: Io, argv: readonly string[]): Promise<Argv> {
  const named = namedModule(argv);
  if (named !== undefined) {
    // The models and workloads register themselves on import; every command may name them.
    await import('../allocators/index.ts');
    await import('../workloads/index.ts');
  }
  for (const m of MODULES) {
    if (m === named) y = (await m.load())(y, io, argv);
    else for (const k of m.keys) y = y.command(COMMANDS[k].command, COMMANDS[k].describe);
  }
  return y;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let y = yargs(argv)
    .scriptName('allocsim')
    // yargs's own words (Commands:, Options:, Show help) in English, as the rest of the output, in
    // every locale: the same from the sources and compiled (whose bundle has no locale files).
    .locale('en')
    .usage('allocsim: a discrete-event simulator of memory-allocator designs\n\nUsage: $0 <command> [options]')
    .strict()
    .demandCommand(1, 'name a command; see allocsim --help')
    .recommendCommands()
    .wrap(helpWidth())
    .exitProcess(false)
    .fail((msg, err) => {
      // Throwing stops yargs before the command's handler runs: a misspelled option or a bad
      // value is reported before any work, and nothing is written.
      if (err !== undefined && err !== null) throw err;
      throw new UsageError(
        String(msg ?? 'invalid command line')
          .trim()
          .replace(/\s*\n\s*/g, ' '),
      );
    })
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .alias('version', 'V')
    .middleware(noColourForOut);
  y = await registerCommands(y, io, argv);
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
    io.err(
      `allocsim: internal error: ${excerpt(what, 200)}; please report it with the command line (ALLOCSIM_DEBUG=1 shows the stack trace)\n`,
    );
    return EXIT_CHECK_FAILED;
  }
  return io.exitCode;
}
