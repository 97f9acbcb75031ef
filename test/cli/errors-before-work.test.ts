/**
 * Usage errors are found before any work: a misspelled option or a bad value exits 2 with one line
 * and writes nothing, and an input error met inside a worker thread gives the same line and exit
 * code as with --jobs 1.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';

function oneLine(err: string): void {
  expect(err.split('\n')).toHaveLength(2); // one line and its newline
}

describe('errors before work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'allocsim-early-'));

  it('a misspelled option fails before the grid runs, and no file is written', async () => {
    const svg = join(dir, 'out.svg');
    const r = await cli(['compare', '-a', 'bump', '-w', 'random', '--threads', '1,2', '--sedes', '3', '--svg', svg, '-p', 'ops=50', '-q', '--jobs', '1']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('allocsim: Unknown argument: sedes\n');
    expect(existsSync(svg)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['list bogus', ['list', 'bogus'], /Invalid values: Argument: what, Given: "bogus", Choices: "allocators"/],
    ['run without -a', ['run', '-w', 'random'], /Missing required argument: allocator/],
    ['an unknown option of ostep-freespace', ['ostep-freespace', '-Z', '3'], /Unknown argument/],
  ])('%s: one line on stderr, nothing on stdout, exit 2', async (_what, argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    oneLine(r.err);
    expect(r.err).toMatch(message);
  });

  it('a parameter value only the model rejects fails before any run, with any --jobs', async () => {
    const line = 'allocsim: allocator freelist: parameter chunkKiB=100 must be a power of two (e.g. 64)\n';
    for (const jobs of ['1', '2']) {
      const r = await cli(['compare', '-a', 'freelist,bump', '-w', 'random', '-p', 'chunkKiB=100', '-p', 'ops=50', '-q', '--jobs', jobs]);
      expect({ jobs, code: r.code, out: r.out, err: r.err }).toEqual({ jobs, code: 2, out: '', err: line });
    }
  });

  it('an input error met inside a worker thread is the same line and exit code as with --jobs 1', async () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'allocsim-df-')), 'double-free.rep');
    writeFileSync(trace, '1\n2\n3\n1\na 0 16\nf 0\nf 0\n');
    const runs = await Promise.all(['1', '2'].map((jobs) => cli(['compare', '-a', 'freelist,bump', '-w', 'trace', '-p', `file=${trace}`, '-q', '--jobs', jobs])));
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toBe(`allocsim: ${trace}:7: free of block 0, which is not allocated (never allocated, or already freed); pass unknownFrees=skip for a trace started mid-run\n`);
    }
  });
});
