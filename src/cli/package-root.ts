/** Where this allocsim checkout is: its package.json, templates/ and shipped data sit there. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ALLOCSIM_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
