/**
 * Model names and model files: `-a freelist` names a registered model, `-a ./allocator.ts` (any
 * argument that contains a slash or ends in .ts/.mts/.js/.mjs) loads a student's model file at run
 * time (TypeScript through tsx, the loader the CLI already runs on).
 *
 * A model file exports its ModelInfo as the default export or as `model`, usually made with
 * `defineModel` from 'allocsim/kit'. `resolveModel` is what run, grade (and compare) use: it
 * refuses a file whose model breaks the contract, with the first problem in one line.
 * `loadModelFile` + `probeContract` is what `check` uses, to show every problem.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ModelFileError, modelFromExports } from '../experiment/model-file.ts';
import { pathToFileURL } from 'node:url';
import type { ModelInfo } from '../allocators/kit/contract.ts';
import { modelInfo } from '../allocators/index.ts';
import { contractOk, probeContract } from '../experiment/model-contract.ts';
import type { Message } from 'esbuild';
import { firstError } from '../experiment/isolation/bundle.ts';
import { UsageError } from './errors.ts';
import { importOutside } from '../experiment/outside-code.ts';

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** Does this allocator argument name a file rather than a registered model? */
export function isModelFile(arg: string): boolean {
  return arg.includes('/') || arg.includes('\\') || EXTENSIONS.some((e) => arg.endsWith(e));
}

/** Loads a model file (relative to the working directory) and returns its ModelInfo. */
export async function loadModelFile(file: string): Promise<ModelInfo> {
  const abs = resolve(file);
  if (!existsSync(abs))
    throw new UsageError(
      `cannot find model file ${file}; give a path to a .ts file exporting a model, or a model name (allocsim list allocators)`,
    );
  let mod: Record<string, unknown>;
  try {
    mod = await importOutside(pathToFileURL(abs).href);
  } catch (e) {
    // A syntax error comes from the TypeScript loader (esbuild) with its messages: name the place.
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) throw new UsageError(`${basename(file)}: ${firstError(errors as Message[])}`);
    // tsx's TransformError carries only the text: "Transform failed with 1 error:\n/abs/file.ts:44:10: ERROR: reason".
    // Its column counts from 0; the message counts from 1, as the isolated loader's does.
    const located = e instanceof Error ? /^(?:.*\/)?([^/\n]+):(\d+):(\d+): ERROR: (.*)$/m.exec(e.message) : null;
    if (located !== null) {
      const [, name, line, col, reason] = located as unknown as [string, string, string, string, string];
      throw new UsageError(`${basename(file)}: cannot load it: ${name}:${line}:${Number(col) + 1}: ${reason}`);
    }
    const msg = e instanceof Error ? (e.message.split('\n').find((l) => l.trim() !== '') ?? e.name) : String(e);
    throw new UsageError(`${basename(file)}: cannot load it: ${msg.trim()}`);
  }
  try {
    return modelFromExports(file, mod.default ?? mod.model);
  } catch (e) {
    if (e instanceof ModelFileError) throw new UsageError(e.message);
    throw e;
  }
}

/** A registered model by name, or a model file checked against the contract (the first problem is the error). */
export async function resolveModel(nameOrFile: string): Promise<ModelInfo> {
  if (!isModelFile(nameOrFile)) return modelInfo(nameOrFile);
  const info = await loadModelFile(nameOrFile);
  const checks = probeContract(info, nameOrFile);
  if (!contractOk(checks)) {
    const bad = checks.find((c) => !c.ok);
    throw new UsageError(`${basename(nameOrFile)} breaks the allocator contract: ${bad?.detail ?? ''} (see allocsim check ${nameOrFile})`);
  }
  return info;
}

/** Resolves a comma-separated list of names and files (for compare: `-a ./mine.ts,glibc`). */
export async function resolveModels(list: string): Promise<ModelInfo[]> {
  const out: ModelInfo[] = [];
  for (const item of list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''))
    out.push(await resolveModel(item));
  return out;
}
