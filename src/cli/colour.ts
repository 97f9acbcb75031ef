/**
 * Whether tables and messages are coloured: chalk decides from the terminal, and two rules are
 * added here. NO_COLOR (https://no-color.org), when set and not empty, turns colour off; and so
 * does `--out FILE`, since the report goes to a file, not to the terminal.
 */
import chalk, { type ColorSupportLevel } from 'chalk';

export function noColourRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

/** Whether the CLI colours what it writes to stdout (unless a command writes to --out FILE). */
export function stdoutColoured(): boolean {
  return chalk.level > 0 && !noColourRequested();
}

/** Runs `fn` with colour off when `off`, restoring chalk's level afterwards. */
export async function withColour<T>(off: boolean, fn: () => Promise<T>): Promise<T> {
  const saved: ColorSupportLevel = chalk.level;
  if (off) chalk.level = 0;
  try {
    return await fn();
  } finally {
    chalk.level = saved;
  }
}

/** yargs middleware: a command writing its report to --out FILE writes no colour codes. */
export function noColourForOut(args: Record<string, unknown>): void {
  if (args.out !== undefined) chalk.level = 0;
}
