/**
 * The benchmark scripts' command lines: an unknown option or a bad value stops them before they
 * measure anything, with one line naming the problem and the options there are, and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function bench(script: string, args: string[]): { code: number | null; err: string; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, err: r.stderr, out: r.stdout };
}

describe('bench command lines', () => {
  it.each([
    ['run.ts', ['--targets', '--nolong'], /^bench: unknown option --nolong \(options: .*--no-long.*--big-scale X\)\n$/],
    ['run.ts', ['--targets', '--big-scale'], /^bench: --big-scale needs a positive number\n$/],
    ['run.ts', ['--cg-runs', '0'], /^bench: --cg-runs needs a positive number\n$/],
    ['instructions.ts', ['--run', 'snmalloc'], /^bench\/instructions.ts: --run needs ALLOCATOR WORKLOAD\n$/],
    ['instructions.ts', ['--run', 'snmalloc', '--scale', '0.001'], /^bench\/instructions.ts: --run needs ALLOCATOR WORKLOAD\n$/],
    [
      'compare-cachegrind.ts',
      ['--scale', '0.001', '--jsn'],
      /^compare-cachegrind: unknown option --jsn \(options: --scale X --runs N --json\)\n$/,
    ],
  ])('%s %j: one line, exit 2', (script, args, message) => {
    const r = bench(script, args);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
    expect(r.code).toBe(2);
  });
});
