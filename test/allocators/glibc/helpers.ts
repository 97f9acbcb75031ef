/** Builds a glibc model on a fresh machine, with `threads` started threads, for the glibc tests. */
import { createModel, modelInfo, type AllocatorModel } from '../../../src/allocators/index.ts';
import type { Cpu } from '../../../src/machine/cpu.ts';
import { Machine } from '../../../src/machine/machine.ts';
import { machinePreset } from '../../../src/machine/presets.ts';
import { type MachineSpec } from '../../../src/machine/machine-spec.ts';
import type { ParamValue } from '../../../src/lib/params.ts';

export interface GlibcRig {
  machine: Machine;
  model: AllocatorModel;
  cpus: Cpu[];
}

export function glibcRig(params: Record<string, ParamValue> = {}, threads = 1, cores?: number): GlibcRig {
  const base = machinePreset('default');
  const spec: MachineSpec = cores === undefined ? base : { ...base, cores };
  const machine = new Machine(spec, { seed: 1 });
  const model = createModel(modelInfo('glibc'), machine, params);
  const cpus = Array.from({ length: threads }, (_, t) => machine.cpu(t, t % spec.cores));
  for (const c of cpus) model.threadStart?.(c);
  return { machine, model, cpus };
}

/** malloc `n` blocks of `size` bytes and write each one whole (so its pages are resident). */
export function fill(rig: GlibcRig, cpu: Cpu, n: number, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = rig.model.malloc(cpu, size);
    cpu.touch(p, size, true);
    out.push(p);
  }
  return out;
}

/** The 64 MiB-aligned heap a non-main-arena chunk lives in (arena.c heap_for_ptr). */
export const heapOf = (p: number): number => Math.floor(p / (64 * 1024 * 1024));
