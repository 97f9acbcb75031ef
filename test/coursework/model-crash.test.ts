/**
 * A student model that crashes: `throw 'a string'` ends the run with a model-error everywhere (no
 * stack trace from the CLI), and a JavaScript error names the file, line and column in `check`
 * as it does in `run`.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { MachineFault } from '../../src/machine/fault.ts';
import { allocsim, mutant, REPO, templateSource } from './helpers.ts';

const SIZE_LINE = '    const need = Math.max(MIN_BLOCK, roundUp(size + HEADER, 16));\n';

describe('a model that crashes', () => {
  const throwsString = mutant('freelist', 'throws-string', [
    [SIZE_LINE, `${SIZE_LINE}    if (size > 3000 && size < 4000) throw 'size out of my range';\n`],
  ]);
  const typeError = mutant('freelist', 'type-error', [
    [SIZE_LINE, `${SIZE_LINE}    if (size > 3000 && size < 4000) (undefined as unknown as { x: number }).x = 1;\n`],
  ]);
  const work = ['-w', 'random', '-p', 'ops=300', '-p', 'maxSize=4000'];
  // In-process (--trust): the messages a teacher's own model gets; an isolated model's crash is
  // reported by its process (test/isolation).
  const trust = ['--trust'];

  it('run: the run ends with a model-error naming the thrown string, exit 1', async () => {
    const r = await allocsim(['run', '-a', throwsString, ...work, ...trust]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/run ended early \(model-error\): threw the string 'size out of my range'/);
  });

  it('compare: the failed run is counted, exit 1', async () => {
    const r = await allocsim(['compare', '-a', throwsString, ...work, '-q', '--jobs', '1', '--json', ...trust]);
    expect(r.code).toBe(1);
    const [result] = (JSON.parse(r.out) as { results: Array<{ error?: { kind: string; message: string } }> }).results;
    expect(result?.error).toEqual({ kind: 'model-error', message: "threw the string 'size out of my range'" });
  });

  it('grade: the input is invalid and its time counts in no speed-up', async () => {
    const r = await allocsim([
      'grade',
      throwsString,
      '--trace',
      join(REPO, 'traces', 'csapp', 'random.rep'),
      '--preset',
      'course',
      '--json',
      ...trust,
    ]);
    const g = JSON.parse(r.out) as {
      rows: Array<{ student: { valid: boolean; error: string } }>;
      scores: { course: { goals: Array<{ speedups: Array<number | null>; met: boolean | null }> } };
    };
    expect(g.rows[0]?.student).toMatchObject({ valid: false, error: "model-error: threw the string 'size out of my range'" });
    for (const goal of g.scores.course.goals) {
      expect(goal.speedups).toEqual(goal.met === null ? [] : [null]);
    }
    const text = await allocsim([
      'grade',
      throwsString,
      '--trace',
      join(REPO, 'traces', 'csapp', 'random.rep'),
      '--preset',
      'course',
      ...trust,
    ]);
    expect(text.out).toMatch(/not met \(no valid input freelist/);
  });

  it('a fault at a negative garbage address is written -0x..., not 0x-...', () => {
    const f = new MachineFault('unmapped', -0x6786a5c4e30220, 0, 'free');
    expect(f.message).toMatch(/at -0x6786a5c4e30220 by thread 0 during free/);
  });

  it('check: a JavaScript error names the file, line and column', async () => {
    const r = await allocsim(['check', typeError, '--only', 'large', '--runs', '5']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /large: the model crashed: TypeError: Cannot set properties of undefined \(setting 'x'\) \(type-error\.ts:\d+:\d+\)/,
    );
  });

  it('a syntax error names the file, line and column', async () => {
    const broken = mutant('freelist', 'syntax-error', [
      [SIZE_LINE, `    const need = = Math.max(MIN_BLOCK, roundUp(size + HEADER, 16));\n`],
    ]);
    for (const extra of [[]]) {
      const r = await allocsim(['check', broken, '--only', 'large', '--runs', '1', ...extra]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      // The line of the template's size computation, where the mutant put the second '='.
      const line = templateSource('freelist').slice(0, templateSource('freelist').indexOf(SIZE_LINE)).split('\n').length;
      expect(r.err).toMatch(new RegExp(`syntax-error\\.ts: cannot load it: syntax-error\\.ts:${line}:18: Unexpected "="`));
    }
  });
});
