/** `merge` reads shard files as data: code a shard names runs only when given with --load. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/capture.ts';
import { FIXTURE } from '../cli/helpers.ts';
import { REPO, tempDir } from '../coursework/helpers.ts';

describe('merge runs no code a shard names', () => {
  it('a shard naming a module is refused (exit 2, one line naming it), and the module is not imported', async () => {
    const dir = tempDir('allocsim-merge-');
    const grid = ['compare', '-a', 'bump,test-slowbump', '--load', FIXTURE, '-w', 'random', '-p', 'ops=100', '-q', '--jobs', '1'];
    for (const i of [1, 2]) expect((await cli(...grid, '--shard', `${i}/2`, '--out', join(dir, `s${i}.json`))).code).toBe(0);
    const evil = join(dir, 'evil.mjs');
    const marker = join(dir, 'MARKER');
    writeFileSync(evil, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const shards = [1, 2].map((i) => {
      const j = JSON.parse(readFileSync(join(dir, `s${i}.json`), 'utf8')) as { experiment: { modules: string[] } };
      j.experiment.modules.push(`file://${evil}`);
      const f = join(dir, `evil-${i}.json`);
      writeFileSync(f, JSON.stringify(j));
      return f;
    });
    const r = await cli('merge', ...shards);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(
      /names the code file file:\/\/.*slow-bump\.ts, which merge does not run on a shard's say-so; if you trust it, give it with --load/,
    );
    const withFixture = await cli('merge', ...shards, '--load', FIXTURE);
    expect(withFixture.code).toBe(2);
    expect(withFixture.err).toContain(`names the code file file://${evil}`);
    expect(existsSync(marker)).toBe(false);
    const honest = await cli('merge', join(dir, 's1.json'), join(dir, 's2.json'), '--load', FIXTURE);
    expect(honest.code, honest.err).toBe(0);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  it('a shard of a model file merges when the file is given with --load (loaded isolated)', async () => {
    const dir = tempDir('allocsim-merge-');
    const file = join(REPO, 'templates', 'freelist', 'allocator.ts');
    const grid = ['compare', '-a', `${file},bump`, '-w', 'random', '-p', 'ops=100', '-q', '--jobs', '1'];
    const whole = await cli(...grid, '--json');
    for (const i of [1, 2]) expect((await cli(...grid, '--shard', `${i}/2`, '--out', join(dir, `s${i}.json`))).code).toBe(0);
    const refused = await cli('merge', join(dir, 's1.json'), join(dir, 's2.json'), '--json');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('templates/freelist/allocator.ts, which merge does not run');
    const merged = await cli('merge', join(dir, 's1.json'), join(dir, 's2.json'), '--json', '--load', file);
    expect(merged.code, merged.err).toBe(0);
    expect(merged.out).toBe(whole.out);
  }, 60_000);
});
