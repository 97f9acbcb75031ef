/**
 * `--shard i/n` + `allocsim merge`: shards run as separate processes, merged, give the same report
 * as one unsharded run; a missing or foreign shard is refused.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, cli, FIXTURE, ROOT } from './helpers.ts';

const run = promisify(execFile);
/** The shards name the fixture module; merge imports it only when given on its command line. */
const LOAD = ['--load', FIXTURE];
const GRID = ['-a', 'bump,test-slowbump', ...LOAD, '-w', 'random', '--threads', '1,2', '--seeds', '2', '-p', 'ops=100', '-q'];

describe('sharded runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'allocsim-shards-'));
  const files = [1, 2, 3].map((i) => join(dir, `shard-${i}.json`));

  it('shards 1/3, 2/3, 3/3 run as separate processes and merged equal the unsharded run', async () => {
    await Promise.all(
      // Shard 1 runs on worker threads: workers load TypeScript under `node bin/allocsim` too.
      files.map((f, k) =>
        run(process.execPath, [BIN, 'compare', ...GRID, '--jobs', k === 0 ? '2' : '1', '--shard', `${k + 1}/3`, '--out', f], { cwd: ROOT }),
      ),
    );
    const sizes = files.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { points: number[] }).points.length);
    expect(sizes).toEqual([3, 3, 2]);
    const whole = await cli(['compare', ...GRID, '--json', '--jobs', '1']);
    const merged = await cli(['merge', ...files, '--json', ...LOAD]);
    expect(merged.err).toBe('');
    expect(merged.code).toBe(0);
    expect(merged.out).toBe(whole.out);
    const table = await cli(['merge', ...[...files].reverse(), ...LOAD]);
    const wholeTable = await cli(['compare', ...GRID, '--jobs', '1']);
    expect(table.out).toBe(wholeTable.out);
  });

  it('refuses a missing shard, a repeated shard and a shard of another experiment (exit 2, one line)', async () => {
    const missing = await cli(['merge', files[0] as string, files[1] as string, ...LOAD]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^allocsim: missing shard 3\/3;[^\n]*\n$/);
    const twice = await cli(['merge', files[0] as string, files[0] as string, files[2] as string, ...LOAD]);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('are both shard 1/3');
    const other = join(dir, 'other.json');
    const json = JSON.parse(readFileSync(files[2] as string, 'utf8')) as { experiment: { seeds: number[] } };
    json.experiment.seeds = [5, 6];
    writeFileSync(other, JSON.stringify(json));
    const foreign = await cli(['merge', files[0] as string, files[1] as string, other, ...LOAD]);
    expect(foreign.code).toBe(2);
    expect(foreign.err).toContain('is from a different experiment');
    const notShard = join(dir, 'not.json');
    writeFileSync(notShard, '{"a": 1}');
    const bad = await cli(['merge', notShard]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('is not an allocsim shard file');
  });

  it('batchit takes --shard (docs/cli.md) and writes a shard, exit 0', async () => {
    const out = join(dir, 'batchit-48.json');
    const r = await cli(['batchit', '--shard', '48/48', '--seeds', '1', '--out', out, '-q', '--jobs', '1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ format: 'allocsim-shard', shard: { index: 48, count: 48 } });
  });

  it.each([
    [
      'a null Result',
      (j: Shard) => {
        j.results[0] = null;
      },
      /shard-3-edited\.json: the Result of point 2 is not an object; re-run that shard/,
    ],
    [
      'a Result with a string for a count',
      (j: Shard) => {
        (j.results[1] as { time: { cycles: unknown } }).time.cycles = 'many';
      },
      /the Result of point 5 has "many" at time.cycles/,
    ],
    [
      'a Result with a negative count',
      (j: Shard) => {
        (j.results[0] as { memory: { rssPeakBytes: number } }).memory.rssPeakBytes = -1;
      },
      /has -1 at memory.rssPeakBytes/,
    ],
    [
      'a Result of another run',
      (j: Shard) => {
        (j.results[0] as { seed: number }).seed = 7;
      },
      /has seed 7, the grid has \d there/,
    ],
    [
      'a malformed error',
      (j: Shard) => {
        (j.results[0] as { error: unknown }).error = { kind: 'oops' };
      },
      /has a malformed error/,
    ],
    [
      'a count of 1e9 shards',
      (j: Shard) => {
        j.shard.count = 1e9;
      },
      /malformed shard file/,
    ],
    [
      'an experiment whose lists are not lists',
      (j: Shard) => {
        j.experiment.seeds = 3;
      },
      /malformed shard file/,
    ],
  ])('refuses %s (exit 2, one line, nothing on stdout)', async (_what, edit, message) => {
    const json = JSON.parse(readFileSync(files[2] as string, 'utf8')) as Shard;
    edit(json);
    const edited = join(dir, 'shard-3-edited.json');
    writeFileSync(edited, JSON.stringify(json));
    const r = await cli(['merge', files[0] as string, files[1] as string, edited, ...LOAD]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(2);
    expect(r.err).toMatch(message);
  });
});

interface Shard {
  shard: { count: number };
  experiment: { seeds: unknown };
  results: unknown[];
}
