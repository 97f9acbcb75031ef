/**
 * The layering rule of docs/architecture.md: imports only point down, and the simulator core uses
 * no Node-only API (so it can run in a browser).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ORDER = ['lib', 'sim', 'machine', 'check', 'allocators', 'workloads', 'experiment', 'report', 'cli'];
const NODE_FREE = new Set(['lib', 'sim', 'machine', 'check', 'allocators', 'workloads']);
const root = join(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file, resolved to absolute paths; `import type` counted as well (a cycle of types is still a cycle to read). */
function localImports(file: string): string[] {
  return imports(file)
    .filter((s) => s.startsWith('.'))
    .map((s) => join(file, '..', s));
}

/** Strongly connected components of the file import graph (Tarjan), those of more than one file. */
function importCycles(all: string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of localImports(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc);
    }
  };
  for (const f of all) if (!index.has(f)) visit(f);
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] as string);
}

/** What the playground (web/src) may not import: the CLI and the Node-only parts of the experiment layer. */
const NOT_IN_BROWSER = [/^src\/cli\//, /^src\/experiment\/isolation\//, /^src\/experiment\/(pool|line-file|run-task)\.ts$/];

describe('the playground (web/src)', () => {
  const web = join(root, '..', 'web', 'src');
  it.each(files(web).map((f) => [relative(web, f), f]))('%s imports only browser-safe modules', (_rel, file) => {
    for (const spec of imports(file)) {
      expect(spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'worker_threads'].includes(spec), `${spec}`).toBe(false);
      if (!spec.startsWith('.')) continue;
      const target = relative(join(root, '..'), join(file, '..', spec));
      expect(
        NOT_IN_BROWSER.some((re) => re.test(target)),
        `${spec} is Node-only`,
      ).toBe(false);
    }
  });
});

describe('layering', () => {
  const all = files(root);
  it('every source file is in a known layer', () => {
    for (const f of all) expect(ORDER).toContain(relative(root, f).split('/')[0]);
  });

  it.each(all.map((f) => [relative(root, f), f]))('%s imports only its own or lower layers', (_rel, file) => {
    const layer = relative(root, file).split('/')[0] as string;
    for (const spec of imports(file)) {
      if (spec.startsWith('.')) {
        const target = relative(root, join(file, '..', spec)).split('/')[0] as string;
        expect(ORDER.indexOf(target), `${spec} from ${layer}`).toBeLessThanOrEqual(ORDER.indexOf(layer));
        expect(ORDER.indexOf(target)).toBeGreaterThanOrEqual(0);
      } else if (NODE_FREE.has(layer)) {
        expect(
          spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'worker_threads'].includes(spec),
          `${spec} in ${layer}`,
        ).toBe(false);
      }
    }
  });

  it('no import cycle leaves a folder (files of one model may call each other, as the C sources do; folders form a hierarchy)', () => {
    const crossing = importCycles(all)
      .map((scc) => scc.map((f) => relative(root, f)))
      .filter((scc) => new Set(scc.map((f) => f.slice(0, f.lastIndexOf('/')))).size > 1);
    expect(crossing).toEqual([]);
  });

  it('no source file is over 400 lines (small files named after their concept)', () => {
    const long = all.filter((f) => readFileSync(f, 'utf8').split('\n').length > 401).map((f) => relative(root, f));
    expect(long).toEqual([]);
  });
});
