/**
 * Test helpers for the mimalloc model: a Cpu that records which cache lines an operation touches,
 * and a small harness (machine + model + threads).
 */
import { createModel, modelInfo } from '../../../src/allocators/index.ts';
import type { Mimalloc } from '../../../src/allocators/mimalloc/mimalloc.ts';
import { A_CAS, A_TOTAL, Cpu, Machine, machinePreset, type AccessSize } from '../../../src/machine/index.ts';
import type { ParamValue } from '../../../src/sim/params.ts';
import { Rng } from '../../../src/sim/rng.ts';

export const line = (addr: number): number => Math.floor(addr / 64);

/** A Cpu that records the lines it reads, writes and runs atomics on while `tracing`. */
export class TracingCpu extends Cpu {
  tracing = false;
  readonly read = new Set<number>();
  readonly written = new Set<number>();

  private note(addr: number, size: number, write: boolean): void {
    if (!this.tracing) return;
    for (let l = line(addr); l <= line(addr + Math.max(1, size) - 1); l++) (write ? this.written : this.read).add(l);
  }

  override load(addr: number, size: AccessSize = 8, origin?: number): number {
    this.note(addr, size, false);
    return super.load(addr, size, origin);
  }
  override store(addr: number, value: number, size: AccessSize = 8, origin?: number): void {
    this.note(addr, size, true);
    super.store(addr, value, size, origin);
  }
  override load64(addr: number, origin?: number): number {
    this.note(addr, 8, false);
    return super.load64(addr, origin);
  }
  override store64(addr: number, lo: number, hi: number, origin?: number): void {
    this.note(addr, 8, true);
    super.store64(addr, lo, hi, origin);
  }
  override cas(addr: number, expected: number, desired: number, size: AccessSize = 8, origin?: number): boolean {
    this.note(addr, size, true);
    return super.cas(addr, expected, desired, size, origin);
  }
  override exchange(addr: number, value: number, size: AccessSize = 8, origin?: number): number {
    this.note(addr, size, true);
    return super.exchange(addr, value, size, origin);
  }
  override fetchAdd(addr: number, delta: number, size: AccessSize = 8, origin?: number): number {
    this.note(addr, size, true);
    return super.fetchAdd(addr, delta, size, origin);
  }
  override touch(addr: number, len: number, write: boolean, origin?: number): void {
    this.note(addr, len, write);
    super.touch(addr, len, write, origin);
  }

  /** Every line touched. */
  get lines(): number[] {
    return [...new Set([...this.read, ...this.written])].sort((a, b) => a - b);
  }

  start(): void {
    this.read.clear();
    this.written.clear();
    this.tracing = true;
  }
}

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
export function traced(machine: Machine, cpu: TracingCpu, fn: () => void): { lines: number[]; read: number[]; written: number[]; atomics: number; cas: number } {
  for (const c of cpusOf.get(machine) ?? []) cpu.now = Math.max(cpu.now, c.now);
  const a0 = machine.atomics[A_TOTAL] as number;
  const c0 = machine.atomics[A_CAS] as number;
  cpu.start();
  fn();
  cpu.tracing = false;
  return {
    lines: cpu.lines,
    read: [...cpu.read].sort((a, b) => a - b),
    written: [...cpu.written].sort((a, b) => a - b),
    atomics: (machine.atomics[A_TOTAL] as number) - a0,
    cas: (machine.atomics[A_CAS] as number) - c0,
  };
}

export function sorted(xs: Iterable<number>): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}
