/**
 * Acceptance of `allocsim compare`: the relative figures are those of the underlying runs; --jobs
 * does not change a byte of the JSON; --svg writes a valid chart.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasModel } from '../../src/allocators/index.ts';
import type { GridSpec } from '../../src/experiment/grid.ts';
import type { Result } from '../../src/experiment/result.ts';
import { runExperiment } from '../../src/experiment/run.ts';
import type { Summary } from '../../src/experiment/summary.ts';
import { cli, FIXTURE, hasTool } from './helpers.ts';

// The teaching pair once it is registered; until then bump against a test-only slower bump.
const PAIR = hasModel('freelist') && hasModel('buckets') ? 'freelist,buckets' : 'bump,test-slowbump';
const ARGS = ['compare', '-a', PAIR, '-w', 'random', '--threads', '1,2', '--seeds', '3', '-p', 'ops=150', '--load', FIXTURE, '-q'];

interface Report {
  experiment: GridSpec;
  summary: Summary;
  results: Result[];
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('allocsim compare', () => {
  let serial = '';

  it('gives Results whose relative figures match the underlying runs', async () => {
    const r = await cli([...ARGS, '--json', '--jobs', '1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    serial = r.out;
    const rep = JSON.parse(r.out) as Report;
    const [a, b] = PAIR.split(',') as [string, string];
    expect(rep.results).toHaveLength(2 * 2 * 3);
    expect(rep.summary.baseline).toBe(a);
    expect(rep.summary.cells).toHaveLength(4);
    for (const cell of rep.summary.cells) {
      const runs = (alloc: string): Result[] =>
        rep.results.filter((x) => x.allocator === alloc && x.params.workload.threads === cell.threads);
      const mine = runs(cell.allocator);
      const base = runs(a);
      expect(mine.map((x) => x.seed)).toEqual([1, 2, 3]);
      const baseCycles = mean(base.map((x) => x.time.cycles));
      expect(cell.relTime?.mean).toBeCloseTo(mean(mine.map((x) => x.time.cycles)) / baseCycles, 12);
      expect(cell.relTime?.min).toBeCloseTo(Math.min(...mine.map((x) => x.time.cycles)) / baseCycles, 12);
      expect(cell.relTime?.max).toBeCloseTo(Math.max(...mine.map((x) => x.time.cycles)) / baseCycles, 12);
      expect(cell.relRss?.mean).toBeCloseTo(
        mean(mine.map((x) => x.memory.rssPeakBytes)) / mean(base.map((x) => x.memory.rssPeakBytes)),
        12,
      );
      expect(cell.atomicsPerOp?.mean).toBeCloseTo(mean(mine.map((x) => x.atomics.total / x.time.ops)), 12);
      expect(cell.l1MissesPerOp?.mean).toBeCloseTo(mean(mine.map((x) => x.cache.l1Misses / x.time.ops)), 12);
    }
    // The other allocator really differs, so the ratios are not trivially 1.
    expect(rep.summary.cells.filter((c) => c.allocator === b).some((c) => Math.abs((c.relTime?.mean ?? 1) - 1) > 1e-6)).toBe(true);
    // Each Result is exactly the Result of running its configuration alone.
    const one = rep.results[7] as Result;
    const alone = runExperiment({
      allocator: one.allocator,
      workload: 'random',
      workloadParams: { ops: 150, threads: one.params.workload.threads as number },
      seed: one.seed,
    });
    expect(JSON.stringify(alone)).toBe(JSON.stringify(one));
  });

  it('prints identical JSON with --jobs 1 and --jobs 2', async () => {
    const r = await cli([...ARGS, '--json', '--jobs', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(serial);
  });

  it('writes a valid SVG chart with --svg, and a self-contained HTML report with --html', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allocsim-svg-'));
    const svg = join(dir, 'out.svg');
    const html = join(dir, 'out.html');
    const r = await cli([...ARGS, '--jobs', '1', '--svg', svg, '--html', html]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('relative to');
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(text.trim().endsWith('</svg>')).toBe(true);
    for (const label of ['time relative to', 'peak RSS relative to', 'throughput against thread count', ...PAIR.split(',')])
      expect(text).toContain(label);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toContain('<script');
    if (hasTool('rsvg-convert')) {
      const png = join(dir, 'out.png');
      execFileSync('rsvg-convert', [svg, '-o', png]);
      expect(existsSync(png)).toBe(true);
    }
  });
});
