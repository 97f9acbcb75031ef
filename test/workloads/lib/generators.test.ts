import { describe, expect, it } from 'vitest';
import { GlibcRandom } from '../../../src/workloads/lib/glibc-random.ts';
import { Lran2 } from '../../../src/workloads/lib/lran2.ts';

// Expected values printed by the C originals on glibc 2.36 (rand/srand/random) and by
// mimalloc-bench's bench/xmalloc-test/random.h compiled with gcc.
describe("ported generators reproduce the C programs' sequences", () => {
  it('glibc random(): seed 1 (no srand), srand(0x1ce4e5b9) as mleak, srandom(12345)', () => {
    const take = (g: GlibcRandom, n: number): number[] => Array.from({ length: n }, () => g.next());
    expect(take(new GlibcRandom(), 5)).toEqual([1804289383, 846930886, 1681692777, 1714636915, 1957747793]);
    expect(take(new GlibcRandom(0x1ce4e5b9), 3)).toEqual([837743463, 1439681107, 1104711238]);
    expect(take(new GlibcRandom(12345), 3)).toEqual([383100999, 858300821, 357768173]);
  });

  it("lran2 with larson's seed 4141 and with seed 1", () => {
    const a = new Lran2(4141);
    expect([a.next(), a.next(), a.next(), a.next(), a.next()]).toEqual([562984, 514304, 603572, 409634, 264819]);
    const b = new Lran2(1);
    expect([b.next(), b.next(), b.next()]).toEqual([393554, 432897, 480504]);
  });
});

describe('64-bit generators', () => {
  it("alloc-test's PRNG(41) and mstress's pick() from seed 43, as compiled C++", async () => {
    const { AllocTestPrng, SplitMixPick } = await import('../../../src/workloads/lib/prng64.ts');
    const a = new AllocTestPrng(41);
    expect([a.rng32(), a.rng32(), a.rng64()]).toEqual([3608098730, 922600695, 343832789838122688n]);
    const m = new SplitMixPick(43);
    expect([m.pick(1000), m.pick(100), m.pick(7)]).toEqual([962, 65, 3]);
  });
});
