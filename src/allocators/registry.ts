/**
 * The registry of allocator models by name. Models register themselves from src/allocators/index.ts;
 * `createModel` resolves parameters and builds one for a simulated process.
 */
import type { Machine } from '../machine/machine.ts';
import { Counters } from './kit/model-counters.ts';
import { resolveParams, type ParamValue } from '../lib/params.ts';
import { Registry } from '../lib/registry.ts';
import type { AllocatorModel, ModelInfo } from './kit/contract.ts';

export class UnknownModelError extends Error {
  constructor(name: string) {
    super(`unknown allocator '${name}'; valid allocators: ${models.names().join(', ')}`);
    this.name = 'UnknownModelError';
  }
}

const models = new Registry<ModelInfo>('allocator', (name) => new UnknownModelError(name));

export function registerModel(info: ModelInfo): void {
  models.register(info);
}

export function modelNames(): string[] {
  return models.names();
}

export function allModels(): ModelInfo[] {
  return models.all();
}

export function hasModel(name: string): boolean {
  return models.has(name);
}

export function modelInfo(name: string): ModelInfo {
  return models.get(name);
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
