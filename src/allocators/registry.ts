/**
 * The registry of allocator models by name. Models register themselves from src/allocators/index.ts;
 * `createModel` resolves parameters and builds one for a simulated process.
 */
import type { Machine } from '../machine/machine.ts';
import { Counters } from '../sim/counters.ts';
import { resolveParams, type ParamValue } from '../sim/params.ts';
import type { AllocatorModel, ModelInfo } from './contract.ts';

const models = new Map<string, ModelInfo>();

export class UnknownModelError extends Error {
  constructor(name: string) {
    super(`unknown allocator '${name}'; valid allocators: ${[...models.keys()].join(', ')}`);
    this.name = 'UnknownModelError';
  }
}

export function registerModel(info: ModelInfo): void {
  if (models.has(info.name)) throw new Error(`allocator '${info.name}' is registered twice`);
  models.set(info.name, info);
}

export function modelNames(): string[] {
  return [...models.keys()];
}

export function allModels(): ModelInfo[] {
  return [...models.values()];
}

export function hasModel(name: string): boolean {
  return models.has(name);
}

export function modelInfo(name: string): ModelInfo {
  const m = models.get(name);
  if (m === undefined) throw new UnknownModelError(name);
  return m;
}

export function createModel(
  info: ModelInfo,
  machine: Machine,
  overrides: Readonly<Record<string, ParamValue>> = {},
  seed = 1,
): AllocatorModel {
  const params = resolveParams(`allocator ${info.name}`, info.params, overrides);
  return info.create({ machine, params, counters: new Counters(), seed });
}
