/** Errors the CLI turns into a one-line message and exit code 2 (usage) instead of a stack trace. */
import { UnknownModelError } from '../allocators/registry.ts';
import { ShardError } from '../experiment/shard.ts';
import { MachineSpecError } from '../machine/costs.ts';
import { ParamError } from '../sim/params.ts';
import { ModelFileError } from '../experiment/model-file.ts';
import { UnknownWorkloadError } from '../workloads/registry.ts';
import { WorkloadInputError } from '../workloads/contract.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A model file failed in a way that ends the command (a limit while loading it): one line, exit 1. */
export class RunFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFailure';
  }
}

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;

/** Errors caused by what the user typed or gave us (names, parameters, files). */
export function isUsageError(e: unknown): e is Error {
  return (
    e instanceof UsageError || e instanceof ParamError || e instanceof UnknownModelError ||
    e instanceof UnknownWorkloadError || e instanceof MachineSpecError || e instanceof ShardError ||
    e instanceof ModelFileError || e instanceof WorkloadInputError
  );
}
