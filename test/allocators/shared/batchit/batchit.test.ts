import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BatchItCache,
  SNMALLOC_BATCHIT_SHAPE,
  ringCount,
  setOf,
  type BatchItShape,
} from '../../../../src/allocators/shared/batchit/index.ts';
import { Machine, machinePreset, atomicStats, ORIGIN_LINK, cacheStats, type Cpu } from '../../../../src/machine/index.ts';
import { Counters } from '../../../../src/allocators/kit/model-counters.ts';

const hooks = {
  initNode: (cpu: Cpu, obj: number) => cpu.store(obj, 0, 8, ORIGIN_LINK),
  link: (cpu: Cpu, prev: number, obj: number) => cpu.store(prev, obj, 8, ORIGIN_LINK),
};

function setup(shape: BatchItShape = SNMALLOC_BATCHIT_SHAPE) {
  const m = new Machine(machinePreset('default'));
  const cpu = m.cpu(0, 0);
  const counters = new Counters();
  const cache = new BatchItCache(shape, hooks, counters);
  const base = cpu.mmap(4096);
  const heap = cpu.mmap(1 << 24);
  const batches: Array<{ key: number; objs: number[] }> = [];
  const sink = (c: Cpu, key: number, head: number, tail: number, length: number) => {
    const objs: number[] = [];
    for (let o = head; ; o = m.peek(o)) {
      objs.push(o);
      if (o === tail) break;
    }
    expect(objs.length).toBe(length);
    batches.push({ key, objs });
  };
  return { m, cpu, counters, cache, base, heap, batches, sink };
}

/** Slab keys that all hash to the same set (to force conflicts). */
function keysInSet(shape: BatchItShape, set: number, n: number, from = 0x10000): number[] {
  const out: number[] = [];
  for (let k = from; out.length < n; k += 64) if (setOf(shape, k) === set) out.push(k);
  return out;
}

describe('BatchIt cache', () => {
  it('snmalloc shape: 16 rings declared, but with set+way indexing only rings 0..8 exist', () => {
    expect(ringCount(SNMALLOC_BATCHIT_SHAPE)).toBe(9);
    expect(ringCount({ ...SNMALLOC_BATCHIT_SHAPE, layout: 'clean' })).toBe(16);
  });

  it('the multiply-shift hash is snmalloc ring_set: bits 16..18 of (key/8) * 0x7EFB352D', () => {
    for (const key of [0x1000, 0x7f0012345640, 0x55555555c0]) {
      const want = Number(((BigInt(key / 8) * 0x7efb352dn) >> 16n) & 7n);
      expect(setOf(SNMALLOC_BATCHIT_SHAPE, key)).toBe(want);
    }
  });

  it('frees to one slab form one batch: hits append with no atomics, flush delivers every object once', () => {
    const { cpu, cache, base, heap, batches, sink, counters, m } = setup();
    const objs = Array.from({ length: 10 }, (_, i) => heap + i * 64);
    for (const o of objs) cache.add(cpu, base, 0x4000, o, sink);
    expect(counters.get('batchit.hits')).toBe(9);
    expect(counters.get('batchit.misses')).toBe(1);
    cache.flush(cpu, base, sink);
    expect(batches).toEqual([{ key: 0x4000, objs }]);
    expect(atomicStats(m).total).toBe(0);
  });

  it('a miss in a full set evicts the longest ring (ties to the lower way) as one batch', () => {
    const { cpu, cache, base, heap, batches, sink } = setup();
    const [a, b, c] = keysInSet(SNMALLOC_BATCHIT_SHAPE, 3, 3);
    cache.add(cpu, base, a!, heap, sink);
    cache.add(cpu, base, b!, heap + 64, sink);
    cache.add(cpu, base, b!, heap + 128, sink); // b is longer
    cache.add(cpu, base, c!, heap + 192, sink); // evicts b
    expect(batches).toEqual([{ key: b, objs: [heap + 64, heap + 128] }]);
    const { cpu: cpu2, cache: cache2, base: base2, heap: heap2, batches: batches2, sink: sink2 } = setup();
    cache2.add(cpu2, base2, a!, heap2, sink2);
    cache2.add(cpu2, base2, b!, heap2 + 64, sink2);
    cache2.add(cpu2, base2, c!, heap2 + 128, sink2); // tie: the lower way (a) goes
    expect(batches2[0]?.key).toBe(a);
  });

  it('with the overlap layout neighbouring sets share a ring; the clean layout keeps them apart', () => {
    // Set 0 uses rings 0,1; set 1 uses rings 1,2: a slab of set 1 can take ring 1 and push set 0 to evict sooner.
    const overlap = setup();
    const s0 = keysInSet(SNMALLOC_BATCHIT_SHAPE, 0, 2);
    const s1 = keysInSet(SNMALLOC_BATCHIT_SHAPE, 1, 2);
    overlap.cache.add(overlap.cpu, overlap.base, s1[0]!, overlap.heap, overlap.sink); // ring 1
    overlap.cache.add(overlap.cpu, overlap.base, s1[1]!, overlap.heap + 64, overlap.sink); // ring 2
    overlap.cache.add(overlap.cpu, overlap.base, s0[0]!, overlap.heap + 128, overlap.sink); // ring 0
    overlap.cache.add(overlap.cpu, overlap.base, s0[1]!, overlap.heap + 192, overlap.sink); // set 0 full: evicts
    expect(overlap.counters.get('batchit.evictions')).toBe(1);
    const cleanShape: BatchItShape = { ...SNMALLOC_BATCHIT_SHAPE, layout: 'clean' };
    const clean = setup(cleanShape);
    const c0 = keysInSet(cleanShape, 0, 2);
    const c1 = keysInSet(cleanShape, 1, 2);
    for (const [i, k] of [c1[0], c1[1], c0[0], c0[1]].entries())
      clean.cache.add(clean.cpu, clean.base, k!, clean.heap + i * 64, clean.sink);
    expect(clean.counters.get('batchit.evictions')).toBe(0);
  });

  it('LRU evicts the least recently hit ring; FIFO the oldest inserted', () => {
    for (const policy of ['lru', 'fifo'] as const) {
      const shape: BatchItShape = { ...SNMALLOC_BATCHIT_SHAPE, policy };
      const t = setup(shape);
      const [a, b, c] = keysInSet(shape, 2, 3);
      t.cache.add(t.cpu, t.base, a!, t.heap, t.sink);
      t.cache.add(t.cpu, t.base, b!, t.heap + 64, t.sink);
      t.cache.add(t.cpu, t.base, a!, t.heap + 128, t.sink); // a hit: most recent under LRU
      t.cache.add(t.cpu, t.base, c!, t.heap + 192, t.sink);
      expect(t.batches[0]?.key).toBe(policy === 'lru' ? b : a);
    }
  });

  it('every object added is delivered exactly once, in order per slab, whatever the shape (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          sets: fc.constantFrom(1, 2, 4, 8),
          ways: fc.integer({ min: 1, max: 4 }),
          policy: fc.constantFrom('largest', 'lru', 'fifo'),
          layout: fc.constantFrom('overlap', 'clean'),
          hash: fc.constantFrom('multiply-shift', 'address-bits'),
        }),
        fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 200, size: 'max' }),
        (shape, slabSeq) => {
          const t = setup(shape as BatchItShape);
          const added: Array<[number, number]> = [];
          slabSeq.forEach((slab, i) => {
            const key = 0x100000 + slab * 0x4000;
            const obj = t.heap + i * 64;
            added.push([key, obj]);
            t.cache.add(t.cpu, t.base, key, obj, t.sink);
          });
          t.cache.flush(t.cpu, t.base, t.sink);
          const delivered = t.batches.flatMap((b) => b.objs.map((o) => [b.key, o] as [number, number]));
          expect([...delivered].sort((x, y) => x[1] - y[1])).toEqual(added);
          for (const b of t.batches) expect(b.objs).toEqual([...b.objs].sort((x, y) => x - y));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a hit touches only the ring tag and builder lines, the previous tail and the freed object', () => {
    const { cpu, cache, base, heap, sink, m } = setup();
    cache.add(cpu, base, 0x4000, heap, sink);
    cache.add(cpu, base, 0x4000, heap + 4096, sink);
    const before = cacheStats(m);
    cache.add(cpu, base, 0x4000, heap + 8192, sink);
    const after = cacheStats(m);
    // tag line, builder line (tail, length), previous tail object, new object
    expect(after.byOrigin.allocatorLink.accesses - before.byOrigin.allocatorLink.accesses).toBe(2);
    expect(after.byOrigin.allocatorMeta.accesses - before.byOrigin.allocatorMeta.accesses).toBeGreaterThanOrEqual(4);
    expect(atomicStats(m).total).toBe(0);
  });
});
