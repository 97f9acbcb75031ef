/**
 * Chunk sizes and reuse order: request rounding and usable sizes as on Debian 12, the tcache and
 * fastbins handing chunks back last-in first-out, and fastbin chunks left uncoalesced until
 * malloc_consolidate.
 */
import { describe, expect, it } from 'vitest';
import { BRK_BASE } from '../../../src/machine/mappings.ts';
import { glibcRig } from './helpers.ts';

describe('glibc chunks and reuse', () => {
  it('usable sizes follow request2size: 8 bytes of overhead, 16-byte steps, 32-byte minimum', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    const usable = (n: number): number => rig.model.usableSize(c, rig.model.malloc(c, n));
    expect([0, 24, 25, 40, 41, 1032, 1033].map(usable)).toEqual([24, 24, 40, 40, 56, 1032, 1048]);
  });

  it("the main thread's first chunk follows its 656-byte tcache struct at the start of the brk heap", () => {
    const rig = glibcRig();
    expect(rig.model.malloc(rig.cpus[0]!, 24)).toBe(BRK_BASE + 672);
  });

  it('tcache reuse is LIFO, seven per size; the eighth free goes to a fastbin', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    const a = Array.from({ length: 8 }, () => rig.model.malloc(c, 24));
    for (const p of a) rig.model.free(c, p);
    expect(rig.model.counters.get('freeTcache')).toBe(7);
    expect(rig.model.counters.get('freeFastbin')).toBe(1);
    const again = Array.from({ length: 8 }, () => rig.model.malloc(c, 24));
    expect(again).toEqual([a[6], a[5], a[4], a[3], a[2], a[1], a[0], a[7]]);
  });

  it('fastbin reuse is LIFO (tcache off)', () => {
    const rig = glibcRig({ tcache_count: 0 });
    const c = rig.cpus[0]!;
    const a = Array.from({ length: 5 }, () => rig.model.malloc(c, 100));
    for (const p of a) rig.model.free(c, p);
    expect(rig.model.counters.get('freeFastbin')).toBe(5);
    expect(Array.from({ length: 5 }, () => rig.model.malloc(c, 100))).toEqual([...a].reverse());
  });

  it('fastbin chunks do not coalesce until a large request consolidates them', () => {
    const rig = glibcRig({ tcache_count: 0 });
    const c = rig.cpus[0]!;
    const a = Array.from({ length: 10 }, () => rig.model.malloc(c, 100));
    rig.model.malloc(c, 100); // a guard between the run and top
    for (const p of a) rig.model.free(c, p);
    expect(rig.model.counters.get('mallocConsolidate')).toBe(0);
    // 10 x 112-byte chunks are contiguous; a 1000-byte request is large enough to consolidate them
    // into one free chunk first, and is then carved from its start.
    const big = rig.model.malloc(c, 1100);
    expect(rig.model.counters.get('mallocConsolidate')).toBe(1);
    expect(big).toBe(a[0]);
  });

  it('a small request keeps splitting the last remainder (locality of consecutive requests)', () => {
    const rig = glibcRig({ tcache_count: 0 });
    const c = rig.cpus[0]!;
    const big = rig.model.malloc(c, 4000);
    rig.model.malloc(c, 16); // guard from top
    rig.model.free(c, big);
    const x = rig.model.malloc(c, 200);
    const y = rig.model.malloc(c, 200);
    const z = rig.model.malloc(c, 200);
    expect(x).toBe(big);
    expect([y - x, z - y]).toEqual([208, 208]);
    expect(rig.model.counters.get('mallocLastRemainder')).toBe(2);
  });
});
