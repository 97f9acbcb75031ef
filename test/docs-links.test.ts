/** The documentation points only at files that exist in this repository. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../src/allocators/index.ts';
import '../src/workloads/index.ts';
import { batchitPreset } from '../src/experiment/presets.ts';

const ROOT = join(import.meta.dirname, '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}

describe('documentation links', () => {
  const files = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];

  it('every relative link resolves to a file of the repository', () => {
    const broken: string[] = [];
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (m[1] as string).split('#')[0] as string;
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        if (!existsSync(join(dirname(f), target))) broken.push(`${f.slice(ROOT.length + 1)} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('no page refers to the shared/ notes, which are not in the repository', () => {
    expect(files.filter((f) => readFileSync(f, 'utf8').includes('shared/')).map((f) => f.slice(ROOT.length + 1))).toEqual([]);
  });

  it('docs/cli.md shows what npm start says it runs in this build', () => {
    const { note } = batchitPreset(3);
    expect(readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8')).toContain(`$ npm start\nallocsim batchit: ${note}\n`);
  });
});
