/** Where commands write: stdout and stderr, and the exit code they ask for. */
import { EXIT_USAGE } from './exit-codes.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  exitCode: number;
}

/**
 * A failed write to stdout (a full disk, /dev/full) ends the command with one line on stderr
 * instead of an unhandled 'error' event; a closed pipe (`allocsim list | head -1`) ends it quietly,
 * as other command-line tools do.
 */
function onStdoutError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`allocsim: cannot write to standard output (${e.code ?? e.message}); the output is incomplete\n`);
  process.exit(EXIT_USAGE);
}

/** Handles a failed write to stdout as above (once per process, however often it is called). */
export function guardStdout(): void {
  if (!process.stdout.listeners('error').includes(onStdoutError)) process.stdout.on('error', onStdoutError);
}

export function processIo(): Io {
  guardStdout();
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    exitCode: 0,
  };
}
