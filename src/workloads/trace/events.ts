/**
 * What the trace readers produce: one event per allocator call, in file order, with the line it
 * came from. Blocks are named by the trace's own key (a CS:APP id, or a pointer as written in an
 * Android or mtrace record), never by address arithmetic.
 */
import { WorkloadInputError } from '../contract.ts';
import { quoteExcerpt } from '../../sim/excerpt.ts';

export type TraceCall = 'malloc' | 'calloc' | 'memalign' | 'realloc' | 'free' | 'thread_done';

export interface TraceEvent {
  line: number;
  call: TraceCall;
  /** Thread id as recorded (0 for single-threaded formats). */
  tid: number;
  /** The block the call returns (malloc, calloc, memalign, realloc); '' when none. */
  id: string;
  /** The block the call releases (free, realloc); '' when none (free(NULL), realloc(NULL, n)). */
  oldId: string;
  /** Bytes requested (calloc: the element size). */
  size: number;
  /** calloc's element count; 1 otherwise. */
  nmemb: number;
  /** memalign's alignment; 0 otherwise. */
  align: number;
}

export interface TraceFormat {
  readonly name: 'csapp' | 'android' | 'mtrace';
  /** Whether events carry thread ids that must replay on separate threads. */
  readonly threaded: boolean;
  /** Parses lines into events; throws WorkloadInputError naming the line on malformed input. */
  events(lines: Iterator<string>, source: string): Generator<TraceEvent, void, undefined>;
}

export function event(line: number, call: TraceCall, fields: Partial<TraceEvent> = {}): TraceEvent {
  return { line, call, tid: 0, id: '', oldId: '', size: 0, nmemb: 1, align: 0, ...fields };
}

/** Reads lines with their 1-based numbers. */
export function* numbered(lines: Iterator<string>): Generator<[number, string], void, undefined> {
  let n = 0;
  for (let r = lines.next(); r.done !== true; r = lines.next()) yield [++n, r.value];
}

/** A non-negative decimal integer, or a line-numbered error naming `what`. */
export function decimal(text: string | undefined, source: string, line: number, what: string): number {
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new WorkloadInputError(source, line, `${what} must be a non-negative integer, got ${quoteExcerpt(text ?? '')}`);
  }
  const v = Number(text);
  if (!Number.isSafeInteger(v)) throw new WorkloadInputError(source, line, `${what} ${quoteExcerpt(text ?? '')} is too large`);
  return v;
}

/** A hexadecimal pointer (0x...), normalised as a key ('' for NULL), or a line-numbered error. */
export function pointer(text: string | undefined, source: string, line: number, what: string): string {
  if (text === '(nil)') return '';
  const m = text === undefined ? null : /^0x([0-9a-fA-F]+)$/.exec(text);
  if (m === null)
    throw new WorkloadInputError(source, line, `${what} must be a hexadecimal pointer like 0x7f12a0, got ${quoteExcerpt(text ?? '')}`);
  const digits = (m[1] as string).toLowerCase().replace(/^0+/, '');
  return digits;
}

/** A hexadecimal size (0x40), as mtrace writes sizes. */
export function hexSize(text: string | undefined, source: string, line: number, what: string): number {
  const m = text === undefined ? null : /^0x([0-9a-fA-F]+)$/.exec(text);
  if (m === null)
    throw new WorkloadInputError(source, line, `${what} must be a hexadecimal size like 0x40, got ${quoteExcerpt(text ?? '')}`);
  const v = parseInt(m[1] as string, 16);
  if (!Number.isSafeInteger(v)) throw new WorkloadInputError(source, line, `${what} ${quoteExcerpt(text ?? '')} is too large`);
  return v;
}
