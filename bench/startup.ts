/**
 * CLI start-up: the median wall time of `allocsim --help` and `allocsim list` over N fresh processes
 * each (default 10), beside the median of a bare `node -e ''` measured in between (the floor
 * Node itself sets on this machine at this moment) and of `--help` run from the sources through
 * tsx (ALLOCSIM_SOURCES=1). The first two run whatever bin/allocsim runs: the compiled dist/ when
 * it is current (`npm run build`), else the sources.
 *
 *   node --import tsx bench/startup.ts [--runs 10] [--json]
 */
import { join } from 'node:path';
import { takeNumber, wallSeconds } from './args.ts';

export interface StartupFigure {
  command: string;
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  runs: number;
}

/** bin/allocsim, which runs dist/ when it is current and the sources otherwise. */
export const BIN = join(import.meta.dirname, '..', 'bin', 'allocsim');

function seconds(args: string[], sources: boolean): number {
  return wallSeconds(process.execPath, args, { ...process.env, ALLOCSIM_SOURCES: sources ? '1' : '' });
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

/** The three commands, interleaved so drift on the machine hits each alike. */
export function measureStartup(runs: number): StartupFigure[] {
  const cases: Array<[string, string[], boolean]> = [
    ['allocsim --help', [BIN, '--help'], false],
    ['allocsim list', [BIN, 'list'], false],
    ["node -e ''", ['-e', ''], false],
    ['--help, sources', [BIN, '--help'], true],
  ];
  const times = cases.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) cases.forEach(([, args, sources], i) => times[i]?.push(seconds(args, sources)));
  return cases.map(([command], i) => {
    const t = times[i] as number[];
    return { command, medianSeconds: median(t), minSeconds: Math.min(...t), maxSeconds: Math.max(...t), runs };
  });
}

if (process.argv[1] === import.meta.filename) {
  const args = process.argv.slice(2);
  const runs = takeNumber(args, '--runs', 10, (m) => {
    process.stderr.write(`startup: ${m}\n`);
    process.exit(2);
  });
  const figs = measureStartup(runs);
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(figs, null, 2)}\n`);
  else
    for (const f of figs)
      process.stdout.write(
        `${f.command.padEnd(18)} ${f.medianSeconds.toFixed(3)} s  [min ${f.minSeconds.toFixed(3)}, max ${f.maxSeconds.toFixed(3)}, ${f.runs} runs]\n`,
      );
}
