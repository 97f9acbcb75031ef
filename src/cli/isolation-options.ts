/**
 * How the commands run a model file: isolated (its own process and realm, with limits; see
 * src/experiment/isolation/) unless `--trust` says it is the teacher's own code, which then runs
 * in-process as the built-in models do. `--timeout` (per model call), `--run-timeout` (per run,
 * property or workload) and `--max-memory` set the limits.
 */
import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { IsolatedModel, ModelLoadError } from '../experiment/isolation/isolated-model.ts';
import { DEFAULT_LIMITS, type Limits } from '../experiment/isolation/model-host.ts';
import { contractOk } from '../experiment/model-contract.ts';
import { RunFailure, UsageError } from './errors.ts';

export function isolationOptions<T>(b: Argv<T>): Argv<T> {
  return b
    .option('trust', {
      type: 'boolean',
      default: false,
      describe: 'run a model file in this process, without isolation or limits (only for code you trust)',
    })
    .option('timeout', { type: 'string', describe: `seconds a model call may take (default ${DEFAULT_LIMITS.callSeconds})` })
    .option('run-timeout', {
      type: 'string',
      describe: `seconds a run, property or workload of a model file may take (default ${DEFAULT_LIMITS.runSeconds})`,
    })
    .option('max-memory', {
      type: 'string',
      describe: `MiB of JavaScript heap a model file may use (default ${DEFAULT_LIMITS.memoryMiB})`,
    });
}

function positive(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got '${String(v)}'`);
  return n;
}

export function limitsOf(args: Record<string, unknown>): Limits {
  return {
    callSeconds: positive('timeout', args.timeout, DEFAULT_LIMITS.callSeconds),
    runSeconds: positive('run-timeout', args['run-timeout'], DEFAULT_LIMITS.runSeconds),
    memoryMiB: Math.max(16, Math.round(positive('max-memory', args['max-memory'], DEFAULT_LIMITS.memoryMiB))),
  };
}

/** True when model files run isolated (the default). */
export function isolated(args: Record<string, unknown>): boolean {
  return args.trust !== true;
}

/**
 * Loads a model file isolated and probes its contract. A file that is not a loadable model is a
 * usage error (exit 2); one that hits a limit while loading fails the command (exit 1); with
 * `requireContract`, so does a model that breaks the contract.
 */
export async function loadIsolated(
  file: string,
  args: Record<string, unknown>,
  readable: readonly string[] = [],
  requireContract = true,
): Promise<IsolatedModel> {
  const limits = limitsOf(args);
  const base = file.split(/[\\/]/).pop() ?? file;
  if (!existsSync(file))
    throw new UsageError(
      `cannot find model file ${file}; give a path to a .ts file exporting a model, or a model name (allocsim list allocators)`,
    );
  let m: IsolatedModel;
  try {
    m = await IsolatedModel.load(file, limits, readable);
  } catch (e) {
    if (e instanceof ModelLoadError) throw e.usage ? new UsageError(e.message) : new RunFailure(e.message);
    throw e;
  }
  if (requireContract && !contractOk(m.contract)) {
    m.close();
    const bad = m.contract.find((c) => !c.ok);
    throw new UsageError(`${base} breaks the allocator contract: ${bad?.detail ?? ''} (see allocsim check ${file})`);
  }
  return m;
}
