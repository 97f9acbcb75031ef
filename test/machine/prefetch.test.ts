import { describe, expect, it } from 'vitest';
import { Machine, machinePreset } from '../../src/machine/index.ts';

describe('Cpu.prefetch', () => {
  it('fetches the line without waiting for it; a later load waits only for the rest of the fill, then hits', () => {
    const m = new Machine(machinePreset('default'));
    const writer = m.cpu(0, 0);
    const reader = m.cpu(1, 1);
    const p = writer.mmap(4096);
    writer.store(p, 0x7f00_0000_1000);
    writer.store(p + 128, 0x7f00_0000_2000);
    writer.serialize();
    reader.now = writer.now;
    const { c2cTransfer, l1Hit } = m.spec.costs;
    const t0 = reader.now;
    reader.prefetch(p);
    // The prefetch takes an issue slot, not the transfer's latency.
    expect(reader.now - t0).toBeLessThan(1);
    // A load right after it waits for the fill already under way: one transfer from the prefetch.
    reader.use(reader.load(p));
    expect(reader.now - t0).toBeGreaterThanOrEqual(c2cTransfer);
    expect(reader.now - t0).toBeLessThan(c2cTransfer + 2);
    // Once the fill is in, the line hits; the line not prefetched is a transfer of its own.
    const a = reader.now;
    reader.use(reader.load(p));
    expect(reader.now - a).toBeCloseTo(l1Hit, 0);
    const b = reader.now;
    reader.use(reader.load(p + 128));
    expect(reader.now - b).toBeGreaterThanOrEqual(c2cTransfer);
  });

  it('never faults: unmapped and not yet resident pages are dropped', () => {
    const m = new Machine(machinePreset('default'));
    const c = m.cpu(0, 0);
    c.prefetch(0x1234_0000);
    const p = c.mmap(8192);
    c.prefetch(p + 4096, true);
    expect(m.isResident(p + 4096)).toBe(false);
    expect(m.as.pageFaults).toBe(0);
  });
});
