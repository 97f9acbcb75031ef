import { describe, expect, it } from 'vitest';
import { run, threadBumpModel } from './helpers.ts';

// Hoard's cache-thrash and cache-scratch exist to expose allocators that put different threads'
// small objects in one cache line. bump packs every thread's 1-byte objects next to each other;
// the test model gives each thread its own chunk.
describe('false sharing shows as coherence misses', () => {
  for (const w of ['cache-thrash', 'cache-scratch']) {
    it(`${w}: a packing allocator causes many more application coherence misses than per-thread pools`, () => {
      const params = { threads: 4, iterations: 20, repetitions: 4000, scale: 1 };
      const packed = run(w, params, 'bump');
      const separate = run(w, params, threadBumpModel);
      for (const r of [packed, separate]) {
        expect(r.error).toBeUndefined();
        expect(r.check.violations).toEqual([]);
      }
      const appPacked = packed.cache.byOrigin.app.coherenceMisses;
      const appSeparate = separate.cache.byOrigin.app.coherenceMisses;
      // Each thread does 20 × 1000 write+read passes; packed, most writes lose the line.
      expect(appPacked).toBeGreaterThan(10_000);
      expect(appPacked).toBeGreaterThan(20 * Math.max(1, appSeparate));
      expect(packed.time.cycles).toBeGreaterThan(separate.time.cycles);
    });
  }
});
