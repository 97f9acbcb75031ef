/**
 * glibc mtrace logs (MALLOC_TRACE=file with mtrace(); glibc malloc/mtrace-impl.c, and on glibc
 * 2.34+ the program preloads libc_malloc_debug.so). Lines, each optionally prefixed by the caller
 * as `@ WHERE `:
 *   + 0xPTR 0xSIZE        malloc, calloc and memalign (calloc logs nmemb × size)
 *   - 0xPTR               free (realloc to size 0 logs a free too)
 *   < 0xOLD  then  > 0xNEW 0xSIZE      realloc, on two lines
 *   ! 0xPTR 0xSIZE        a failed realloc (nothing changes)
 * `= Start` and `= End` bracket the log. One stream, no thread ids.
 */
import { WorkloadInputError } from '../contract.ts';
import { event, hexSize, numbered, pointer, type TraceFormat } from './events.ts';
import { quoteExcerpt } from '../../sim/excerpt.ts';

export function looksMtrace(line: string): boolean {
  return /^(= Start|= End|@ \S+ [-+<>!] |[-+<>!] (0x|\(nil\)))/.test(line.trim());
}

export const mtraceFormat: TraceFormat = {
  name: 'mtrace',
  threaded: false,
  *events(lines, source) {
    let pendingOld: { id: string; line: number } | null = null;
    let last = 0;
    for (const [n, raw] of numbered(lines)) {
      last = n;
      const text = raw.trim();
      if (text === '' || text === '= Start' || text === '= End') continue;
      let t = text.split(/\s+/);
      if (t[0] === '@') t = t.slice(2);
      const op = t[0] ?? '';
      if (pendingOld !== null && op !== '>') {
        throw new WorkloadInputError(
          source,
          n,
          `realloc's '<' line (line ${pendingOld.line}) must be followed by its '>' line, got ${quoteExcerpt(text)}`,
        );
      }
      const arity = (k: number): void => {
        if (t.length !== k)
          throw new WorkloadInputError(
            source,
            n,
            `${quoteExcerpt(op)} takes ${k - 1} field${k === 2 ? '' : 's'}, got ${quoteExcerpt(text)}`,
          );
      };
      switch (op) {
        case '+':
          arity(3);
          yield event(n, 'malloc', { id: pointer(t[1], source, n, 'the pointer'), size: hexSize(t[2], source, n, 'the size') });
          break;
        case '-':
          arity(2);
          yield event(n, 'free', { oldId: pointer(t[1], source, n, 'the pointer') });
          break;
        case '<':
          arity(2);
          pendingOld = { id: pointer(t[1], source, n, 'the old pointer'), line: n };
          break;
        case '>':
          arity(3);
          if (pendingOld === null) throw new WorkloadInputError(source, n, "a realloc's '>' line must follow its '<' line");
          yield event(n, 'realloc', {
            id: pointer(t[1], source, n, 'the new pointer'),
            oldId: pendingOld.id,
            size: hexSize(t[2], source, n, 'the size'),
          });
          pendingOld = null;
          break;
        case '!':
          arity(3);
          pointer(t[1], source, n, 'the pointer');
          hexSize(t[2], source, n, 'the size');
          break;
        default:
          throw new WorkloadInputError(
            source,
            n,
            `unknown operation ${quoteExcerpt(op)}: mtrace lines are + (alloc), - (free), < and > (realloc), ! (failed realloc)`,
          );
      }
    }
    if (pendingOld !== null)
      throw new WorkloadInputError(source, last, `truncated: realloc's '<' line (line ${pendingOld.line}) has no '>' line`);
  },
};
