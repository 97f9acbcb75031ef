/** Shared helpers of the coursework tests: run the CLI in-process, write model files to a temp dir. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { cli as allocsim, hasTool } from '../cli/helpers.ts';

export const REPO = join(import.meta.dirname, '..', '..');

export function tempDir(prefix = 'allocsim-cw-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function templateSource(template: string): string {
  return readFileSync(join(REPO, 'templates', template, 'allocator.ts'), 'utf8');
}

/** Writes a variant of a template (each `[from, to]` replaced once, and required to match) and returns its path. */
export function mutant(template: string, name: string, edits: Array<[string, string]>): string {
  let src = templateSource(template);
  for (const [from, to] of edits) {
    if (!src.includes(from)) throw new Error(`mutant ${name}: '${from}' is not in the ${template} template`);
    src = src.replace(from, to);
  }
  const file = join(tempDir(), `${name}.ts`);
  writeFileSync(file, src);
  return file;
}
