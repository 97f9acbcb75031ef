/** `allocsim describe` on the teaching allocators: constants, size classes and sources as data. */
import { describe, expect, it } from 'vitest';
import type { DescribeData } from '../../src/cli/commands/describe.ts';
import { cli } from './capture.ts';

async function describeJson(...args: string[]): Promise<DescribeData> {
  const r = await cli('describe', ...args, '--json');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as DescribeData;
}

describe('allocsim describe', () => {
  it('freelist --json: the boundary-tag constants, its parameters, sources and fidelity page', async () => {
    const d = await describeJson('freelist');
    expect(d.name).toBe('freelist');
    expect(d.family).toBe('teaching');
    expect(d.doc).toBe('docs/models/freelist.md');
    expect(d.constants).toMatchObject({
      tagBytes: 16,
      minBlockBytes: 32,
      chunkBytes: 65536,
      mmapThresholdBytes: 4096,
      insert: 'address',
      locks: 1,
    });
    expect(d.params.map((p) => p.name)).toEqual(['chunkKiB', 'mmapThreshold', 'insert']);
    expect(d.sources.some((s) => s.includes('hw07.txt'))).toBe(true);
  });

  it('parameters change what is described', async () => {
    const d = await describeJson('freelist', '--param', 'insert=lifo', '--param', 'chunkKiB=128');
    expect(d.constants).toMatchObject({ insert: 'lifo', chunkBytes: 131072 });
  });

  it('buckets, buddy and tcache list their size classes', async () => {
    expect((await describeJson('buckets')).sizeClasses.map((c) => c.size)).toEqual([
      16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024,
    ]);
    const buddy = await describeJson('buddy');
    expect(buddy.sizeClasses.map((c) => c.order)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const tcache = await describeJson('tcache');
    expect(tcache.sizeClasses).toHaveLength(64);
    expect(tcache.sizeClasses.at(-1)).toMatchObject({ size: 1024, blockBytes: 1040, limit: 7 });
  });

  it('prints a table without --json', async () => {
    const r = await cli('describe', 'arenas');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/arenas/);
    expect(r.out).toMatch(/fidelity notes: docs\/models\/arenas.md/);
  });
});

describe('describe a workload', () => {
  it('shows its parameters with the values a variant implies, its sources and its page', async () => {
    const r = await cli('describe', 'msgpass-4', '--json');
    expect(r.code).toBe(0);
    const w = JSON.parse(r.out) as { name: string; params: Array<{ name: string; value: unknown }>; doc: string };
    expect(w.name).toBe('msgpass-4');
    expect(w.params.find((p) => p.name === 'producers')?.value).toBe(4);
    expect(w.doc).toBe('docs/workloads/msgpass.md');
    expect((await cli('describe', 'random')).out).toMatch(/^random — .*\n[\s\S]*│ threads /);
  });

  it('a name that is neither: one line listing both kinds, exit 2', async () => {
    const r = await cli('describe', 'nosuch');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^allocsim: 'nosuch' is neither an allocator nor a workload; valid allocators: .*bump.*; valid workloads: .*random.*\n$/,
    );
  });
});
