/**
 * A test rig for one allocator model: a default machine, the model built through the registry,
 * a Driver with the invariant checker on, and one Cpu per thread. Operations go through the
 * driver, so every test is also checked against the invariants.
 */
import { expect } from 'vitest';
import { createModel, modelInfo, type AllocatorModel } from '../../src/allocators/index.ts';
import { ALLOCATOR_OPERATION } from '../../src/allocators/kit/operations.ts';
import { Driver } from '../../src/experiment/driver.ts';
import type { Cpu } from '../../src/machine/cpu.ts';
import { Machine } from '../../src/machine/machine.ts';
import { machinePreset } from '../../src/machine/presets.ts';
import { QuietCpu } from '../../src/machine/quiet-cpu.ts';
import type { ParamValue } from '../../src/lib/params.ts';

export interface Rig<M extends AllocatorModel> {
  machine: Machine;
  model: M;
  driver: Driver;
  cpus: Cpu[];
  /** A cost-free view of memory, for inspecting model state. */
  quiet: Cpu;
  malloc(size: number, thread?: number, align?: number): number;
  free(ptr: number, thread?: number): void;
  /** A model counter. */
  counter(name: string): number;
  /** No invariant violation so far. */
  assertClean(): void;
}

export function rig<M extends AllocatorModel>(name: string, params: Record<string, ParamValue> = {}, threads = 1): Rig<M> {
  const machine = new Machine(machinePreset('default'), { seed: 1 });
  const model = createModel(modelInfo(name), machine, params) as M;
  const driver = new Driver(machine, model, true, name);
  const cpus = Array.from({ length: threads }, (_, t) => machine.cpu(t, t));
  for (const c of cpus) driver.threadStart(c);
  const cpu = (t: number): Cpu => cpus[t] as Cpu;
  return {
    machine,
    model,
    driver,
    cpus,
    quiet: new QuietCpu(machine, 0, 0),
    malloc: (size, thread = 0, align = 16) => driver.call(ALLOCATOR_OPERATION.malloc, cpu(thread), size, align),
    free: (ptr, thread = 0) => driver.call(ALLOCATOR_OPERATION.free, cpu(thread), ptr),
    counter: (c) => model.counters.get(c),
    assertClean: () => expect(driver.checker?.violations ?? []).toEqual([]),
  };
}
