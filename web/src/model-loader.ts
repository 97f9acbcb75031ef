/**
 * A student's model file, in the browser: TypeScript to JavaScript with sucrase (it only strips
 * types and rewrites imports, keeping every line where it was, so an error's line number is the
 * editor's), then evaluated as a module whose one import is `allocsim/kit`. It runs in the model
 * worker only, which the page terminates at its time limit.
 */
import { transform } from 'sucrase';
import * as kit from '../../src/allocators/kit/kit.ts';
import type { ModelInfo } from '../../src/allocators/kit/contract.ts';
import { modelFromExports, ModelFileError } from '../../src/experiment/model-file.ts';

/** The file name errors and stack frames name. */
export const MODEL_FILE = 'allocator.ts';

export function loadModel(source: string): ModelInfo {
  let code: string;
  try {
    code = transform(source, { transforms: ['typescript', 'imports'], filePath: MODEL_FILE }).code;
  } catch (e) {
    // sucrase: "Unexpected token (12:4)"
    throw new ModelFileError(`${MODEL_FILE}: ${(e as Error).message}`);
  }
  const require = (name: string): unknown => {
    if (name === 'allocsim/kit') return kit;
    throw new ModelFileError(`${MODEL_FILE} imports '${name}'; in the playground a model can import only 'allocsim/kit'`);
  };
  const module: { exports: Record<string, unknown> } = { exports: {} };
  try {
    // The student's code, evaluated in the model worker (which the page terminates at its limit).
    new Function('require', 'exports', 'module', `${code}\n//# sourceURL=${MODEL_FILE}`)(require, module.exports, module);
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(`${MODEL_FILE}: loading it threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  return modelFromExports(MODEL_FILE, module.exports.default ?? module.exports.model);
}
