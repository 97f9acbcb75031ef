/** The main experiment runs what exists and switches to the BatchIt grid once its models are registered. */
import { describe, expect, it } from 'vitest';
import { bumpModel } from '../../src/allocators/bump/bump.ts';
import { hasModel, registerModel } from '../../src/allocators/index.ts';
import { randomWorkload } from '../../src/workloads/random.ts';
import { registerWorkload, workloadNames } from '../../src/workloads/index.ts';
import { batchitPreset } from '../../src/experiment/presets.ts';

describe('the batchit preset', () => {
  const batchitOnMain = hasModel('snmalloc+batchit') || hasModel('mimalloc+batchit');

  it.skipIf(batchitOnMain)('falls back to the registered teaching allocators on random while the BatchIt models are missing', () => {
    const p = batchitPreset(2);
    expect(p.workloads).toEqual(['random']);
    expect(p.allocators).toContain('bump');
    expect(p.threads).toEqual([1, 2, 4, 8]);
    expect(p.seeds).toEqual([1, 2]);
    expect(p.note).toMatch(/the BatchIt grid needs .*snmalloc\+batchit/);
  });

  it('switches to snmalloc/mimalloc ± BatchIt on msgpass pairs when they are registered', () => {
    for (const name of ['snmalloc', 'snmalloc+batchit', 'mimalloc', 'mimalloc+batchit']) {
      if (!hasModel(name)) registerModel({ ...bumpModel, name });
    }
    if (!workloadNames().includes('msgpass')) {
      const pc = ['producers', 'consumers'].map((name) => ({ name, type: 'int' as const, default: 1, min: 1, description: 'test' }));
      registerWorkload({
        ...randomWorkload,
        name: 'msgpass',
        params: [...randomWorkload.params.filter((q) => q.name !== 'threads'), ...pc],
      });
    }
    const p = batchitPreset(3);
    expect(p.allocators).toEqual(['snmalloc', 'snmalloc+batchit', 'mimalloc', 'mimalloc+batchit']);
    expect(p.workloads).toEqual(['msgpass']);
    expect(p.threadParams).toEqual(['producers', 'consumers']);
    expect(p.threads).toEqual([1, 2, 4, 8]);
    expect(p.note).toMatch(/^BatchIt comparison/);
  });
});
