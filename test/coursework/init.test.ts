/**
 * `allocsim init` makes a project that works as generated: its check passes through the project's
 * own `npx allocsim` link, and its unit tests pass under Node's test runner. It never overwrites.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocsim, REPO, tempDir } from './helpers.ts';

describe('allocsim init', () => {
  it('writes a project that checks and tests out of the box', async () => {
    const dir = join(tempDir(), 'hw');
    const r = await allocsim(['init', dir]);
    expect(r.code).toBe(0);
    for (const f of ['allocator.ts', 'allocator.test.ts', 'README.md', 'package.json', 'tsconfig.json'])
      expect(existsSync(join(dir, f))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.devDependencies.allocsim).toBe(`file:${REPO}`);
    expect(readlinkSync(join(dir, 'node_modules', 'allocsim'))).toBe(REPO);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/## The assignment ladder/);
    // The project's own bin link, as `npx allocsim` finds it.
    const bin = join(dir, 'node_modules', '.bin', 'allocsim');
    const out = execFileSync(process.execPath, [bin, 'check', 'allocator.ts', '--runs', '4', '--workloads=false'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(out).toMatch(/contract of the model in allocator\.ts/);
    expect(out).not.toMatch(/FAIL/);
    const test = execFileSync(process.execPath, ['--import', 'allocsim/register', '--test', 'allocator.test.ts'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(test).toMatch(/# fail 0/);
  });

  it('refuses a directory that is not empty: exit 2, one line, nothing written', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const r = await allocsim(['init', dir, '--template', 'xv6']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/is not empty; refusing to overwrite it/);
    expect(existsSync(join(dir, 'allocator.ts'))).toBe(false);
  });

  it('rejects an unknown template with the valid ones', async () => {
    const r = await allocsim(['init', join(tempDir(), 'p'), '--template', 'slab']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown template 'slab'; choose from freelist, buckets, xv6/);
  });

  it.each(['buckets', 'xv6'])('the %s template is written with its own model and tests', async (t) => {
    const dir = join(tempDir(), t);
    expect((await allocsim(['init', dir, '--template', t, '--no-link'])).code).toBe(0);
    expect(readFileSync(join(dir, 'allocator.ts'), 'utf8')).toBe(readFileSync(join(REPO, 'templates', t, 'allocator.ts'), 'utf8'));
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  });
});
