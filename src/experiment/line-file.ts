/**
 * Trace files as line sources for the simulator (used by the CLI and the parallel runner; the
 * simulator core never opens files): read synchronously in 1 MiB chunks, so a
 * multi-gigabyte trace streams through in constant memory (the simulator's threads are
 * synchronous generators, so the reader must be synchronous too).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { WorkloadInputError, type LineSource } from '../workloads/contract.ts';

const CHUNK = 1 << 20;

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
      for (const line of parts) yield stripCr(line);
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
