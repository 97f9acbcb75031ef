/** tcache: per-thread cache bins in front of a locked global heap, flushing a bin past its limit. */
import { describe, expect, it } from 'vitest';
import type { Tcache } from '../../src/allocators/tcache/tcache.ts';
import { atomicStats } from '../../src/machine/stats.ts';
import { rig } from './rig.ts';

describe('tcache', () => {
  it('a free goes to the thread cache and the next malloc of that size takes it back without a lock', () => {
    const r = rig<Tcache>('tcache');
    const p = r.malloc(100);
    const locks = atomicStats(r.machine).locks;
    r.free(p);
    expect(r.malloc(100)).toBe(p);
    expect(atomicStats(r.machine).locks).toBe(locks);
    expect(r.counter('cacheHits')).toBe(1);
  });

  it('flushes the older half of a bin to the global heap when it passes its limit', () => {
    const r = rig<Tcache>('tcache');
    const ps = Array.from({ length: 8 }, () => r.malloc(100));
    for (const p of ps.slice(0, 7)) r.free(p);
    expect(r.counter('flushes')).toBe(0); // 7 = glibc's TCACHE_FILL_COUNT fits
    const locks = r.counter('lockAcquisitions');
    r.free(ps[7] as number); // the 8th: flush all but the newest 4, under one lock
    expect(r.counter('flushes')).toBe(1);
    expect(r.counter('flushedBlocks')).toBe(4);
    expect(r.counter('lockAcquisitions')).toBe(locks + 1);
    const cached = r.model
      .heapWalk(r.quiet)
      .filter((g) => g.kind === 'cached')
      .map((g) => g.addr);
    expect(cached).toEqual([ps[7], ps[6], ps[5], ps[4]]);
    // The four oldest are back in the global heap, coalesced into one free block with the rest of the chunk.
    const free = r.model.heapWalk(r.quiet).filter((g) => g.kind === 'free');
    expect(free).toEqual([
      { addr: (ps[0] as number) - 8, size: 4 * 128, kind: 'free' },
      expect.objectContaining({ addr: (ps[7] as number) - 8 + 128 }),
    ]);
    expect(r.model.examine(r.quiet)).toEqual([]);
    // LIFO: the newest cached block comes back first.
    expect([r.malloc(100), r.malloc(100)]).toEqual([ps[7], ps[6]]);
  });

  it("a remote free lands in the freeing thread's cache (as glibc does)", () => {
    const r = rig<Tcache>('tcache', {}, 2);
    const p = r.malloc(200, 0);
    r.free(p, 1);
    expect(r.malloc(200, 0)).not.toBe(p); // not in thread 0's cache
    expect(r.malloc(200, 1)).toBe(p); // thread 1 reuses it
    r.assertClean();
  });

  it('thread exit flushes every bin back to the global heap', () => {
    const r = rig<Tcache>('tcache');
    const ps = [r.malloc(16), r.malloc(100), r.malloc(500), r.malloc(1000)];
    for (const p of ps) r.free(p);
    expect(r.model.heapWalk(r.quiet).filter((g) => g.kind === 'cached')).toHaveLength(4);
    r.driver.threadExit(r.cpus[0]!);
    const walk = r.model.heapWalk(r.quiet);
    expect(walk.filter((g) => g.kind === 'cached')).toHaveLength(0);
    expect(walk.filter((g) => g.kind === 'free')).toEqual([{ addr: (ps[0] as number) - 8, size: 64 * 1024 - 48, kind: 'free' }]);
  });

  it('detects a double free into the cache (glibc: "double free detected in tcache 2")', () => {
    const r = rig<Tcache>('tcache');
    const p = r.malloc(64);
    r.free(p);
    expect(() => r.model.free(r.cpus[0]!, p)).toThrow(/double free detected in tcache 2/);
  });

  it('blocks too big for the bins go straight to the locked heap', () => {
    const r = rig<Tcache>('tcache');
    const p = r.malloc(2000); // block 2016 > 1040, the largest bin
    const locks = r.counter('lockAcquisitions');
    r.free(p);
    expect(r.counter('lockAcquisitions')).toBe(locks + 1);
    expect(r.model.heapWalk(r.quiet).filter((g) => g.kind === 'cached')).toHaveLength(0);
  });
});
