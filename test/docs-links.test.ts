/** The documentation points only at files that exist in this repository. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

  it('no page refers to the shared/ notes or DESIGN.md, which are not in the repository', () => {
    // The notes beside the repository: ../shared/, shared/reference/..., shared/STYLE.md, DESIGN.md.
    // (src/allocators/shared/, the models' shared components, is in the repository.)
    const outside = /\.\.\/shared\/|(?<![\w-]\/)\bshared\/(?:reference\/|[A-Z]+\.md)|DESIGN\.md/;
    expect(files.filter((f) => outside.test(readFileSync(f, 'utf8'))).map((f) => f.slice(ROOT.length + 1))).toEqual([]);
  });

  it('no source, test or bench file cites the shared/ notes or DESIGN.md either', () => {
    // Imports of '../shared/...' are the models' shared components (src/allocators/shared/).
    const notes = /\bshared\/(?:reference|seeds)\/|\bshared\/[A-Z]+\.md|DESIGN\.md/;
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mts|mjs|js)$/.test(e.name) ? [join(dir, e.name)] : [],
      );
    const all = ['src', 'test', 'bench', 'tools', 'templates'].flatMap((d) => sources(join(ROOT, d)));
    expect(all.length).toBeGreaterThan(300);
    expect(
      all.filter((f) => f !== fileURLToPath(import.meta.url) && notes.test(readFileSync(f, 'utf8'))).map((f) => f.slice(ROOT.length + 1)),
    ).toEqual([]);
  });

  it('every folder and file docs/architecture.md names exists', () => {
    const text = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const named = new Set<string>();
    // Paths from the repository's root: src/machine/, src/allocators/kit/contract.ts, test/layers.test.ts.
    for (const m of text.matchAll(/(?<![\w./-])((?:src|test|docs|bench|bin|templates)\/[\w./-]*[\w/])/g)) named.add(m[1] as string);
    // The layer table: a line that starts with a folder names its subfolders relative to it (commands/).
    for (const line of text.split('\n')) {
      const head = /^(src\/[\w-]+\/)\s/.exec(line);
      if (head === null) continue;
      for (const m of line.slice(head[0].length).matchAll(/(?<![\w./-])([\w-]+\/)(?![\w.])/g)) named.add(`${head[1]}${m[1]}`);
    }
    const real = [...named].filter((p) => !p.includes('NAME')); // docs/models/NAME.md is a pattern
    expect(real.length).toBeGreaterThan(20);
    expect(real.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it('docs/cli.md shows what npm start says it runs in this build', () => {
    const { note } = batchitPreset(3);
    expect(readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8')).toContain(`$ npm start\nallocsim batchit: ${note}\n`);
  });
});
