/**
 * The registry of allocator models by name. Models register themselves from src/allocators/index.ts;
 * kit/create-model.ts builds one for a simulated process.
 */
import { Registry } from '../lib/registry.ts';
import type { ModelInfo } from './kit/contract.ts';

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
