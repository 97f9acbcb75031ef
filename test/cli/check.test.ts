/** `allocsim check` passes for every teaching allocator. */
import { describe, expect, it } from 'vitest';
import { allModels } from '../../src/allocators/index.ts';
import { cli } from './capture.ts';

const teaching = allModels()
  .filter((m) => m.family === 'teaching')
  .map((m) => m.name);

describe('allocsim check', () => {
  it('covers the whole teaching ladder', () => {
    expect(teaching).toEqual(['bump', 'freelist', 'buckets', 'buddy', 'tcache', 'arenas']);
  });

  it.each(teaching)('passes for %s', async (name) => {
    const r = await cli('check', name, '--runs', '10', '--json');
    expect(r.code, r.out).toBe(0);
    const report = JSON.parse(r.out) as { allocator: string; results: Array<{ name: string; ok: boolean }> };
    expect(report.allocator).toBe(name);
    expect(report.results.map((p) => p.name)).toEqual(['single-thread', 'remote-frees', 'aligned', 'large']);
    expect(report.results.every((p) => p.ok)).toBe(true);
  });

  it('prints a pass/fail table without --json', async () => {
    const r = await cli('check', 'buddy', '--runs', '3');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/invariant suite for buddy/);
    expect(r.out).toMatch(/remote-frees.*pass/);
  });

  it("runs the model's debug invariants, and --no-invariants turns them off", async () => {
    const on = await cli('check', 'glibc', '--runs', '2', '--only', 'single-thread');
    expect(on.code, on.out).toBe(0);
    expect(on.out).toMatch(/debug invariants checked: glibc bins [1-9]\d*×/);
    const off = await cli('check', 'glibc', '--runs', '2', '--only', 'single-thread', '--no-invariants', '--json');
    expect(off.code, off.out).toBe(0);
    const report = JSON.parse(off.out) as { results: Array<{ invariantChecks?: unknown }> };
    expect(report.results[0]?.invariantChecks).toBeUndefined();
  });
});
