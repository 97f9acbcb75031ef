/**
 * Output files written all-or-nothing: every path is checked before any run starts, and after
 * the runs every file is written to a temporary name beside it and renamed into place, so a failed
 * command leaves no half-written report behind.
 */
import { accessSync, constants, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.ts';

export interface OutputFile {
  /** The option that named the file, for messages (`--svg`). */
  option: string;
  path: string;
  content: string;
}

/** Fails (as a usage error) unless `path` can be created or replaced. */
export function checkWritable(option: string, path: string): void {
  if (path.trim() === '') throw new UsageError(`${option} needs a file path`);
  const abs = resolve(path);
  let exists = false;
  try {
    const st = statSync(abs);
    exists = true;
    if (st.isDirectory()) throw new UsageError(`${option} ${path} is a directory; give a file path`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
  const dir = dirname(abs);
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
    if (exists) accessSync(abs, constants.W_OK);
  } catch {
    throw new UsageError(
      `cannot write ${option} ${path}: ${exists ? 'the file is not writable' : `directory ${dir} does not exist or is not writable`}`,
    );
  }
}

/** An existing path that is not a regular file (a device such as /dev/null or /dev/stdout, a FIFO). */
function isSpecial(abs: string): boolean {
  try {
    return !statSync(abs).isFile();
  } catch {
    return false;
  }
}

/**
 * Writes every file, or none of them (temporary file + rename). A device or FIFO is written in
 * place (renaming over it would replace the device itself) after every regular file is staged and
 * before any is renamed into place, so a device that fails (/dev/full) leaves no file behind.
 */
export function writeFilesAtomically(files: readonly OutputFile[]): void {
  const staged: Array<[string, string]> = [];
  const direct: OutputFile[] = [];
  let current: OutputFile | undefined;
  try {
    for (const f of files) {
      current = f;
      const abs = resolve(f.path);
      if (isSpecial(abs)) {
        direct.push(f);
        continue;
      }
      const tmp = `${abs}.${process.pid}.tmp`;
      writeFileSync(tmp, f.content);
      staged.push([tmp, abs]);
    }
    for (const f of direct) {
      current = f;
      writeFileSync(resolve(f.path), f.content);
    }
    for (const [tmp, abs] of staged) renameSync(tmp, abs);
  } catch (e) {
    for (const [tmp] of staged) {
      try {
        unlinkSync(tmp);
      } catch {
        // already renamed or never written
      }
    }
    throw new UsageError(`cannot write ${current?.option ?? 'output'} ${current?.path ?? ''}: ${(e as Error).message}`);
  }
}
