/**
 * The machine presets: `default`, an 8-core laptop-class part, and `xeon72`, shaped like the
 * 72-vCPU Azure F72s v2 (3rd-generation Xeon Scalable) the BatchIt paper measured on.
 * docs/machine.md gives the source of every number.
 */
import { MachineSpecError, type MachineSpec } from './machine-spec.ts';

const DEFAULT: MachineSpec = {
  name: 'default',
  description: '8-core laptop-class part (Zen 3 "Cezanne"-like: 32 KiB L1d, 512 KiB L2, 16 MiB shared L3)',
  cores: 8,
  ghz: 3.0,
  l1: { sizeKiB: 32, ways: 8 },
  l2: { sizeKiB: 512, ways: 8 },
  llc: { sizeKiB: 16384, ways: 16 },
  core: { issueWidth: 4, loadsPerCycle: 3, storesPerCycle: 2, rob: 256, fillBuffers: 24, storeBuffer: 64, streamerDistance: 20 },
  costs: {
    l1Hit: 4,
    l2Hit: 12,
    llcHit: 46,
    dram: 270,
    c2cTransfer: 75,
    upgrade: 60,
    atomic: 18,
    fence: 33,
    pageFault: 2500,
    populatePerPage: 700,
    syscall: {
      mmap: 3000,
      munmap: 2500,
      mremap: 3000,
      madvise: 1500,
      mprotect: 2000,
      brk: 1500,
      mlock: 2000,
      futexWait: 2000,
      futexWake: 1500,
      getrandom: 800,
      schedYield: 600,
      other: 500,
    },
    unmapPerPage: 150,
    contextSwitch: 4000,
    wakeLatency: 6000,
    quantum: 3_000_000,
    spinBeforeSleep: 4000,
  },
};

const XEON72: MachineSpec = {
  name: 'xeon72',
  description:
    '72 vCPUs shaped like the Azure F72s v2 of the BatchIt paper (3rd-gen Xeon Scalable, Ice Lake-SP: ' +
    '48 KiB L1d, 1.25 MiB L2, 48 MiB shared L3, mesh interconnect); SMT siblings are modelled as separate cores',
  cores: 72,
  ghz: 2.8,
  l1: { sizeKiB: 48, ways: 12 },
  l2: { sizeKiB: 1280, ways: 20 },
  llc: { sizeKiB: 49152, ways: 12 },
  core: { issueWidth: 4, loadsPerCycle: 2, storesPerCycle: 2, rob: 352, fillBuffers: 12, storeBuffer: 72, streamerDistance: 20 },
  costs: {
    l1Hit: 5,
    l2Hit: 14,
    llcHit: 75,
    dram: 320,
    c2cTransfer: 150,
    upgrade: 120,
    atomic: 20,
    fence: 33,
    pageFault: 3500,
    populatePerPage: 800,
    syscall: {
      mmap: 4000,
      munmap: 3500,
      mremap: 4000,
      madvise: 2000,
      mprotect: 2500,
      brk: 2000,
      mlock: 2500,
      futexWait: 6000,
      futexWake: 4000,
      getrandom: 1000,
      schedYield: 1500,
      other: 700,
    },
    unmapPerPage: 200,
    contextSwitch: 6000,
    wakeLatency: 15000,
    quantum: 3_000_000,
    spinBeforeSleep: 4000,
  },
};

export const MACHINE_PRESETS: Readonly<Record<string, MachineSpec>> = { default: DEFAULT, xeon72: XEON72 };

/** A copy of a preset by name, or a clear error naming the presets. */
export function machinePreset(name: string): MachineSpec {
  // Own properties only: `constructor` or `__proto__` is not a preset.
  const p = Object.hasOwn(MACHINE_PRESETS, name) ? MACHINE_PRESETS[name] : undefined;
  if (p === undefined) {
    throw new MachineSpecError(`unknown machine '${name}'; choose one of ${Object.keys(MACHINE_PRESETS).join(', ')} or give a JSON file`);
  }
  return structuredClone(p);
}
