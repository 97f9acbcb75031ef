/** Errors the CLI turns into a one-line message and exit code 2 (usage) instead of a stack trace. */
import { isInputError } from '../experiment/input-error.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;

/** Errors caused by what the user typed or gave us (names, parameters, files). */
export function isUsageError(e: unknown): e is Error {
  return e instanceof UsageError || isInputError(e);
}
