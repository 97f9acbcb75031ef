/** Shared helpers of the coursework tests: run the CLI in-process, write model files to a temp dir. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';

export const REPO = join(import.meta.dirname, '..', '..');

export async function allocsim(args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => { out += t; }, err: (t) => { err += t; }, exitCode: 0 };
  const code = await main(args, io);
  return { out, err, code };
}

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
