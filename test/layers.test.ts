/**
 * The layering rule of docs/architecture.md: imports only point down, and the simulator core uses
 * no Node-only API (so it can run in a browser).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ORDER = ['sim', 'machine', 'check', 'allocators', 'workloads', 'experiment', 'report', 'cli'];
const NODE_FREE = new Set(['sim', 'machine', 'check', 'allocators', 'workloads']);
const root = join(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string);
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
      expect(NOT_IN_BROWSER.some((re) => re.test(target)), `${spec} is Node-only`).toBe(false);
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
        expect(spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'worker_threads'].includes(spec), `${spec} in ${layer}`).toBe(false);
      }
    }
  });
});
