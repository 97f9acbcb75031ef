/** Small helpers shared by the bench scripts' command lines, child processes, errors and summaries. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Removes `name VALUE` from `args` and returns VALUE as a positive number (or `fallback` when the
 * option is absent); a missing or non-positive value goes to `fail`.
 */
export function takeNumber(args: string[], name: string, fallback: number, fail: (msg: string) => never): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!(v > 0)) fail(`${name} needs a positive number`);
  args.splice(i, 2);
  return v;
}

/** The median of a non-empty list (the upper one of an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** The item whose `value` is the median of all the items' values (items non-empty). */
export function medianItem<T>(items: readonly T[], value: (item: T) => number): T {
  const m = median(items.map(value));
  return items.find((item) => value(item) === m) as T;
}

/**
 * Runs bench/SCRIPT (with tsx) in a fresh process from the repository's root and returns the JSON
 * value of its last output line.
 */
export function runScript(script: string, args: string[]): unknown {
  const argv = ['--import', 'tsx', join(import.meta.dirname, script), ...args];
  const out = execFileSync(process.execPath, argv, { encoding: 'utf8', cwd: join(import.meta.dirname, '..') });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

/**
 * Wall seconds of running FILE with `argv` to completion in a fresh process, its output ignored
 * (a failure throws, with its standard error in the message).
 */
export function wallSeconds(file: string, argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], env, cwd: join(import.meta.dirname, '..'), maxBuffer: 64 << 20 });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** The first line of a thrown value's message, for a one-line error. */
export function firstLine(e: unknown): string {
  return e instanceof Error ? (e.message.split('\n')[0] as string) : String(e);
}

/**
 * Sends the first argument of `args` that is not one of the flags `known` to `fail` (take the
 * options with values out first, with takeNumber), naming the options there are: `usage`.
 */
export function rejectUnknown(
  args: readonly string[],
  known: readonly string[],
  fail: (msg: string) => never,
  usage = known.join(' '),
): void {
  const bad = args.find((a) => !known.includes(a));
  if (bad !== undefined) fail(`unknown option ${bad} (options: ${usage})`);
}
