/**
 * CS:APP malloc lab traces (`.rep`), as the lab's mdriver reads them (read_trace in mdriver.c).
 * A header of four integers, one per line — the classic driver's (suggested heap size, num_ids,
 * num_ops, weight), or CMU 15-213's (weight, num_ids, num_ops, ignore_ranges); only num_ids and
 * num_ops are used — or the two-line form (num_ids, num_ops) of some forks, recognised when the
 * third line is already an operation. Then num_ops lines: `a ID SIZE` (malloc), `r ID SIZE`
 * (realloc of block ID), `f ID` (free; `f -1` is free(NULL)). IDs must lie in [0, num_ids).
 * No trace files of the lab are shipped (they may not be redistributed); traces/ has our own.
 */
import { WorkloadInputError } from '../contract.ts';
import { decimal, event, numbered, type TraceEvent, type TraceFormat } from './events.ts';
import { quoteExcerpt } from '../../sim/excerpt.ts';

interface Header {
  numIds: number;
  numOps: number;
}

function isOpLine(text: string): boolean {
  return /^[afr]\s/.test(text.trim());
}

export const csappFormat: TraceFormat = {
  name: 'csapp',
  threaded: false,
  *events(lines, source) {
    const ints: Array<[number, string]> = [];
    let header: Header | null = null;
    let ops = 0;
    let last = 0;
    for (const [n, raw] of numbered(lines)) {
      last = n;
      const text = raw.trim();
      if (text === '') continue;
      if (header === null) {
        if (ints.length === 2 && isOpLine(text)) {
          header = {
            numIds: decimal(ints[0]?.[1], source, ints[0]?.[0] ?? n, 'num_ids'),
            numOps: decimal(ints[1]?.[1], source, ints[1]?.[0] ?? n, 'num_ops'),
          };
        } else {
          if (!/^-?\d+$/.test(text)) {
            throw new WorkloadInputError(
              source,
              n,
              `bad header: expected an integer (the CS:APP header is 4 lines, or 2: num_ids, num_ops), got ${quoteExcerpt(text)}`,
            );
          }
          ints.push([n, text]);
          if (ints.length === 4) {
            header = {
              numIds: decimal(ints[1]?.[1], source, ints[1]?.[0] ?? n, 'num_ids'),
              numOps: decimal(ints[2]?.[1], source, ints[2]?.[0] ?? n, 'num_ops'),
            };
          }
          continue;
        }
      }
      yield parseOp(text, n, source, header);
      ops++;
      if (ops > header.numOps) throw new WorkloadInputError(source, n, `more operations than the ${header.numOps} the header declares`);
    }
    if (header === null)
      throw new WorkloadInputError(source, last, 'bad header: the file ends before its header (4 integers, or 2) is complete');
    if (ops < header.numOps) {
      throw new WorkloadInputError(
        source,
        last,
        `truncated: the header declares ${header.numOps} operations but the file ends after ${ops}`,
      );
    }
  },
};

function parseOp(text: string, n: number, source: string, h: Header): TraceEvent {
  const t = text.split(/\s+/);
  const op = t[0];
  const idOf = (s: string | undefined): string => {
    const id = decimal(s, source, n, 'the block id');
    if (id >= h.numIds)
      throw new WorkloadInputError(source, n, `block id ${id} is outside 0..${h.numIds - 1} (num_ids in the header is ${h.numIds})`);
    return String(id);
  };
  const arity = (k: number): void => {
    if (t.length !== k)
      throw new WorkloadInputError(source, n, `'${op} ...' takes ${k - 1} field${k === 2 ? '' : 's'}, got ${quoteExcerpt(text)}`);
  };
  switch (op) {
    case 'a':
      arity(3);
      return event(n, 'malloc', { id: idOf(t[1]), size: decimal(t[2], source, n, 'the size') });
    case 'r': {
      arity(3);
      const id = idOf(t[1]);
      return event(n, 'realloc', { id, oldId: id, size: decimal(t[2], source, n, 'the size') });
    }
    case 'f':
      arity(2);
      return t[1] === '-1' ? event(n, 'free') : event(n, 'free', { oldId: idOf(t[1]) });
    default:
      throw new WorkloadInputError(
        source,
        n,
        `unknown operation ${quoteExcerpt(op ?? '')}: CS:APP traces use a (alloc), r (realloc) and f (free)`,
      );
  }
}
