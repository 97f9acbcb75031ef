/**
 * Trace files as line sources for the simulator (used by the CLI and the parallel runner; the
 * simulator core never opens files): read synchronously in 1 MiB chunks, so a
 * multi-gigabyte trace streams through in constant memory (the simulator's threads are
 * synchronous generators, so the reader must be synchronous too). A line longer than
 * MAX_LINE_CHARS is an input error, so neither a huge line nor a file without newlines
 * (/dev/zero) can exhaust memory.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { WorkloadInputError, type LineSource } from '../workloads/contract.ts';

const CHUNK = 1 << 20;

/** The longest line a trace may have, in characters: no trace format needs more than a few dozen. */
export const MAX_LINE_CHARS = 64 * 1024;

function tooLong(path: string, line: number): WorkloadInputError {
  return new WorkloadInputError(
    path,
    line,
    `the line is longer than ${MAX_LINE_CHARS} characters (is this a trace file?); trace lines hold one operation each`,
  );
}

function ioError(path: string, e: unknown): WorkloadInputError {
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  return new WorkloadInputError(path, undefined, `cannot read the file (${code}); give the path of a readable trace file`);
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function* readLines(path: string): Generator<string, void, undefined> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let lineNo = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK, null);
      } catch (e) {
        throw ioError(path, e);
      }
      if (n === 0) break;
      const parts = (rest + decoder.write(buf.subarray(0, n))).split('\n');
      rest = parts.pop() as string;
      for (const line of parts) {
        lineNo++;
        if (line.length > MAX_LINE_CHARS) throw tooLong(path, lineNo);
        yield stripCr(line);
      }
      // A file without newlines (a binary file, /dev/zero) must not pile up in memory.
      if (rest.length > MAX_LINE_CHARS) throw tooLong(path, lineNo + 1);
    }
    rest += decoder.end();
    if (rest !== '') yield stripCr(rest);
  } finally {
    closeSync(fd);
  }
}

/** A LineSource over a file; each pass reopens it. */
export function fileLineSource(path: string): LineSource {
  return { name: path, lines: () => readLines(path) };
}
