/**
 * Texts held in memory as line sources (the browser has no files: the playground fetches the
 * traces and hands them over), split into lines exactly as the file reader (line-file.ts) splits
 * a file: at '\n', a trailing '\r' dropped, a last line without a terminator kept.
 */
import { WorkloadInputError, type LineSourceProvider } from '../workloads/contract.ts';

export function textLineSources(texts: Readonly<Record<string, string>>): LineSourceProvider {
  return (name) => {
    const text = Object.hasOwn(texts, name) ? texts[name] : undefined;
    if (text === undefined)
      throw new WorkloadInputError(name, undefined, 'no such input here; the playground has only the traces it ships');
    return {
      name,
      lines: function* () {
        const parts = text.split('\n');
        const last = parts.pop() as string;
        for (const l of parts) yield l.endsWith('\r') ? l.slice(0, -1) : l;
        if (last !== '') yield last.endsWith('\r') ? last.slice(0, -1) : last;
      },
    };
  };
}
