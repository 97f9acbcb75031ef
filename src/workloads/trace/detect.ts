/** Picks a trace format by name, or recognises it from the first non-empty line. */
import { WorkloadInputError, type LineSource } from '../contract.ts';
import { androidFormat, looksAndroid } from './android.ts';
import { csappFormat } from './csapp.ts';
import { looksMtrace, mtraceFormat } from './mtrace.ts';
import type { TraceFormat } from './events.ts';
import { quoteExcerpt } from '../../sim/excerpt.ts';

export const TRACE_FORMATS: readonly TraceFormat[] = [csappFormat, androidFormat, mtraceFormat];

export function detectFormat(source: LineSource, requested: string): TraceFormat {
  const named = TRACE_FORMATS.find((f) => f.name === requested);
  if (named !== undefined) return named;
  const it = source.lines();
  let n = 0;
  try {
    for (let r = it.next(); r.done !== true; r = it.next()) {
      n++;
      const line = r.value.trim();
      if (line === '') continue;
      if (looksAndroid(line)) return androidFormat;
      if (looksMtrace(line)) return mtraceFormat;
      if (/^-?\d+(\s+-?\d+)*$/.test(line)) return csappFormat;
      throw new WorkloadInputError(
        source.name,
        n,
        `cannot tell the trace format from ${quoteExcerpt(line)}; give format=csapp, format=android or format=mtrace`,
      );
    }
  } finally {
    it.return?.();
  }
  throw new WorkloadInputError(source.name, n === 0 ? undefined : n, 'the trace is empty');
}
