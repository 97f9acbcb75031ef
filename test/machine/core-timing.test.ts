/**
 * The core model (src/machine/core-timing.ts): where a thread waits and where it does not. Memory is
 * laid out with uncharged pokes (resident, in no cache), so every first load of a line is a DRAM miss.
 */
import { describe, expect, it } from 'vitest';
import { Machine, cacheStats, machinePreset, type Cpu } from '../../src/machine/index.ts';

const spec = machinePreset('default');
const { dram, l1Hit, atomic } = spec.costs;
const { fillBuffers, storeBuffer, loadsPerCycle, storesPerCycle, issueWidth } = spec.core;

/** A machine and a region of `pages` resident pages, in no cache. */
function setup(pages = 64): { m: Machine; c: Cpu; base: number } {
  const m = new Machine(machinePreset('default'), { seed: 1 });
  const c = m.cpu(0, 0);
  const base = c.mmap(pages * 4096);
  for (let i = 0; i < pages; i++) m.poke(base + i * 4096, 0);
  c.serialize();
  return { m, c, base };
}

/** The address of the i-th distinct line (one line per 256 bytes, so no two share a line). */
const line = (base: number, i: number): number => base + i * 256;

describe('core timing: loads', () => {
  it('a chain of dependent misses costs the sum of their latencies', () => {
    const { m, c, base } = setup();
    const n = 10;
    for (let i = 0; i < n; i++) m.poke(line(base, i), line(base, i + 1));
    const t0 = c.now;
    let p = line(base, 0);
    for (let i = 0; i < n; i++) p = c.load(p);
    c.use(p);
    const elapsed = c.now - t0;
    expect(elapsed).toBeGreaterThanOrEqual(n * dram);
    expect(elapsed).toBeLessThan(n * dram + n);
  });

  it('independent misses overlap: N cost about one latency, up to the fill buffers', () => {
    const { c, base } = setup();
    const t0 = c.now;
    for (let i = 0; i < fillBuffers; i++) c.load(line(base, i));
    c.serialize();
    const one = c.now - t0;
    expect(one).toBeGreaterThanOrEqual(dram);
    expect(one).toBeLessThan(dram + fillBuffers);
    // Twice as many: the second half waits for fill buffers, a second latency.
    const t1 = c.now;
    for (let i = fillBuffers; i < 3 * fillBuffers; i++) c.load(line(base, i));
    c.serialize();
    const two = c.now - t1;
    expect(two).toBeGreaterThanOrEqual(2 * dram);
    expect(two).toBeLessThan(2 * dram + 2 * fillBuffers);
  });

  it('code of L1 hits runs at the issue rate, and work at the issue width', () => {
    const { c, base } = setup();
    c.load(base);
    c.serialize();
    const t0 = c.now;
    for (let i = 0; i < 300; i++) c.load(base + (i % 8) * 8);
    expect(c.now - t0).toBeCloseTo(300 / loadsPerCycle, 6);
    const t1 = c.now;
    for (let i = 0; i < 300; i++) c.store(base + (i % 8) * 8, i);
    expect(c.now - t1).toBeCloseTo(300 / storesPerCycle, 6);
    const t2 = c.now;
    c.work(400);
    expect(c.now - t2).toBeCloseTo(400 / issueWidth, 6);
  });

  it('the reorder buffer bounds how far the thread runs past a miss', () => {
    const { c, base } = setup();
    c.load(line(base, 0));
    const t0 = c.now;
    // Far more work than the window holds: the thread waits for the miss once.
    c.work(10 * spec.core.rob);
    const elapsed = c.now - t0;
    expect(elapsed).toBeGreaterThanOrEqual(dram - 1);
    expect(elapsed).toBeLessThan(dram + (10 * spec.core.rob) / issueWidth);
    // Work that fits in the window does not wait.
    c.load(line(base, 1));
    const t1 = c.now;
    c.work(spec.core.rob / 2);
    expect(c.now - t1).toBeCloseTo(spec.core.rob / 2 / issueWidth, 6);
  });

  it('a load of a line in flight completes with its fill, not as a second miss', () => {
    const { m, c, base } = setup();
    m.poke(line(base, 0) + 8, line(base, 5));
    const t0 = c.now;
    c.load(line(base, 0));
    const p = c.load(line(base, 0) + 8);
    c.use(p);
    expect(c.now - t0).toBeGreaterThanOrEqual(dram);
    expect(c.now - t0).toBeLessThan(dram + 2);
    expect(cacheStats(m).l1Misses).toBe(1);
  });
});

describe('core timing: the store buffer', () => {
  it('a stream of store misses does not stall until the buffer is full', () => {
    const { c, base } = setup(128);
    const t0 = c.now;
    for (let i = 0; i < storeBuffer; i++) c.store(line(base, i), i);
    expect(c.now - t0).toBeCloseTo(storeBuffer / storesPerCycle, 6);
    const t1 = c.now;
    c.store(line(base, storeBuffer), 1);
    // The buffer was full: this store waited for the oldest to commit (its RFO, a DRAM miss).
    expect(c.now - t1).toBeGreaterThan(dram / 2);
  });

  it('store misses overlap their RFOs: a long stream costs far less than a miss per store', () => {
    const { c, base } = setup(256);
    const n = 4 * storeBuffer;
    const t0 = c.now;
    for (let i = 0; i < n; i++) c.store(line(base, i), i);
    c.serialize();
    const perStore = (c.now - t0) / n;
    expect(perStore).toBeLessThan(dram / 4);
    expect(perStore).toBeGreaterThanOrEqual(dram / fillBuffers);
  });

  it('an atomic after store misses waits for them to drain', () => {
    const { c, base } = setup();
    const hot = line(base, 100);
    c.fetchAdd(hot, 1);
    const t0 = c.now;
    c.fetchAdd(hot, 1);
    const alone = c.now - t0;
    expect(alone).toBeLessThan(atomic + l1Hit + 2);
    for (let i = 0; i < 4; i++) c.store(line(base, i), i);
    const t1 = c.now;
    c.fetchAdd(hot, 1);
    expect(c.now - t1).toBeGreaterThanOrEqual(dram - 2 + atomic);
  });

  it('a load forwards from a pending store to its line', () => {
    const { c, base } = setup();
    const p = line(base, 0);
    c.store(p, 0x7f00_1234_5000);
    const t0 = c.now;
    const v = c.load(p);
    c.use(v);
    expect(v).toBe(0x7f00_1234_5000);
    expect(c.now - t0).toBeLessThan(l1Hit + 1);
  });

  it("a consumer's store into a line another core reads is seen by that core at drain time", () => {
    /** The consumer stores into a shared line behind 8 store misses; the producer reads the line
     * `readAt` cycles after the store issued, then CASes it: did the CAS see a write since its read? */
    function casRetried(readAt: (issued: number, drain: number) => number): { retried: boolean; issued: number; drain: number } {
      const m = new Machine(machinePreset('default'), { seed: 1 });
      const consumer = m.cpu(0, 0);
      const producer = m.cpu(1, 1);
      const base = consumer.mmap(64 * 4096);
      for (let i = 0; i < 64; i++) m.poke(base + i * 4096, 0);
      const shared = line(base, 200);
      producer.atomicLoad(shared);
      producer.serialize();
      consumer.now = producer.now;
      for (let i = 0; i < 8; i++) consumer.store(line(base, i), i);
      const issued = consumer.now;
      consumer.store(shared, 1);
      const ds = m.as.pages.get(Math.floor(shared / 4096)) * 64 + ((shared % 4096) >> 6);
      const drain = m.hier.dir.lastWriteTime(ds);
      producer.now = readAt(issued, drain);
      producer.atomicLoad(shared);
      producer.serialize();
      const failed = m.atomics[2] as number;
      producer.cas(shared, 1, 2);
      return { retried: m.atomics[2] !== failed, issued, drain };
    }
    // The write takes effect when the store commits, after the misses ahead of it.
    const early = casRetried((issued) => issued + 10);
    expect(early.drain).toBeGreaterThanOrEqual(early.issued + dram - 2);
    // Read between the store's issue and its drain: the CAS finds the line written since, and retries.
    expect(early.retried).toBe(true);
    // Read after the drain: the CAS goes through first time.
    expect(casRetried((_issued, drain) => drain + 100).retried).toBe(false);
  });
});
