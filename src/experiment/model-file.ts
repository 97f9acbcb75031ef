/**
 * What a student model file exports, turned into a ModelInfo the same way everywhere: in the CLI
 * process and in every worker thread of a parallel grid (so `compare -a ./mine.ts,glibc --jobs 2`
 * runs the same model in each worker). A file exports its ModelInfo as `default` or as `model`.
 */
import type { ModelInfo } from '../allocators/kit/contract.ts';
import { hasModel, registerModel } from '../allocators/registry.ts';
import { importOutside } from './outside-code.ts';

export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

/** The last path component of a file path or file URL. */
function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** Validates the shape of a model file's export and returns it as a student ModelInfo. */
export function modelFromExports(file: string, exported: unknown): ModelInfo {
  const name = baseName(file);
  if (typeof exported === 'function') {
    throw new ModelFileError(
      `${name}: the default export is a function or class; export a ModelInfo instead: export default defineModel({ name, create: (env) => new MyModel(env) })`,
    );
  }
  if (exported === null || typeof exported !== 'object') {
    throw new ModelFileError(
      `${name}: no model exported; add: export default defineModel({ name: 'mine', create: (env) => new MyModel(env) }) (defineModel is in 'allocsim/kit')`,
    );
  }
  const e = exported as Partial<ModelInfo>;
  if (typeof e.create !== 'function')
    throw new ModelFileError(`${name}: the exported model has no create(env) function returning the model object`);
  if (e.params !== undefined && !Array.isArray(e.params))
    throw new ModelFileError(`${name}: the exported model's params must be an array of parameter specs`);
  const modelName = typeof e.name === 'string' && e.name !== '' ? e.name : name.replace(/\.[mc]?[tj]s$/, '');
  return {
    name: modelName,
    summary: typeof e.summary === 'string' ? e.summary : `student model from ${name}`,
    family: 'student',
    params: e.params ?? [],
    ...(typeof e.doc === 'string' ? { doc: e.doc } : {}),
    create: e.create.bind(e),
  };
}

/** Registers a student model under its name unless that name is already taken by the same file. */
export function registerModelFile(info: ModelInfo): void {
  if (!hasModel(info.name)) registerModel(info);
}

/** Imports a model file by URL (a worker's view) and registers it. */
export async function importModelFile(url: string): Promise<ModelInfo> {
  const mod = await importOutside(url);
  const info = modelFromExports(url, mod.default ?? mod.model);
  registerModelFile(info);
  return info;
}
