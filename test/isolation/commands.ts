/** The four commands that run a model file, as the isolation tests call them (small inputs, short limits). */
import { LIMITS } from './hostile.ts';

export const COMMANDS: Record<string, (file: string, limits?: readonly string[]) => string[]> = {
  check: (file, limits = LIMITS) => ['check', file, '--runs', '2', '--only', 'single-thread', '--workloads=false', '--json', ...limits],
  grade: (file, limits = LIMITS) => ['grade', file, '-w', 'random', '--scale', '0.005', '--json', ...limits],
  run: (file, limits = LIMITS) => ['run', '-a', file, '-w', 'random', '-p', 'ops=100', '--check', '--json', ...limits],
  compare: (file, limits = LIMITS) => [
    'compare',
    '-a',
    `${file},bump`,
    '-w',
    'random',
    '-p',
    'ops=100',
    '-q',
    '--jobs',
    '1',
    '--json',
    ...limits,
  ],
};

/** A command's JSON with what names the file itself taken out (the same model in another directory prints the same). */
export function comparable(command: string, out: string): unknown {
  const j = JSON.parse(out) as Record<string, unknown>;
  if (command === 'check') delete j.file;
  if (command === 'grade') delete j.source;
  if (command === 'compare') delete (j.experiment as Record<string, unknown>).modelFiles;
  return j;
}
