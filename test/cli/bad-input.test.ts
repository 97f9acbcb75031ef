/**
 * Bad input to the grid commands exits 2 with one line naming the problem, before any run, and
 * leaves no output file behind (not even the ones whose paths were fine).
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';

const BASE = ['compare', '-w', 'random', '-p', 'ops=50', '-q', '--jobs', '1'];

describe('bad input to compare, sweep and merge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'allocsim-bad-'));
  const ok = join(dir, 'ok.svg');
  const bigLlc = join(mkdtempSync(join(tmpdir(), 'allocsim-machine-')), 'big-llc.json'); // outside `dir`, which must stay empty
  writeFileSync(bigLlc, JSON.stringify({ llc: { sizeKiB: 2 ** 29, ways: 4 } }));

  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown allocator', [...BASE, '-a', 'bump,nosuch'], /unknown allocator 'nosuch'; valid allocators: .*bump/],
    ['a malformed --param', [...BASE, '-a', 'bump', '-p', 'ops'], /malformed parameter 'ops': expected key=value/],
    [
      'a parameter nobody declares',
      [...BASE, '-a', 'bump', '-p', 'nosuch=1,2'],
      /unknown parameter 'nosuch'; allocator parameters: chunkKiB/,
    ],
    ['a bad parameter value', [...BASE, '-a', 'bump', '-p', 'maxSize=a'], /maxSize=a is not a number/],
    ['--threads 0', [...BASE, '-a', 'bump', '--threads', '1,0'], /--threads must be an integer of at least 1, got '0'/],
    [
      'an unwritable --svg',
      [...BASE, '-a', 'bump', '--svg', join(dir, 'no', 'such', 'dir', 'x.svg')],
      /cannot write --svg .*does not exist or is not writable/,
    ],
    [
      'an unwritable --html after a fine --svg',
      [...BASE, '-a', 'bump', '--svg', ok, '--html', join(dir, 'nodir', 'x.html')],
      /cannot write --html/,
    ],
    ['a directory as --out', [...BASE, '-a', 'bump', '--out', dir], /--out .* is a directory/],
    ['--json with --csv', [...BASE, '-a', 'bump', '--json', '--csv'], /--json and --csv both print to stdout/],
    ['a bad --shard', [...BASE, '-a', 'bump', '--shard', '4/3'], /--shard must be i\/n with 1 <= i <= n/],
    ['--svg with --shard', [...BASE, '-a', 'bump', '--shard', '1/2', '--svg', ok], /--svg cannot be used with --shard/],
    ['an unknown baseline', [...BASE, '-a', 'bump', '--baseline', 'glibcx'], /baseline 'glibcx' is not one of the allocators compared/],
    [
      'a thread parameter the workload lacks',
      [...BASE, '-a', 'bump', '--threads', '2', '--thread-params', 'pairs'],
      /workload random has no parameter 'pairs'/,
    ],
    [
      'a variant with --threads (larson-2 would be relabelled)',
      [...BASE.filter((x) => x !== 'random' && x !== 'ops=50' && x !== '-p'), '-a', 'bump', '-w', 'larson-2', '--threads', '1,4'],
      /larson-2 fixes threads=2; to vary the thread count use -w larson --threads 1,4$/m,
    ],
    [
      'msgpass-N with --threads: the equivalent experiment named',
      ['compare', '-a', 'bump', '-w', 'msgpass-2', '--threads', '1,4', '--thread-params', 'producers,consumers', '-q'],
      /use -w msgpass --threads 1,4 --thread-params producers,consumers -p proxies=0$/m,
    ],
    [
      "msgpass with --threads alone: how to get msgpass-N's configuration",
      ['compare', '-a', 'bump', '-w', 'msgpass', '--threads', '2', '-q'],
      /--thread-params producers,consumers -p proxies=0 \(what msgpass-N and batchit run; without it the program's default proxies=2 stays\)/,
    ],
    [
      'a sweep with nothing to sweep',
      ['sweep', '-a', 'bump', '-w', 'random', '-p', 'ops=50'],
      /sweep needs a parameter with several values/,
    ],
    ['a missing shard file', ['merge', join(dir, 'nope.json')], /cannot read shard file/],
    [
      'a machine file with a cache too large to index',
      [...BASE, '-a', 'bump', '-m', bigLlc],
      /"llc" must have a whole power-of-two number of sets .*at most 67108864/,
    ],
  ];

  it.each(cases)('%s', async (_what, argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(2); // one line and its newline
    expect(r.err).toMatch(message);
    expect(existsSync(ok)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
