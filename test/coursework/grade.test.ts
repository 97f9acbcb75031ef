/** `allocsim grade` on the template: a table per input and a Perf index per scheme; --json for scripts. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocsim, REPO } from './helpers.ts';

const template = join(REPO, 'templates', 'freelist', 'allocator.ts');

describe('allocsim grade', () => {
  it('prints a row per input and a Perf index for each preset', async () => {
    const r = await allocsim(['grade', template, '-w', 'random', '--scale', '0.02']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/grading my-freelist on 1 input\(s\): random/);
    expect(r.out).toMatch(/│ random +│ yes +│/);
    expect(r.out).toMatch(/CS:APP +Perf index = \d+ \(util\) \+ \d+ \(thru\) = \d+\/100/);
    expect(r.out).toMatch(/CMU +Perf index = \d+ \(util\) \+ \d+ \(thru\) = \d+\/100/);
    expect(r.out).toMatch(/course +Perf index = /);
  });

  it('--json has the inputs, the per-input figures and every scheme', async () => {
    const r = await allocsim(['grade', template, '-w', 'random', '--scale', '0.02', '--json']);
    const j = JSON.parse(r.out) as {
      inputs: Array<{ label: string }>;
      rows: Array<{ student: { util: number; valid: boolean; cycles: number }; references: Record<string, { cycles: number }> }>;
      scores: { csapp: { total: number; reference: string }; cmu: { total: number }; course: { goals: unknown[] } };
    };
    expect(j.inputs.map((i) => i.label)).toEqual(['random']);
    const s = j.rows[0]?.student;
    expect(s?.valid).toBe(true);
    expect(s?.util).toBeGreaterThan(0);
    expect(s?.util).toBeLessThanOrEqual(1);
    expect(Object.keys(j.rows[0]?.references ?? {})).toContain(j.scores.csapp.reference);
    expect(j.scores.csapp.total).toBeGreaterThan(0);
    expect(j.scores.course.goals).toHaveLength(2);
    // Deterministic: the same command gives the same bytes.
    expect((await allocsim(['grade', template, '-w', 'random', '--scale', '0.02', '--json'])).out).toBe(r.out);
  });

  it('a bad preset is one line, exit 2', async () => {
    const r = await allocsim(['grade', template, '--preset', 'mit']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown preset 'mit'; choose from csapp, cmu, cmu-checkpoint, course/);
  });
});
