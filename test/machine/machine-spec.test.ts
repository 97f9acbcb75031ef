import { describe, expect, it } from 'vitest';
import { MAX_SETS, machineFromJSON, machinePreset, MachineSpecError } from '../../src/machine/costs.ts';
import { Machine } from '../../src/machine/index.ts';

describe('machine descriptions (JSON)', () => {
  it('start from a preset and override only the fields given', () => {
    const spec = machineFromJSON({ base: 'xeon72', cores: 4, l2: { sizeKiB: 2560 }, costs: { dram: 300 } });
    const base = machinePreset('xeon72');
    expect(spec.cores).toBe(4);
    expect(spec.l2).toEqual({ sizeKiB: 2560, ways: base.l2.ways });
    expect(spec.costs.dram).toBe(300);
    expect(spec.costs.l1Hit).toBe(base.costs.l1Hit);
    expect(() => new Machine(spec)).not.toThrow();
  });

  it.each([
    ['an unknown field', { cpus: 4 }, /unknown field "cpus"/],
    ['a negative cost', { costs: { dram: -1 } }, /"costs.dram" must be a non-negative number/],
    ['sets that are not a power of two', { l1: { sizeKiB: 48, ways: 8 } }, /"l1" must have a whole power-of-two number of sets/],
    ['more sets than the simulator can index', { llc: { sizeKiB: 8 * MAX_SETS, ways: 4 } }, new RegExp(`"llc" must have .* at most ${MAX_SETS}`)],
    ['an unknown base', { base: 'epyc' }, /unknown machine 'epyc'/],
  ])('reject %s with a message naming it', (_what, json, message) => {
    expect(() => machineFromJSON(json, 'm.json')).toThrow(MachineSpecError);
    expect(() => machineFromJSON(json, 'm.json')).toThrow(message);
  });
});
