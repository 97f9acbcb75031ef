/**
 * Test helpers for the mimalloc model: a harness (machine + model + threads) and `traced`, which
 * runs an operation on a recording Cpu and returns the lines it read and wrote and its atomics.
 */
import { createModel, modelInfo } from '../../../src/allocators/index.ts';
import type { Mimalloc } from '../../../src/allocators/mimalloc/mimalloc.ts';
import { A_CAS, A_TOTAL, Machine, machinePreset } from '../../../src/machine/index.ts';
import { RecordingCpu } from '../snmalloc/helpers.ts';
import type { ParamValue } from '../../../src/lib/params.ts';
import { Rng } from '../../../src/sim/rng.ts';

export const line = (addr: number): number => Math.floor(addr / 64);

/** The snmalloc tests' recording Cpu (every line touched, with writes and RMWs marked), shared here. */
export class TracingCpu extends RecordingCpu {}

const cpusOf = new WeakMap<Machine, TracingCpu[]>();

export interface Harness {
  machine: Machine;
  model: Mimalloc;
  cpus: TracingCpu[];
}

export function harness(name = 'mimalloc', params: Record<string, ParamValue> = {}, threads = 2): Harness {
  const machine = new Machine(machinePreset('default'), { seed: 1 });
  const model = createModel(modelInfo(name), machine, params) as Mimalloc;
  const cpus = Array.from({ length: threads }, (_, t) => new TracingCpu(machine, t, t, Rng.stream(1, (1 << 20) + t)));
  cpusOf.set(machine, cpus);
  return { machine, model, cpus };
}

/**
 * Runs `fn` traced; returns the lines touched and the atomics executed. The clocks of all the
 * machine's tracing cpus are first brought to the latest, as the kernel would order the operations.
 */
export function traced(
  machine: Machine,
  cpu: TracingCpu,
  fn: () => void,
): { lines: number[]; read: number[]; written: number[]; atomics: number; cas: number } {
  for (const c of cpusOf.get(machine) ?? []) cpu.now = Math.max(cpu.now, c.now);
  const a0 = machine.atomics[A_TOTAL] as number;
  const c0 = machine.atomics[A_CAS] as number;
  const { log } = cpu.trace(fn);
  return {
    lines: sorted(log.map((a) => a.line)),
    read: sorted(log.filter((a) => !a.write).map((a) => a.line)),
    written: sorted(log.filter((a) => a.write).map((a) => a.line)),
    atomics: (machine.atomics[A_TOTAL] as number) - a0,
    cas: (machine.atomics[A_CAS] as number) - c0,
  };
}

export function sorted(xs: Iterable<number>): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}
