import { describe, expect, it } from 'vitest';
import { MAX_SETS, MachineSpecError } from '../../src/machine/machine-spec.ts';
import { machineFromJSON } from '../../src/machine/spec-json.ts';
import { machinePreset } from '../../src/machine/presets.ts';
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

  it('refuse Object.prototype members as preset names', () => {
    expect(() => machinePreset('constructor')).toThrow(MachineSpecError);
    expect(() => machinePreset('__proto__')).toThrow(/unknown machine '__proto__'/);
  });

  it('never write a __proto__ field into Object.prototype', () => {
    expect(() => machineFromJSON(JSON.parse('{"__proto__": {"polluted": 1}}'), 'p.json')).toThrow(MachineSpecError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('name a machine after its file unless it names itself', () => {
    const spec = machineFromJSON({ cores: 4 }, 'dir/my-laptop.json');
    expect(spec.name).toBe('my-laptop');
    expect(spec.description).toMatch(/changed by dir\/my-laptop.json$/);
    expect(machineFromJSON({ name: 'lab', cores: 4 }, 'x.json').name).toBe('lab');
  });

  it.each([
    ['an unknown field', { cpus: 4 }, /unknown field "cpus"/],
    ['a negative cost', { costs: { dram: -1 } }, /"costs.dram" must be a number from 0 to 1000000000; got -1/],
    ['sets that are not a power of two', { l1: { sizeKiB: 48, ways: 8 } }, /"l1" must have a whole power-of-two number of sets/],
    [
      'more sets than the simulator can index',
      { llc: { sizeKiB: 8 * MAX_SETS, ways: 4 } },
      new RegExp(`"llc" must have .* at most ${MAX_SETS}`),
    ],
    ['an unknown base', { base: 'epyc' }, /unknown machine 'epyc'/],
    ['a base that is an Object.prototype member', { base: 'constructor' }, /unknown machine 'constructor'/],
    ['a __proto__ field', JSON.parse('{"__proto__": {"cores": 2}}') as object, /unknown field "__proto__"/],
    ['a clock so slow that seconds overflow', { ghz: 1e-320 }, /"ghz" must be from 0.001 to 1000; got 1e-320/],
    ['an L1 of 4 GiB (all the lines held in memory)', { l1: { sizeKiB: 4 * 1024 * 1024, ways: 8 } }, /at most 16777216 .* are allowed/],
    ['a cache of 2^32 KiB', { llc: { sizeKiB: 2 ** 32, ways: 1024 } }, /"llc.sizeKiB" must be a number from 0 to 1000000000/],
  ])('reject %s with a message naming it', (_what, json, message) => {
    expect(() => machineFromJSON(json, 'm.json')).toThrow(MachineSpecError);
    expect(() => machineFromJSON(json, 'm.json')).toThrow(message);
  });
});
