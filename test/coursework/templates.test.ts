/**
 * Every init template is a working model: it loads from its file, passes the contract probe and the
 * invariant suite. A template changed to skip coalescing (freelist), or to return overlapping blocks
 * (buckets), fails `check` with the violated invariant and a shrunk sequence.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/cli/model-resolver.ts';
import { runConformance } from '../../src/experiment/conformance.ts';
import { contractOk, probeContract } from '../../src/experiment/model-contract.ts';
import { allocsim, mutant, REPO } from './helpers.ts';

describe.each(['freelist', 'buckets', 'xv6'])('template %s', (template) => {
  const file = join(REPO, 'templates', template, 'allocator.ts');

  it('passes the contract probe', async () => {
    const info = await loadModelFile(file);
    expect(info.family).toBe('student');
    const checks = probeContract(info, file);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(contractOk(checks)).toBe(true);
  });

  it('passes the invariant suite', async () => {
    const results = runConformance(await loadModelFile(file), { numRuns: 12, seed: 2 });
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`)).toEqual([]);
  });
});

describe('check catches a broken template', () => {
  it('skipping coalescing fails with not-coalesced and a shrunk sequence', async () => {
    const file = mutant('freelist', 'no-coalesce', [
      ['if (cur !== 0 && block + size === cur) {', 'if (false) {'],
      ['if (prev !== 0 && prev + cpu.load(prev) === block) {', 'if (false) {'],
    ]);
    const r = await allocsim(['check', file, '--only', 'single-thread', '--runs', '20']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /single-thread: \[not-coalesced\] after free\(t0, #\d+\) the free blocks 0x[0-9a-f]+ \(\d+ bytes\) and 0x[0-9a-f]+ \(\d+ bytes\) touch/,
    );
    const seq = r.out.split('minimal failing sequence')[1]?.split('replay:')[0] ?? '';
    const steps = seq.split('\n').filter((l) => /^\s+\d+\. /.test(l));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.length).toBeLessThanOrEqual(3);
    expect(r.out).toMatch(/replay: allocsim check .*no-coalesce\.ts --only single-thread --seed 1 --path /);

    // The printed replay line replays: the same violation and sequence, in one run.
    const line = /replay: allocsim (.*)/.exec(r.out)?.[1] ?? '';
    const argv = line.split(' ').map((a) => a.replace(/^'(.*)'$/, '$1'));
    const again = await allocsim([...argv, '--json']);
    expect(again.code).toBe(1);
    const [prop] = (JSON.parse(again.out) as { results: Array<{ runs: number; message: string; counterexample: string[] }> }).results;
    expect(prop?.runs).toBe(1);
    expect(r.out).toContain(`single-thread: ${prop?.message}`);
    expect(prop?.counterexample).toEqual(steps.map((l) => l.replace(/^\s+\d+\. /, '')));
  });

  it('returning overlapping blocks fails with overlap and a shrunk sequence of two allocations', async () => {
    // Buckets placing objects 16 bytes apart whatever their size.
    const file = mutant('buckets', 'overlap', [
      ['return page + PAGE_HEADER + slot * cpu.load(page + H_SIZE, 4);', 'return page + PAGE_HEADER + slot * 16;'],
    ]);
    const r = await allocsim(['check', file, '--only', 'single-thread', '--runs', '20']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/single-thread: \[overlap\] (malloc|calloc)\(.*overlapping live block/);
    const seq = r.out.split('minimal failing sequence')[1]?.split('replay:')[0] ?? '';
    expect(seq.split('\n').filter((l) => /^\s+\d+\. (malloc|calloc)/.test(l))).toHaveLength(2);
  });
});
