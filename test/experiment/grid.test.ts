/** Grid expansion: order, parameter routing, labels, thread axes and shards. */
import { describe, expect, it } from 'vitest';
import { bumpModel } from '../../src/allocators/bump/bump.ts';
import { hasModel, registerModel } from '../../src/allocators/index.ts';
import '../../src/workloads/index.ts';
import { baselineLabel, expandGrid, shardIndices, type GridSpec } from '../../src/experiment/grid.ts';
import { machinePreset } from '../../src/machine/presets.ts';
import { ParamError } from '../../src/lib/params.ts';

// A model that declares no parameters, to see axes skip the models that do not declare them.
if (!hasModel('test-noparams'))
  registerModel({
    ...bumpModel,
    name: 'test-noparams',
    params: [],
    create: (env) => bumpModel.create({ ...env, params: { chunkKiB: 64 } }),
  });

function spec(over: Partial<GridSpec>): GridSpec {
  return {
    allocators: ['bump'],
    workloads: ['random'],
    threads: [],
    threadParams: ['threads'],
    seeds: [1],
    params: [],
    machine: machinePreset('default'),
    check: false,
    profile: false,
    modules: [],
    ...over,
  };
}

describe('expandGrid', () => {
  it('orders points workload, threads, allocator, seed and numbers them', () => {
    const pts = expandGrid(spec({ allocators: ['bump', 'test-noparams'], threads: [1, 4], seeds: [1, 2] }));
    expect(pts.map((p) => `${p.threads} ${p.allocatorLabel} ${p.config.seed}`)).toEqual([
      '1 bump 1',
      '1 bump 2',
      '1 test-noparams 1',
      '1 test-noparams 2',
      '4 bump 1',
      '4 bump 2',
      '4 test-noparams 1',
      '4 test-noparams 2',
    ]);
    expect(pts.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(pts[4]?.config.workloadParams).toEqual({ threads: 4 });
  });

  it('routes each axis to whoever declares it, sweeps only those, and labels only swept values', () => {
    const pts = expandGrid(
      spec({
        allocators: ['bump', 'test-noparams'],
        params: [
          { key: 'chunkKiB', values: ['64', '256'] },
          { key: 'ops', values: ['10'] },
        ],
      }),
    );
    expect(pts.map((p) => p.allocatorLabel)).toEqual(['bump chunkKiB=64', 'bump chunkKiB=256', 'test-noparams']);
    expect(pts[1]?.config.allocatorParams).toEqual({ chunkKiB: '256' });
    expect(pts.every((p) => p.benchmark === 'random' && p.config.workloadParams?.ops === '10')).toBe(true);
    const w = expandGrid(spec({ params: [{ key: 'maxSize', values: ['64', '512'] }] }));
    expect(w.map((p) => p.benchmark)).toEqual(['random maxSize=64', 'random maxSize=512']);
  });

  it('takes the thread count from the workload default when no --threads is given', () => {
    expect(expandGrid(spec({}))[0]?.threads).toBe(4);
  });

  it('rejects unknown, ambiguous, repeated and invalid parameters before any run', () => {
    expect(() => expandGrid(spec({ params: [{ key: 'nosuch', values: ['1'] }] }))).toThrow(/unknown parameter 'nosuch'/);
    expect(() =>
      expandGrid(
        spec({
          params: [
            { key: 'ops', values: ['1'] },
            { key: 'ops', values: ['2'] },
          ],
        }),
      ),
    ).toThrow(/given twice/);
    expect(() => expandGrid(spec({ params: [{ key: 'chunkKiB', values: ['1'] }] }))).toThrow(/must be at least 4/);
    expect(() => expandGrid(spec({ params: [{ key: 'ops', values: ['1'], target: 'allocator' }] }))).toThrow(ParamError);
    expect(() => expandGrid(spec({ threads: [2], params: [{ key: 'threads', values: ['1'] }] }))).toThrow(/set by --threads/);
    expect(() => expandGrid(spec({ threads: [2], threadParams: ['producers'] }))).toThrow(/no parameter 'producers'/);
  });

  it('resolves the baseline by label or by model name', () => {
    const s = spec({ allocators: ['test-noparams', 'bump'], params: [{ key: 'chunkKiB', values: ['64', '256'] }] });
    const pts = expandGrid(s);
    expect(baselineLabel(s, pts)).toBe('test-noparams');
    expect(baselineLabel({ ...s, baseline: 'bump' }, pts)).toBe('bump chunkKiB=64');
    expect(baselineLabel({ ...s, baseline: 'bump chunkKiB=256' }, pts)).toBe('bump chunkKiB=256');
    expect(() => baselineLabel({ ...s, baseline: 'glibc' }, pts)).toThrow(/not one of the allocators/);
  });
});

describe('shardIndices', () => {
  it('partitions the grid: every point in exactly one shard, sizes within one', () => {
    for (const total of [0, 1, 7, 12]) {
      for (const n of [1, 2, 3, 5]) {
        const shards = Array.from({ length: n }, (_, i) => shardIndices(total, i + 1, n));
        expect(shards.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });
});
