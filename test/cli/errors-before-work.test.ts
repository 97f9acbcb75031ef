/**
 * Usage errors are found before any work: a misspelled option or a bad value exits 2 with one line
 * and writes nothing, and an input error met inside a worker thread gives the same line and exit
 * code as with --jobs 1.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import chalk from 'chalk';
import { describe, expect, it } from 'vitest';
import { fitColumns, tableWidth } from '../../src/report/format.ts';
import { BIN, cli } from './helpers.ts';

function oneLine(err: string): void {
  expect(err.split('\n')).toHaveLength(2); // one line and its newline
}

describe('errors before work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'allocsim-early-'));

  it('a misspelled option fails before the grid runs, and no file is written', async () => {
    const svg = join(dir, 'out.svg');
    const r = await cli([
      'compare',
      '-a',
      'bump',
      '-w',
      'random',
      '--threads',
      '1,2',
      '--sedes',
      '3',
      '--svg',
      svg,
      '-p',
      'ops=50',
      '-q',
      '--jobs',
      '1',
    ]);
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

  const machines = mkdtempSync(join(tmpdir(), 'allocsim-machines-'));
  const nan = join(machines, 'nan.json');
  writeFileSync(nan, '{"ghz": NaN,\n "cores": 4}');
  const longLine = join(machines, 'long.rep');
  writeFileSync(longLine, `1\n2\n3\n1\na 0 ${'9'.repeat(70_000)}\n`);
  const manyThreads = join(machines, 'many-threads.txt');
  writeFileSync(manyThreads, Array.from({ length: 10_001 }, (_, i) => `${i}: malloc 0x${((i + 1) * 16).toString(16)} 16\n`).join(''));
  const control = join(machines, 'control.rep');
  writeFileSync(control, 'a\u0001\u001b[31mred\n');

  it.each([
    [
      '--seeds 1e9',
      ['compare', '-a', 'bump', '-w', 'random', '--seeds', '1e9'],
      /--seeds must be at most 1000 \(see the limits in docs\/cli.md\)/,
    ],
    [
      'a seed above 2^53',
      ['run', '-a', 'bump', '-w', 'random', '--seed', '9007199254740993'],
      /--seed must be at most 9007199254740991 \(larger integers are not exact\)/,
    ],
    [
      'seeds running past 2^53',
      ['compare', '-a', 'bump', '-w', 'random', '--seed', '9007199254740991', '--seeds', '2'],
      /--seed must be at most 9007199254740990/,
    ],
    ['check --runs 1e9', ['check', 'bump', '--runs', '1e9'], /--runs must be at most 100000/],
    ['--steps-limit 1e8', ['run', '-a', 'bump', '-w', 'random', '--steps', '--steps-limit', '1e8'], /--steps-limit must be at most 100000/],
    ['ostep-freespace -n 1000000', ['ostep-freespace', '-n', '1000000'], /-n 1000000: at most 100000 operations/],
    [
      'a grid of more than 100000 runs',
      [
        'compare',
        '-a',
        'bump',
        '-w',
        'random',
        '--seeds',
        '1000',
        '-p',
        `maxSize=${Array.from({ length: 101 }, (_, i) => i + 16).join(',')}`,
      ],
      /the grid has more than 100000 runs/,
    ],
    [
      '-p threads= with --threads',
      ['run', '-a', 'bump', '-w', 'random', '-p', 'threads=4', '--threads', '8'],
      /--threads and -p threads= both set the thread count/,
    ],
    [
      'a machine file with NaN',
      ['run', '-a', 'bump', '-w', 'random', '-m', nan],
      /nan\.json: not valid JSON \(.*\); JSON has no NaN or Infinity, write a number$/m,
    ],
    [
      'a trace line of 70,000 characters',
      ['run', '-a', 'bump', '--trace', longLine],
      /long\.rep:5: the line is longer than 65536 characters/,
    ],
    ['a trace of control characters', ['run', '-a', 'bump', '--trace', control], /cannot tell the trace format from 'a\\x01\\x1b\[31mred'/],
    [
      'an Android trace with 10,001 thread ids',
      ['run', '-a', 'bump', '--trace', manyThreads],
      /many-threads\.txt:10001: more than 10000 threads/,
    ],
    ['--trace /dev/zero', ['run', '-a', 'bump', '--trace', '/dev/zero'], /\/dev\/zero:1: the line is longer than 65536 characters/],
  ])('%s: a limit, one line, exit 2', async (_what, argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    oneLine(r.err);
    expect(r.err).toMatch(message);
  });

  it('a machine file with a UTF-8 byte-order mark is read, and named after the file', async () => {
    const bom = join(machines, 'my-box.json');
    writeFileSync(bom, '\uFEFF{"cores": 4}');
    const r = await cli(['run', '-a', 'bump', '-w', 'random', '-p', 'ops=20', '-m', bom, '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { machine: string }).machine).toBe('my-box');
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
    const runs = await Promise.all(
      ['1', '2'].map((jobs) => cli(['compare', '-a', 'freelist,bump', '-w', 'trace', '-p', `file=${trace}`, '-q', '--jobs', jobs])),
    );
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toBe(
        `allocsim: ${trace}:7: free of block 0, which is not allocated (never allocated, or already freed); pass unknownFrees=skip for a trace started mid-run\n`,
      );
    }
  });
});

describe('all or nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'allocsim-partial-'));
  const full = existsSync('/dev/full') ? it : it.skip;

  full('compare --svg a.svg --out /dev/full writes no a.svg', async () => {
    const r = await cli([
      'compare',
      '-a',
      'bump',
      '-w',
      'random',
      '-p',
      'ops=50',
      '-q',
      '--jobs',
      '1',
      '--svg',
      join(dir, 'a.svg'),
      '--out',
      '/dev/full',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^allocsim: cannot write --out \/dev\/full: ENOSPC/);
    expect(readdirSync(dir)).toEqual([]);
  });

  full('run --cachegrind-out x.cg --heapmap /dev/full writes no x.cg', async () => {
    const r = await cli([
      'run',
      '-a',
      'bump',
      '-w',
      'random',
      '-p',
      'ops=50',
      '--cachegrind-out',
      join(dir, 'x.cg'),
      '--heapmap',
      '/dev/full',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^allocsim: cannot write --heapmap \/dev\/full: ENOSPC/);
    expect(readdirSync(dir)).toEqual([]);
  });

  full('stdout on /dev/full: one line on stderr, exit 2', () => {
    const out = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [BIN, 'list', 'machines'], { stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
    closeSync(out);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('allocsim: cannot write to standard output (ENOSPC); the output is incomplete\n');
  });

  it.each([['/proc/allocsim-x'], ['/sys/allocsim-x']])('init %s: one line, exit 2, no hang', async (target) => {
    if (!existsSync(dirname(target))) return;
    const r = await cli(['init', target]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^allocsim: cannot create the project in \/(proc|sys)\/allocsim-x \((ENOENT|EPERM|EACCES|EROFS)\); give a new or empty directory you can write to\n$/,
    );
  });
});

describe('conventions', () => {
  it("list never truncates a name, and tables fit the width (the terminal's, or 117 columns off one)", async () => {
    const r = await cli(['list', 'allocators']);
    const names = (JSON.parse((await cli(['list', 'allocators', '--json'])).out) as Array<{ name: string }>).map((m) => m.name);
    for (const n of names) expect(r.out).toMatch(new RegExp(`│ ${n.replace(/[+]/g, '\\+')} +│`));
    for (const line of r.out.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(117);
    expect(tableWidth({ isTTY: true, columns: 80 })).toBe(80);
    expect(fitColumns([24], 80)).toEqual([24, 53]); // 24 + 53 + 3 borders
  });

  it('NO_COLOR turns colour off, and so does -o FILE (even on a colour terminal)', async () => {
    const saved = chalk.level;
    chalk.level = 1; // as on a terminal
    try {
      expect((await cli(['list', 'machines'])).out).toContain('\u001b[');
      process.env.NO_COLOR = '1';
      expect((await cli(['list', 'machines'])).out).not.toContain('\u001b[');
      delete process.env.NO_COLOR;
      const file = join(mkdtempSync(join(tmpdir(), 'allocsim-colour-')), 'table.txt');
      const r = await cli(['compare', '-a', 'bump', '-w', 'random', '-p', 'ops=50', '-q', '--jobs', '1', '-o', file]);
      expect(r.code).toBe(0);
      expect(readFileSync(file, 'utf8')).not.toContain('\u001b[');
      expect(chalk.level).toBe(1); // restored after the command
    } finally {
      delete process.env.NO_COLOR;
      chalk.level = saved;
    }
  });

  it('--version prints the package version; -h prints help for a command', () => {
    const version = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = spawnSync(process.execPath, [BIN, 'ostep-freespace', '-h'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--numOps');
    expect(help.stderr).toBe('');
  });
});
