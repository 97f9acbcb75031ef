/** A machine, a registered model and started threads (one per core), for tests that drive a model directly. */
import { createModel, modelInfo, type AllocatorModel } from '../../src/allocators/index.ts';
import { Machine, machinePreset, type Cpu } from '../../src/machine/index.ts';

export function setupModel(name: string, threads: number): { machine: Machine; model: AllocatorModel; cpus: Cpu[] } {
  const machine = new Machine(machinePreset('default'));
  const model = createModel(modelInfo(name), machine);
  const cpus = Array.from({ length: threads }, (_, t) => machine.cpu(t, t));
  for (const c of cpus) model.threadStart?.(c);
  return { machine, model, cpus };
}
