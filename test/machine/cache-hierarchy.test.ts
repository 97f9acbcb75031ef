import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cacheStats, ORIGIN_APP, ORIGIN_META, LINE_SIZE } from '../../src/machine/index.ts';
import { lineKey } from '../../src/machine/cache-level.ts';
import { tinyMachine, tinySpec } from './helpers.ts';

/** A deliberately naive LRU cache: a list per set, most recent last. */
class RefCache {
  private readonly sets: number[][];
  constructor(
    private readonly nSets: number,
    private readonly ways: number,
  ) {
    this.sets = Array.from({ length: nSets }, () => []);
  }
  has(line: number): boolean {
    return (this.sets[line % this.nSets] as number[]).includes(line);
  }
  /** Touches `line`; returns the evicted line, if any. */
  touch(line: number): number | undefined {
    const set = this.sets[line % this.nSets] as number[];
    const i = set.indexOf(line);
    if (i >= 0) set.splice(i, 1);
    set.push(line);
    return set.length > this.ways ? set.shift() : undefined;
  }
  drop(line: number): void {
    const set = this.sets[line % this.nSets] as number[];
    const i = set.indexOf(line);
    if (i >= 0) set.splice(i, 1);
  }
}

describe('cache hierarchy', () => {
  it('agrees with a reference LRU model on random single-core access streams', () => {
    const spec = tinySpec(1);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.boolean()), { minLength: 1, maxLength: 400, size: 'max' }),
        (stream) => {
          // Demand accesses only: the stream prefetcher's fills are tested on their own (stream-prefetcher.test.ts).
          const m = tinyMachine(1, false);
          const cpu = m.cpu(0, 0);
          const base = cpu.mmap(1 << 20, { populate: true });
          const l1 = new RefCache(8, spec.l1.ways);
          const l2 = new RefCache(16, spec.l2.ways);
          const llc = new RefCache(64, spec.llc.ways);
          const want = { l1: 0, l2: 0, llc: 0 };
          const baseLine = base / LINE_SIZE;
          for (const [off, write] of stream) {
            const line = baseLine + off;
            if (!l1.has(line)) {
              want.l1++;
              if (!l2.has(line)) {
                want.l2++;
                if (!llc.has(line)) want.llc++;
                llc.touch(line);
                // L1 is kept inside L2: an L2 eviction drops the line from L1 too. The core owns
                // every line it holds (it is alone), so the victim is written back into the LLC.
                const ev = l2.touch(line);
                if (ev !== undefined) {
                  l1.drop(ev);
                  llc.touch(ev);
                }
              } else {
                l2.touch(line);
              }
            }
            // An L1 hit is not seen by L2: its LRU order does not change.
            l1.touch(line);
            if (write) cpu.store(line * LINE_SIZE, 1, 8, ORIGIN_APP);
            else cpu.load(line * LINE_SIZE, 8, ORIGIN_APP);
          }
          const st = cacheStats(m);
          expect(st.accesses).toBe(stream.length);
          expect({ l1: st.l1Misses, l2: st.l2Misses, llc: st.llcMisses }).toEqual(want);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the directory in step with the caches on random multi-core streams (what the fast paths rely on)', () => {
    // A core is among a line's sharers exactly when its L2 holds the line (slow() skips the tag
    // comparisons of a line known absent); L1 is kept inside L2; an owner holds the line; a line
    // in the LLC is where the directory's llcWay says (llcPut finds it without a scan); a way
    // writable in a private cache belongs to the owner.
    const cores = 4;
    const LINES = 512; // 8 times what one core's L2 holds and twice the LLC, so evictions are common
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: cores - 1 }), fc.integer({ min: 0, max: LINES - 1 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 400,
          maxLength: 800,
        }),
        (stream) => {
          const m = tinyMachine(cores);
          const cpus = Array.from({ length: cores }, (_, c) => m.cpu(c, c));
          const base = cpus[0]!.mmap(LINES * LINE_SIZE, { populate: true });
          for (const [c, off, op] of stream) {
            const cpu = cpus[c]!;
            const a = base + off * LINE_SIZE;
            if (op === 0) cpu.load(a, 8, ORIGIN_APP);
            else if (op === 1) cpu.store(a, off, 8, ORIGIN_APP);
            else if (op === 2) cpu.fetchAdd(a, 1);
            else cpu.cas(a, cpu.atomicLoad(a), 7);
          }
          const h = m.hier;
          const dir = h.dir;
          for (let off = 0; off < LINES; off++) {
            const a = base + off * LINE_SIZE;
            const key = lineKey(a);
            const ds = m.as.pages.get(Math.floor(a / 4096)) * 64 + ((a % 4096) >> 6);
            const owner = dir.owner(ds);
            for (let c = 0; c < cores; c++) {
              const i1 = h.l1[c]!.find(key, ds);
              const i2 = h.l2[c]!.find(key, ds);
              expect(dir.has(dir.sharers, ds, c)).toBe(i2 >= 0);
              if (i1 >= 0) expect(i2).toBeGreaterThanOrEqual(0);
              if (owner === c) expect(i2).toBeGreaterThanOrEqual(0);
              if (i1 >= 0 && h.l1[c]!.writable[i1] === 1) expect(owner).toBe(c);
              if (i2 >= 0 && h.l2[c]!.writable[i2] === 1) expect(owner).toBe(c);
            }
            const w = dir.llcWay(ds);
            const inLlc = h.llc.find(key, ds);
            if (inLlc >= 0) expect(w).toBe(inLlc);
            else expect(w >= 0 && h.llc.tagOf(w) === ds).toBe(false);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a line written by core A then read by core B is one coherence miss for B, served by A', () => {
    const m = tinyMachine(2);
    const a = m.cpu(0, 0);
    const b = m.cpu(1, 1);
    const p = a.mmap(4096);
    b.load(p); // B holds it first (cold)
    a.store(p, 42); // A takes ownership: B's copy is invalidated
    const before = cacheStats(m);
    expect(b.load(p)).toBe(42);
    const after = cacheStats(m);
    expect(after.coherenceMisses - before.coherenceMisses).toBe(1);
    expect(after.transfers - before.transfers).toBe(1);
    // A line B never held is a cold miss, not a coherence miss.
    a.store(p + 64, 1);
    b.load(p + 64);
    const last = cacheStats(m);
    expect(last.coherenceMisses).toBe(after.coherenceMisses);
    expect(last.coldMisses).toBe(after.coldMisses + 2); // A's write and B's read: both first touches
  });

  it('tells apart lines whose addresses share their low 32 bits, and forgets a page that is unmapped and mapped again', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const lo = 0x10_0000_0000;
    const hi = lo + 2 ** 32; // same set in every level, a different line
    c.mmap(4096, { addr: lo, fixed: 'noreplace' });
    c.mmap(4096, { addr: hi, fixed: 'noreplace' });
    c.store(lo, 1);
    c.store(hi, 2);
    const a = cacheStats(m);
    expect(a.coldMisses).toBe(2);
    expect([c.load(lo), c.load(hi)]).toEqual([1, 2]);
    const b = cacheStats(m);
    expect(b.l1Misses).toBe(a.l1Misses); // both lines fit in the 2-way L1 set
    // Unmapping drops the page's lines; the same address mapped again is a new page: a cold miss.
    c.munmap(hi, 4096);
    c.mmap(4096, { addr: hi, fixed: 'noreplace' });
    expect(c.load(hi)).toBe(0);
    const d = cacheStats(m);
    expect(d.coldMisses).toBe(b.coldMisses + 1);
    expect(c.load(lo)).toBe(1);
    expect(cacheStats(m).l1Misses).toBe(d.l1Misses);
  });

  it('counts misses by origin, so allocator-caused misses can be told apart', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const p = c.mmap(8192);
    c.load(p, 8, ORIGIN_META);
    c.load(p + 4096, 8, ORIGIN_APP);
    c.load(p + 4096 + 64, 8, ORIGIN_APP);
    const st = cacheStats(m);
    expect(st.byOrigin.allocator.l1Misses).toBe(1);
    expect(st.byOrigin.app.l1Misses).toBe(2);
  });
});
