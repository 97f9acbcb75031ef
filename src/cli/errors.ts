/** Errors the CLI turns into a one-line message and exit code 2 (usage) instead of a stack trace. */
import { isInputError } from '../experiment/input-error.ts';

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

export { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';

/** Errors caused by what the user typed or gave us (names, parameters, files). */
export function isUsageError(e: unknown): e is Error {
  return e instanceof UsageError || isInputError(e);
}
