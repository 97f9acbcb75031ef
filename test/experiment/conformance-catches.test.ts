/**
 * The invariant suite must fail for broken models, with a shrunk counterexample: a suite that
 * passes everything proves nothing.
 */
import { describe, expect, it } from 'vitest';
import { modelInfo, type AllocatorModel, type ModelInfo } from '../../src/allocators/index.ts';
import { checkProperty, PROPERTIES } from '../../src/experiment/conformance.ts';
import type { Cpu } from '../../src/machine/cpu.ts';

/** Wraps a model, replacing some of its methods. */
function variant(base: ModelInfo, name: string, patch: (m: AllocatorModel) => Partial<AllocatorModel>): ModelInfo {
  return {
    ...base,
    name,
    create: (env) => {
      const m = base.create(env);
      return Object.assign(Object.create(Object.getPrototypeOf(m)), m, patch(m)) as AllocatorModel;
    },
  };
}

const single = PROPERTIES.find((p) => p.name === 'single-thread')!;

describe('the invariant suite catches broken models', () => {
  it('a model that returns the same block twice is caught as an overlap, shrunk to two mallocs', () => {
    const broken = variant(modelInfo('bump'), 'bump-overlap', (m) => {
      let first = 0;
      return {
        malloc: (cpu: Cpu, size: number, align?: number) => {
          if (first !== 0 && size <= 64) return first;
          const p = m.malloc.call(m, cpu, Math.max(size, 64), align);
          if (first === 0) first = p;
          return p;
        },
      };
    });
    const r = checkProperty(broken, single, { seed: 3, numRuns: 100 });
    expect(r.ok).toBe(false);
    expect(r.violation?.kind).toBe('overlap');
    expect(r.counterexample?.length).toBe(2);
    expect(r.counterexample?.every((c) => c.startsWith('malloc') || c.startsWith('calloc'))).toBe(true);
  });

  it('a realloc that does not copy is caught as a lost prefix', () => {
    const broken = variant(modelInfo('bump'), 'bump-nocopy', (m) => ({
      realloc: (cpu: Cpu, ptr: number, size: number) => (ptr === 0 ? m.malloc(cpu, size) : m.malloc(cpu, size)),
    }));
    const r = checkProperty(broken, single, { seed: 5, numRuns: 100 });
    expect(r.ok).toBe(false);
    expect(r.violation?.kind).toBe('realloc-lost-prefix');
    expect(r.counterexample?.some((c) => c.startsWith('realloc'))).toBe(true);
  });

  it('misaligned blocks are caught', () => {
    const broken = variant(modelInfo('bump'), 'bump-misaligned', (m) => ({
      malloc: (cpu: Cpu, size: number, align?: number) => m.malloc(cpu, size + 8, align) + 8,
      usableSize: () => 1 << 30,
    }));
    const r = checkProperty(broken, single, { seed: 7, numRuns: 50 });
    expect(r.ok).toBe(false);
    expect(r.violation?.kind).toBe('misaligned');
    expect(r.counterexample?.length).toBe(1);
  });
});
