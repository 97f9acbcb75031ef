/**
 * Errors caused by what the user gave (names, parameters, machine files, traces, model files,
 * shard files), as opposed to a failed run or a bug. The CLI reports them as one line with exit
 * status 2. A worker thread cannot rethrow them as themselves (their classes do not survive the
 * thread boundary), so it sends the message back and the pool rethrows it as an InputError.
 */
import { UnknownModelError } from '../allocators/registry.ts';
import { MachineSpecError } from '../machine/machine-spec.ts';
import { ParamError } from '../lib/params.ts';
import { WorkloadInputError } from '../workloads/contract.ts';
import { UnknownWorkloadError } from '../workloads/registry.ts';
import { ModelFileError } from './model-file.ts';
import { ShardError } from './shard.ts';

/** An input error rethrown in the CLI's thread after a worker reported it. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function isInputError(e: unknown): e is Error {
  return (
    e instanceof InputError ||
    e instanceof ParamError ||
    e instanceof UnknownModelError ||
    e instanceof UnknownWorkloadError ||
    e instanceof MachineSpecError ||
    e instanceof WorkloadInputError ||
    e instanceof ModelFileError ||
    e instanceof ShardError
  );
}
