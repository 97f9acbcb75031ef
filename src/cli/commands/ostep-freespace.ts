/**
 * `allocsim ostep-freespace`: OSTEP's vm-freespace/malloc.py with its flags, defaults and output,
 * byte for byte for the same flags and seed; `--picture` and `--costs` add what malloc.py lacks.
 */
import type { Argv } from 'yargs';
import { COMMANDS } from './spec.ts';
import { runFreespace } from '../../experiment/ostep/freespace-session.ts';
import { FREESPACE_FLAGS, freespaceOptions } from '../../experiment/ostep/freespace-options.ts';
import { EXIT_CHECK_FAILED } from '../errors.ts';
import type { Io } from '../io.ts';

export { freespaceOptions, MAX_OSTEP_OPS, optparseInt } from '../../experiment/ostep/freespace-options.ts';

export function registerOstepFreespace(y: Argv, io: Io): Argv {
  return y.command(
    COMMANDS.ostepFreespace.command,
    COMMANDS.ostepFreespace.describe,
    (b) =>
      FREESPACE_FLAGS.reduce(
        (c, f) =>
          c.option(f.name, { ...(f.alias !== '' ? { alias: f.alias } : {}), type: f.type, default: f.default, describe: f.describe }),
        b,
      ),
    (args) => {
      const r = runFreespace(freespaceOptions(args as Record<string, unknown>));
      io.out(r.stdout);
      if (r.error !== undefined) {
        io.err(`allocsim: ${r.error}\n`);
        io.exitCode = EXIT_CHECK_FAILED;
      }
    },
  );
}
