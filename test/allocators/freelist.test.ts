/**
 * freelist: first fit over an explicit free list, splitting, and coalescing through the boundary
 * tags. Each test fails if the mechanism it names is wrong.
 */
import { describe, expect, it } from 'vitest';
import type { Freelist } from '../../src/allocators/freelist/freelist.ts';
import { atomicStats } from '../../src/machine/stats.ts';
import { rig } from './rig.ts';

const PAGE = 4096;

describe('freelist', () => {
  it('splits a chunk: the block is the request plus 16 bytes of tags, the rest stays free', () => {
    const r = rig<Freelist>('freelist');
    const p = r.malloc(100);
    expect(r.model.usableSize(r.quiet, p)).toBe(112); // 100 + 16 rounded to 16 = 128-byte block
    expect(r.machine.peek(p - 8)).toBe(128 + 1); // header: size | in use
    expect(r.machine.peek(p - 8 + 128 - 8)).toBe(128 + 1); // footer repeats it
    expect(r.counter('splits')).toBe(1);
    const free = r.model.heapWalk(r.quiet).filter((g) => g.kind === 'free');
    expect(free).toEqual([{ addr: p - 8 + 128, size: 64 * 1024 - 48 - 128, kind: 'free' }]);
    expect(r.model.examine(r.quiet)).toEqual([]);
  });

  it('coalesces a freed block with both free neighbours and reuses the merged block', () => {
    const r = rig<Freelist>('freelist');
    const [a, b, c, d] = [r.malloc(100), r.malloc(100), r.malloc(100), r.malloc(100)] as [number, number, number, number];
    r.free(a);
    r.free(c);
    expect(r.counter('coalesces')).toBe(0); // c's neighbours b and d are in use
    r.free(b); // case 4: a absorbs b and c
    expect(r.counter('coalesces')).toBe(2);
    expect(r.model.examine(r.quiet)).toEqual([]);
    const merged = r.model.heapWalk(r.quiet).filter((g) => g.kind === 'free' && g.addr === a - 8);
    expect(merged).toEqual([{ addr: a - 8, size: 3 * 128, kind: 'free' }]);
    // 350 bytes need a 368-byte block: only the merged one fits below d, and first fit takes it.
    expect(r.malloc(350)).toBe(a);
    expect(d).toBeGreaterThan(c);
    r.assertClean();
  });

  it('merges with the next block when only it is free (and keeps its place in the list)', () => {
    const r = rig<Freelist>('freelist');
    const a = r.malloc(100);
    const b = r.malloc(100);
    r.free(b); // merges with the rest of the chunk
    expect(r.counter('coalesces')).toBe(1);
    expect(r.model.heapWalk(r.quiet).filter((g) => g.kind === 'free')).toEqual([{ addr: b - 8, size: 64 * 1024 - 48 - 128, kind: 'free' }]);
    r.free(a); // and everything is one block again
    expect(r.model.heapWalk(r.quiet).filter((g) => g.kind === 'free')).toEqual([{ addr: a - 8, size: 64 * 1024 - 48, kind: 'free' }]);
    expect(r.model.examine(r.quiet)).toEqual([]);
  });

  it('first fit takes the lowest-addressed block that fits (address order), the newest free one with lifo', () => {
    for (const insert of ['address', 'lifo'] as const) {
      const r = rig<Freelist>('freelist', { insert });
      const a = r.malloc(200);
      r.malloc(16);
      const b = r.malloc(100);
      r.malloc(16);
      r.free(a);
      r.free(b);
      // Both a (224-byte block) and b (128) fit 90 bytes; b fits better, but first fit does not look for the best.
      expect(r.malloc(90)).toBe(insert === 'address' ? a : b);
      expect(r.model.examine(r.quiet)).toEqual([]);
    }
  });

  it('maps requests of a page or more directly and unmaps them on free', () => {
    const r = rig<Freelist>('freelist');
    const mmaps = r.machine.as.syscalls.mmap;
    const p = r.malloc(5000);
    expect(r.machine.as.syscalls.mmap).toBe(mmaps + 1);
    expect(p % PAGE).toBe(16);
    expect(r.model.usableSize(r.quiet, p)).toBe(2 * PAGE - 16);
    r.free(p);
    expect(r.machine.as.syscalls.munmap).toBe(1);
    expect(r.counter('pagesUnmapped')).toBe(2);
    expect(r.counter('chunksMapped')).toBe(0); // the heap itself was never needed
  });

  it('aligned requests free the leading piece and return an aligned payload', () => {
    const r = rig<Freelist>('freelist');
    const p = r.malloc(40, 0, 256);
    expect(p % 256).toBe(0);
    expect(r.model.examine(r.quiet)).toEqual([]);
    r.free(p);
    expect(r.model.heapWalk(r.quiet).filter((g) => g.kind === 'free')).toHaveLength(1); // all merged back
  });

  it('every malloc and free takes the one global lock', () => {
    const r = rig<Freelist>('freelist', {}, 2);
    const before = atomicStats(r.machine).locks;
    const p = r.malloc(64, 0);
    r.free(p, 1);
    expect(atomicStats(r.machine).locks - before).toBe(2);
    expect(r.counter('lockAcquisitions')).toBe(2);
  });

  it('a double free is detected (the header says the block is already free)', () => {
    const r = rig<Freelist>('freelist');
    const p = r.malloc(64);
    r.malloc(64);
    r.free(p);
    expect(() => r.model.free(r.cpus[0]!, p)).toThrow(/double free/);
  });
});
