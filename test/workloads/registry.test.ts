import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../src/workloads/index.ts';
import { listData } from '../../src/cli/commands/list.ts';
import { allWorkloads, lookupWorkload, workloadInfo } from '../../src/workloads/index.ts';

const REQUIRED = [
  'xmalloc-test',
  'larson',
  'cache-scratch',
  'cache-thrash',
  'sh6bench',
  'sh8bench',
  'glibc-simple',
  'glibc-thread',
  'alloc-test',
  'mstress',
  'rptest',
  'mleak',
  'malloc-large',
  'cfrac',
  'espresso',
  'isoalloc-cmp',
  'collatz-list',
  'collatz-vector',
  'alternating',
  'churn-one',
  'producer-consumer',
  'trace',
];

describe('workload registry', () => {
  it('registers every workload of the suite', () => {
    const names = allWorkloads().map((w) => w.name);
    for (const n of REQUIRED) expect(names).toContain(n);
  });

  it.each(allWorkloads().map((w) => [w.name]))('%s: documented parameters with defaults and a doc page', (name) => {
    const w = workloadInfo(name);
    for (const p of w.params) {
      expect(p.description.length, `${name}.${p.name}`).toBeGreaterThan(10);
      expect(p.default).toBeDefined();
    }
    expect(w.doc).toBe(`docs/workloads/${name}.md`);
    expect(existsSync(w.doc as string)).toBe(true);
  });

  it.each([...REQUIRED, 'frag', 'ostep-ops'].map((n) => [n]))('%s: a scale parameter and a doc page naming its sources', (name) => {
    const w = workloadInfo(name);
    expect(w.params.map((p) => p.name)).toContain('scale');
    const doc = readFileSync(w.doc as string, 'utf8');
    for (const s of w.sources) {
      const repo = s.split(' ')[0] as string;
      expect(doc, `${w.doc} cites ${repo}`).toContain(repo.replace(/^github:/, ''));
    }
  });

  it('`list workloads --json` gives every workload with its parameters and defaults', () => {
    const data = listData('workloads') as Array<{ name: string; params: Array<{ name: string; default: unknown }> }>;
    expect(data.map((w) => w.name)).toEqual(allWorkloads().map((w) => w.name));
    const larson = data.find((w) => w.name === 'larson');
    expect(larson?.params.find((p) => p.name === 'seconds')?.default).toBe(5);
  });

  it('thread-count variants resolve (larson-4, xmalloc-test-16) and nonsense does not', () => {
    expect(lookupWorkload('larson-4').overrides).toEqual({ threads: 4 });
    expect(lookupWorkload('xmalloc-test-16').overrides).toEqual({ threads: 16 });
    expect(lookupWorkload('mleak-100').overrides).toEqual({ iter: 50 });
    expect(lookupWorkload('isoalloc-cmp-2020').overrides).toEqual({ version: '2020' });
    expect(() => lookupWorkload('larson-x')).toThrow(/unknown workload/);
    expect(existsSync('traces/csapp/short.rep')).toBe(true);
  });
});
