/**
 * What a model author imports — the student kit (`import { BaseModel, defineModel } from 'allocsim/kit'`).
 *
 * A model implements the contract (contract.ts) against the machine it is given through a Cpu per
 * call: `cpu.load`/`cpu.store` for its own metadata in simulated memory, `cpu.mmap`/`cpu.munmap` for
 * pages, `cpu.lock`/`cpu.unlock` for a lock, `machine.staticData()` for its globals. BaseModel gives
 * calloc and realloc in terms of malloc, free and usableSize. `sandbox(model)` tries it on a small
 * machine, for unit tests.
 */
import type { ModelInfo, ModelEnv, AllocatorModel } from './contract.ts';
import type { ParamSpec } from '../../lib/params.ts';

export type { AllocatorModel, HeapRegion, ModelDescription, ModelEnv, ModelInfo, SizeClass } from './contract.ts';
export { AllocatorAbort } from './contract.ts';
export { BaseModel } from './base-model.ts';
export { Sandbox, sandbox, type SandboxOptions } from './sandbox.ts';
export type { Cpu } from '../../machine/cpu.ts';
export type { Machine } from '../../machine/machine.ts';
export { ORIGIN_APP, ORIGIN_LINK, ORIGIN_META } from '../../machine/cache-hierarchy.ts';
export { LINE_SIZE, PAGE_SIZE } from '../../machine/sizes.ts';
export { ACQ_REL, ACQUIRE, RELAXED, RELEASE, SEQ_CST, type MemoryOrder } from '../../machine/memory-order.ts';
export { bool, num, str, type ParamSpec, type Params } from '../../lib/params.ts';

export interface ModelDefinition {
  name: string;
  summary?: string;
  params?: readonly ParamSpec[];
  doc?: string;
  create(env: ModelEnv): AllocatorModel;
}

/** A student model's ModelInfo: family 'student', no parameters unless declared. */
export function defineModel(def: ModelDefinition): ModelInfo {
  return {
    name: def.name,
    summary: def.summary ?? `student model ${def.name}`,
    family: 'student',
    params: def.params ?? [],
    ...(def.doc !== undefined ? { doc: def.doc } : {}),
    create: def.create,
  };
}
