/**
 * --cachegrind-out on run and compare writes a file Valgrind's own tools read unchanged; the
 * per-path profile is opt-in and stays out of the default Result JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/experiment/result.ts';
import { cli, FIXTURE, hasTool } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'allocsim-cg-'));

describe('Cachegrind-format output', () => {
  it('run --profile adds the per-path profile; plain run --json has none', async () => {
    const plain = JSON.parse((await cli(['run', '-a', 'bump', '-w', 'random', '-p', 'ops=50', '--json'])).out) as Result;
    expect(plain.profile).toBeUndefined();
    const prof = JSON.parse((await cli(['run', '-a', 'bump', '-w', 'random', '-p', 'ops=50', '--json', '--profile'])).out) as Result;
    expect(prof.profile?.events).toEqual(['Calls', 'Acc', 'L1m', 'LLm', 'Coh', 'Atom', 'Cyc', 'Rob', 'SB', 'Drain']);
    const malloc = prof.profile?.paths.find((p) => p.path === 'bump::malloc');
    expect(malloc?.events[0]).toBeGreaterThan(0);
    const { profile: _p, ...rest } = prof;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(plain)); // profiling changes no figure
  });

  it.skipIf(!hasTool('cg_annotate'))('cg_annotate reads files written by run and compare; cg_diff compares two', async () => {
    const a = join(dir, 'run.cg');
    const b = join(dir, 'compare.cg');
    expect((await cli(['run', '-a', 'bump', '-w', 'random', '-p', 'ops=50', '--cachegrind-out', a])).code).toBe(0);
    const c = await cli([
      'compare',
      '-a',
      'bump,test-slowbump',
      '--load',
      FIXTURE,
      '-w',
      'random',
      '--threads',
      '1,2',
      '-p',
      'ops=50',
      '-q',
      '--jobs',
      '1',
      '--cachegrind-out',
      b,
    ]);
    expect(c.code).toBe(0);
    expect(readFileSync(b, 'utf8')).toMatch(
      /^desc: [^\n]*\n(desc: [^\n]*\n)*cmd: allocsim compare [^\n]*\nevents: Cyc Calls Acc L1m LLm Coh Atom Rob SB Drain\nfl=random\/threads=1\/bump\nfn=bump::malloc\n0 \d+/,
    );
    for (const f of [a, b]) {
      const out = execFileSync('cg_annotate', [f], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toContain('PROGRAM TOTALS');
      expect(out).toContain('bump::malloc');
    }
    expect(execFileSync('cg_annotate', [b], { encoding: 'utf8' })).toContain('random/threads=2/test-slowbump:test-slowbump::malloc');
    const diff = execFileSync('cg_diff', [a, b], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(diff).toContain('events:');
  });
});
