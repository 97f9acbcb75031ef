import { describe, expect, it } from 'vitest';
import { Machine, machinePreset } from '../../src/machine/index.ts';

describe('Cpu.prefetch', () => {
  it('fetches the line without moving the clock; the later load hits', () => {
    const m = new Machine(machinePreset('default'));
    const writer = m.cpu(0, 0);
    const reader = m.cpu(1, 1);
    const p = writer.mmap(4096);
    writer.store(p, 42);
    writer.store(p + 128, 43);
    const t0 = reader.now;
    reader.prefetch(p);
    expect(reader.now).toBe(t0);
    const a = reader.now;
    expect(reader.load(p)).toBe(42);
    const hit = reader.now - a;
    const b = reader.now;
    reader.load(p + 128);
    const miss = reader.now - b;
    expect(hit).toBe(m.spec.costs.l1Hit);
    expect(miss).toBeGreaterThan(hit);
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
