/**
 * `allocsim ostep-freespace` prints what OSTEP's malloc.py prints, byte for byte. The expected
 * outputs in fixtures/ostep/golden.json were produced by the real malloc.py under python3 (see
 * fixtures/ostep/regenerate.py for how to regenerate them). With OSTEP_MALLOC_PY=path/to/malloc.py
 * the cases are also compared live against python3.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocsim } from './helpers.ts';

interface Golden {
  cases: Array<{ args: string[]; stdout: string }>;
}
const golden = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'ostep', 'golden.json'), 'utf8')) as Golden;

describe('ostep-freespace matches malloc.py', () => {
  it.each(golden.cases.map((c) => [c.args.join(' '), c]))('%s', async (_name, c) => {
    const r = await allocsim(['ostep-freespace', ...c.args]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(c.stdout);
  });

  const live = process.env.OSTEP_MALLOC_PY;
  it.runIf(live !== undefined)('agrees with a live malloc.py run', async () => {
    for (const c of golden.cases.slice(0, 10)) {
      const expected = execFileSync('python3', [live as string, ...c.args], { encoding: 'utf8' });
      expect((await allocsim(['ostep-freespace', ...c.args])).out).toBe(expected);
    }
  });
});

describe('ostep-freespace errors and extras', () => {
  it('a bad policy is one line and exit 2', async () => {
    const r = await allocsim(['ostep-freespace', '-p', 'NEXT']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/BEST, WORST, FIRST/);
  });

  it('a bad integer is rejected as optparse does', async () => {
    const r = await allocsim(['ostep-freespace', '-n', 'ten']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/option -n: invalid integer value: 'ten'/);
  });

  it('freeing a pointer whose Alloc failed stops where malloc.py stops (KeyError)', async () => {
    const r = await allocsim(['ostep-freespace', '-c', '-A', '+200,+10,-0']);
    expect(r.code).toBe(1);
    expect(r.out.trimEnd().endsWith('Free(ptr[0])')).toBe(true);
    expect(r.err).toMatch(/KeyError/);
  });

  it('--picture draws the heap after each operation', async () => {
    const r = await allocsim(['ostep-freespace', '-c', '-H', '4', '-a', '4', '-A', '+3,+5,-0', '--picture']);
    expect(r.out).toContain('heap |HHHH000+HHHH11111+++[...');
    expect(r.out).toContain('heap |[.......HHHH11111+++[...'); // without -C the two free blocks stay apart
  });

  it('--costs adds a summary without changing the lines before it', async () => {
    const plain = await allocsim(['ostep-freespace', '-c', '-s', '3', '-C']);
    const costs = await allocsim(['ostep-freespace', '-c', '-s', '3', '-C', '--costs']);
    expect(costs.out.startsWith(plain.out)).toBe(true);
    expect(costs.out).toMatch(/elements searched +\d+/);
    expect(costs.out).toMatch(/external fragmentation/);
  });
});
