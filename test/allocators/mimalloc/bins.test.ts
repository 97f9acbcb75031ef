/**
 * Bins, span bins and encoded links against mimalloc's tables and definitions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binOf, binSizes, goodAllocSize, sizeClassTable } from '../../../src/allocators/mimalloc/bins.ts';
import { decode, encode, out } from '../../../src/allocators/mimalloc/encode.ts';
import { sliceBin } from '../../../src/allocators/mimalloc/segment-span.ts';

/** init.c QNULL block sizes of bins 1..64, in words. */
const QNULL = [
  1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640,
  768, 896, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192, 10240, 12288, 14336, 16384, 20480, 24576, 28672,
  32768, 40960, 49152, 57344, 65536,
];

describe('mimalloc bins', () => {
  it("bin sizes are init.c's QNULL table (bins 3, 5, 7 unused: sizes up to 8 words round to even words)", () => {
    const sizes = binSizes();
    for (let b = 1; b <= QNULL.length; b++) {
      if (b === 3 || b === 5 || b === 7) continue;
      expect(sizes[b], `bin ${b}`).toBe((QNULL[b - 1] as number) * 8);
    }
  });

  it('every size maps to the smallest bin that holds it', () => {
    const sizes = binSizes();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 128 * 1024 }), (n) => {
        const b = binOf(n, 128 * 1024);
        expect(sizes[b] as number).toBeGreaterThanOrEqual(n);
        if (b > 1) expect(sizes[b - 1] ?? 0).toBeLessThan(n);
      }),
    );
  });

  it('v2.1.2 lists 49 bins to 128 KiB; v2.4.1 45 bins to 64 KiB; secure classes hold 8 bytes less', () => {
    const v212 = sizeClassTable(16384, 131072, 0);
    const v241 = sizeClassTable(8192, 65536, 0);
    expect(v212.map((c) => c.size).slice(0, 10)).toEqual([8, 16, 32, 48, 64, 80, 96, 112, 128, 160]);
    expect(v212.length).toBe(49);
    expect(v212.at(-1)?.size).toBe(131072);
    expect(v241.length).toBe(45);
    expect(v241.at(-1)?.size).toBe(65536);
    expect(sizeClassTable(16384, 131072, 8).find((c) => c.size === 80)?.maxRequest).toBe(72);
  });

  it("span bins match init.c's MI_SEGMENT_SPAN_QUEUES_EMPTY", () => {
    const SQNULL = [
      1, 1, 2, 3, 4, 5, 6, 7, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640,
      768, 896, 1024,
    ];
    const top = new Array<number>(36).fill(1);
    for (let c = 1; c <= 1024; c++) top[sliceBin(c)] = c;
    expect(top).toEqual(SQNULL);
  });

  it('large requests round to 4 KiB / 64 KiB / 256 KiB / 1 MiB (os.c _mi_os_good_alloc_size)', () => {
    expect(goodAllocSize(200_000)).toBe(200_704);
    expect(goodAllocSize(600_000)).toBe(655_360);
    expect(goodAllocSize(3_000_000)).toBe(3_145_728);
    expect(goodAllocSize(9_000_000)).toBe(9_437_184);
  });
});

describe('mimalloc encoded links', () => {
  const M = (1n << 64n) - 1n;
  const rotl = (x: bigint, s: bigint): bigint => (s === 0n ? x : ((x << s) | (x >> (64n - s))) & M);
  it('encode is rotl(p ^ k1, k0) + k0, NULL encodes the page, and decode inverts it', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 47 }), u32, u32, u32, u32, (p, a, b, c, d) => {
        const k = { k0lo: a, k0hi: b, k1lo: c, k1hi: d };
        const page = 0x7f0000001000;
        encode(page, p, k);
        const got = (BigInt(out.hi) << 32n) | BigInt(out.lo);
        const k0 = (BigInt(b) << 32n) | BigInt(a);
        const k1 = (BigInt(d) << 32n) | BigInt(c);
        const x = BigInt(p === 0 ? page : p);
        expect(got).toBe((rotl(x ^ k1, k0 % 64n) + k0) & M);
        expect(decode(page, out.lo, out.hi, k)).toBe(p);
      }),
    );
  });
});
