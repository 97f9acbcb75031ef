/** allocsim compare with hostile model files: see attacks.ts; and the grid goes on past a model that cannot load. */
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/capture.ts';
import { attackTests } from './attacks.ts';
import { COMMANDS } from './commands.ts';
import { ATTACKS, project } from './hostile.ts';

attackTests('compare');

describe('compare with a model file that hangs while loading', () => {
  it("runs the other models; the file's runs fail with the reason, and the exit code is 1", async () => {
    const a = ATTACKS['loops forever at import']!;
    const p = project('hangs', a.where, a.code);
    const r = await cli(...(COMMANDS.compare as (f: string) => string[])(p.file));
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out) as { results: Array<{ allocator: string; error?: { kind: string; message: string } }> };
    expect(out.results.map((x) => [x.allocator, x.error?.kind])).toEqual([
      ['allocator', 'limit'],
      ['bump', undefined],
    ]);
    expect(out.results[0]?.error?.message).toBe('allocator.ts: import did not return within 0.5 s');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('allocator on random: allocator.ts: import did not return within 0.5 s');
  }, 60_000);
});
