/**
 * Android bionic malloc_debug `record_allocs` dumps (libc/malloc_debug/README.md; the format AOSP's
 * memory_replay reads). One record per line, starting with the thread id:
 *   TID: malloc PTR SIZE            TID: free PTR
 *   TID: calloc PTR NMEMB SIZE      TID: realloc NEW OLD SIZE
 *   TID: memalign PTR ALIGN SIZE    TID: thread_done 0x0
 * Newer releases append START_NS END_NS (thread_done: END_NS); they are accepted and ignored.
 * realloc with OLD 0x0 is a malloc; with SIZE 0 and NEW 0x0 a free; a NULL result of malloc is a
 * failed call and changes nothing.
 */
import { WorkloadInputError } from '../contract.ts';
import { decimal, event, numbered, pointer, type TraceEvent, type TraceFormat } from './events.ts';
import { quoteExcerpt } from '../../sim/excerpt.ts';

/** Fields after `TID: op PTR` for each operation (besides optional timestamps). */
const ARGS: Record<string, number> = { malloc: 1, free: 0, calloc: 2, realloc: 2, memalign: 2, thread_done: 0 };

export function looksAndroid(line: string): boolean {
  return /^\s*\d+:\s+(malloc|free|calloc|realloc|memalign|thread_done)\b/.test(line);
}

export const androidFormat: TraceFormat = {
  name: 'android',
  threaded: true,
  *events(lines, source) {
    for (const [n, raw] of numbered(lines)) {
      const text = raw.trim();
      if (text === '') continue;
      yield parseRecord(text, n, source);
    }
  },
};

function parseRecord(text: string, n: number, source: string): TraceEvent {
  const t = text.split(/\s+/);
  const head = /^(\d+):$/.exec(t[0] ?? '');
  if (head === null)
    throw new WorkloadInputError(source, n, `expected 'TID: operation ...' (a record_allocs line), got ${quoteExcerpt(text)}`);
  const tid = decimal(head[1], source, n, 'the thread id');
  const op = t[1] ?? '';
  const nargs = ARGS[op];
  if (nargs === undefined) {
    throw new WorkloadInputError(
      source,
      n,
      `unknown operation ${quoteExcerpt(op)}: record_allocs lines are malloc, free, calloc, realloc, memalign or thread_done`,
    );
  }
  const stamps = op === 'thread_done' ? [0, 1] : [0, 2];
  const extra = t.length - 3 - nargs;
  if (!stamps.includes(extra)) {
    throw new WorkloadInputError(
      source,
      n,
      `${quoteExcerpt(op)} takes ${nargs} field${nargs === 1 ? '' : 's'} after the pointer (plus optional timestamps), got ${quoteExcerpt(text)}`,
    );
  }
  for (let k = 3 + nargs; k < t.length; k++) decimal(t[k], source, n, 'a timestamp');
  const ptr = pointer(t[2], source, n, 'the pointer');
  const arg = (k: number, what: string): number => decimal(t[3 + k], source, n, what);
  switch (op) {
    case 'malloc':
      return event(n, 'malloc', { tid, id: ptr, size: arg(0, 'the size') });
    case 'free':
      return event(n, 'free', { tid, oldId: ptr });
    case 'calloc':
      return event(n, 'calloc', { tid, id: ptr, nmemb: arg(0, 'the element count'), size: arg(1, 'the element size') });
    case 'memalign':
      return event(n, 'memalign', { tid, id: ptr, align: arg(0, 'the alignment'), size: arg(1, 'the size') });
    case 'realloc': {
      const old = pointer(t[3], source, n, 'the old pointer');
      return event(n, 'realloc', { tid, id: ptr, oldId: old, size: arg(1, 'the size') });
    }
    default:
      return event(n, 'thread_done', { tid });
  }
}
