/**
 * `allocsim describe glibc` lists the chunk classes and the tunables with glibc's defaults; calloc
 * skips clearing memory fresh from the kernel.
 */
import { describe, expect, it } from 'vitest';
import { describeData } from '../../../src/cli/commands/describe.ts';
import { glibcRig } from './helpers.ts';

describe('glibc describe', () => {
  const d = describeData('glibc', []);

  it('lists 64 tcache bins, 7 fastbins, 62 small bins and 63 large bins with their spacing', () => {
    const fam = (f: string): Array<Record<string, unknown>> => d.sizeClasses.filter((s) => String(s.family).startsWith(f));
    expect(fam('tcache').length).toBe(64);
    expect(fam('tcache').at(-1)).toMatchObject({ size: 1032, chunkMin: 1040 });
    expect(fam('fastbin').map((s) => s.chunkMin)).toEqual([32, 48, 64, 80, 96, 112, 128]);
    expect(fam('smallbin').length).toBe(62);
    expect(fam('largebin').length).toBe(63);
    expect(new Set(fam('largebin').map((s) => s.spacing))).toEqual(new Set([64, 512, 4096, 32768, 262144, 'unbounded']));
    // Bin 120 straddles two clauses of largebin_index_64: 40960..65535.
    expect(fam('largebin').find((s) => s.index === 120)).toMatchObject({ chunkMin: 40960, chunkMax: 65520 });
  });

  it('lists the tunables with glibc 2.36 defaults', () => {
    const defaults = Object.fromEntries(d.params.map((p) => [p.name, p.default]));
    expect(defaults).toMatchObject({
      tcache_count: 7,
      tcache_max: 1032,
      mxfast: 128,
      mmap_threshold: 131072,
      trim_threshold: 131072,
      top_pad: 131072,
      mmap_max: 65536,
      arena_max: 0,
      arena_test: 8,
    });
    expect(d.constants).toMatchObject({ MINSIZE: 32, MALLOC_ALIGNMENT: 16, HEAP_MAX_SIZE: 64 * 1024 * 1024, global_max_fast: 128 });
  });
});

describe('glibc calloc', () => {
  it('clears reused memory but not the part of a chunk that sysmalloc just got from the kernel', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    rig.model.malloc(c, 120_000); // leaves about 14 KB of top
    const fresh = rig.model.calloc(c, 1, 60_000); // top grows by sbrk; only its old part is cleared
    expect(rig.model.counters.get('callocClearShortened')).toBe(1);
    c.fill(fresh, 60_000, 0xab);
    rig.model.free(c, fresh); // back into top, all below the high-water mark now
    const again = rig.model.calloc(c, 1, 60_000);
    expect(again).toBe(fresh);
    expect(rig.machine.peekBytes(again, 60_000).every((b) => b === 0)).toBe(true);
    expect(rig.model.counters.get('callocClearShortened')).toBe(1);
  });
});
