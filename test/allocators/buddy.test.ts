/** buddy: power-of-two blocks split on demand and merged with their buddy (address XOR size). */
import { describe, expect, it } from 'vitest';
import { buddyOf, type Buddy } from '../../src/allocators/buddy/buddy.ts';
import { rig } from './rig.ts';

const MiB = 1 << 20;

describe('buddy', () => {
  it('finds the buddy by XOR with the block size, also above 32-bit addresses', () => {
    for (const b of [0x7eff_fff0_0000, 0x7eff_fff0_0040, 0x5555_5600_0800]) {
      for (const k of [5, 6, 11, 19]) {
        if (b % 2 ** k !== 0) continue;
        expect(buddyOf(b, k)).toBe(Number(BigInt(b) ^ (1n << BigInt(k))));
      }
    }
  });

  it('splits a heap down to the requested order, one free half per order', () => {
    const r = rig<Buddy>('buddy');
    const p = r.malloc(16); // 16 + 16-byte header = 32 bytes: order 5
    const heap = p - 16;
    expect(heap % MiB).toBe(0);
    expect(r.model.usableSize(r.quiet, p)).toBe(16);
    expect(r.counter('splits')).toBe(20 - 5);
    const free = r.model.freeBlocks(r.quiet);
    expect(free.map((f) => f.order)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    for (const f of free) expect(f.addr).toBe(heap + 2 ** f.order); // each free half is the upper buddy
  });

  it('merges buddies back to the top order when everything is freed', () => {
    const r = rig<Buddy>('buddy');
    const ps = [r.malloc(16), r.malloc(16), r.malloc(100), r.malloc(3000), r.malloc(16)];
    for (const p of ps) r.free(p);
    expect(r.counter('coalesces')).toBe(r.counter('splits'));
    const free = r.model.freeBlocks(r.quiet);
    expect(free).toEqual([{ order: 20, addr: (ps[0] as number) - 16 }]);
    r.assertClean();
  });

  it('does not merge with a buddy that is in use', () => {
    const r = rig<Buddy>('buddy');
    const a = r.malloc(16);
    const b = r.malloc(16); // a's buddy
    expect(b - 16).toBe(buddyOf(a - 16, 5));
    r.free(a);
    expect(r.counter('coalesces')).toBe(0);
    expect(r.model.freeBlocks(r.quiet).find((f) => f.order === 5)?.addr).toBe(a - 16);
  });

  it('a second heap goes back to the OS when it is entirely free again; the last one stays', () => {
    const r = rig<Buddy>('buddy');
    const a = r.malloc(MiB - 16); // a whole heap each
    const b = r.malloc(MiB - 16);
    expect(r.counter('heapsMapped')).toBe(2);
    r.free(a);
    expect(r.counter('heapsUnmapped')).toBe(1);
    r.free(b);
    expect(r.counter('heapsUnmapped')).toBe(1);
    expect(r.model.freeBlocks(r.quiet)).toEqual([{ order: 20, addr: b - 16 }]);
  });

  it('aligned requests put the payload at the alignment inside a block aligned to its size', () => {
    const r = rig<Buddy>('buddy');
    const p = r.malloc(10, 0, 4096);
    expect(p % 4096).toBe(0);
    expect(r.model.usableSize(r.quiet, p)).toBeGreaterThanOrEqual(10);
    r.free(p);
    expect(r.model.freeBlocks(r.quiet)).toHaveLength(1);
  });

  it('maps requests above the heap size directly', () => {
    const r = rig<Buddy>('buddy');
    const p = r.malloc(MiB);
    expect(r.counter('directMaps')).toBe(1);
    expect(r.counter('heapsMapped')).toBe(0);
    r.free(p);
    expect(r.counter('directUnmaps')).toBe(1);
  });
});
