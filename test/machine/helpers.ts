import { Machine, machinePreset, type MachineSpec } from '../../src/machine/index.ts';

/** A small machine for tests: tiny caches so capacity effects show quickly. */
export function tinySpec(cores = 4): MachineSpec {
  const spec = machinePreset('default');
  spec.cores = cores;
  spec.l1 = { sizeKiB: 1, ways: 2 }; // 8 sets
  spec.l2 = { sizeKiB: 4, ways: 4 }; // 16 sets
  spec.llc = { sizeKiB: 16, ways: 4 }; // 64 sets
  return spec;
}

export function tinyMachine(cores = 4, streamer = true): Machine {
  const spec = tinySpec(cores);
  if (!streamer) spec.core.streamerDistance = 0;
  return new Machine(spec, { seed: 1 });
}
