/** Where this allocsim checkout is: its package.json, templates/ and shipped data sit there. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ALLOCSIM_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** This checkout's version (package.json), for `allocsim --version`. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ALLOCSIM_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
