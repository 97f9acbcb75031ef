import { describe, expect, it } from 'vitest';
import { WorkloadInputError, type LineSource } from '../../../src/workloads/contract.ts';
import { androidFormat } from '../../../src/workloads/trace/android.ts';
import { csappFormat } from '../../../src/workloads/trace/csapp.ts';
import { detectFormat } from '../../../src/workloads/trace/detect.ts';
import type { TraceEvent, TraceFormat } from '../../../src/workloads/trace/events.ts';
import { mtraceFormat } from '../../../src/workloads/trace/mtrace.ts';
import { scanTrace } from '../../../src/workloads/trace/replay.ts';

const src = (text: string, name = 'mem.trace'): LineSource => ({ name, lines: () => text.split('\n')[Symbol.iterator]() });
const parse = (f: TraceFormat, text: string): TraceEvent[] => [...f.events(src(text).lines(), 'mem.trace')];
const brief = (es: TraceEvent[]): string[] => es.map((e) => `${e.tid}:${e.call}:${e.id}:${e.oldId}:${e.size}`);

/** The error a trace raises, as the CLI prints it. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WorkloadInputError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('CS:APP .rep reader', () => {
  it('reads the 4-line header and a/r/f operations', () => {
    expect(brief(parse(csappFormat, '1\n2\n4\n1\na 0 512\nr 0 640\na 1 8\nf 0\n'))).toEqual([
      '0:malloc:0::512',
      '0:realloc:0:0:640',
      '0:malloc:1::8',
      '0:free::0:0',
    ]);
  });

  it('reads the 2-line header form and free(NULL) as f -1', () => {
    expect(brief(parse(csappFormat, '1\n3\na 0 16\nf -1\nf 0'))).toEqual(['0:malloc:0::16', '0:free:::0', '0:free::0:0']);
  });

  it('line-numbered errors: bad header, unknown operation, id out of range, truncated, too many operations', () => {
    expect(errorOf(() => parse(csappFormat, '1\nx\n'))).toBe(
      "mem.trace:2: bad header: expected an integer (the CS:APP header is 4 lines, or 2: num_ids, num_ops), got 'x'",
    );
    expect(errorOf(() => parse(csappFormat, '1\n2\n2\n1\na 0 1\nm 1 2\n'))).toMatch(/^mem\.trace:6: unknown operation 'm'/);
    expect(errorOf(() => parse(csappFormat, '1\n2\n2\n1\na 0 1\na 2 4\n'))).toMatch(/^mem\.trace:6: block id 2 is outside 0\.\.1/);
    expect(errorOf(() => parse(csappFormat, '1\n2\n3\n1\na 0 1\nf 0\n'))).toMatch(
      /^mem\.trace:7: truncated: the header declares 3 operations but the file ends after 2/,
    );
    expect(errorOf(() => parse(csappFormat, '1\n2\n1\n1\na 0 1\nf 0\n'))).toMatch(/^mem\.trace:6: more operations than the 1/);
    expect(errorOf(() => parse(csappFormat, '1\n2\n2\n1\na 0 x\nf 0\n'))).toMatch(/^mem\.trace:5: the size must be a non-negative integer/);
  });

  it('the liveness check: free of an unknown id, an id allocated twice', () => {
    expect(errorOf(() => scanTrace(src('1\n2\n2\n1\na 0 1\nf 1\n'), csappFormat, 'error'))).toMatch(
      /^mem\.trace:6: free of block 1, which is not allocated/,
    );
    expect(errorOf(() => scanTrace(src('1\n2\n2\n1\na 0 1\na 0 2\n'), csappFormat, 'error'))).toMatch(
      /^mem\.trace:6: block 0 is allocated again while still live/,
    );
    expect(scanTrace(src('1\n2\n2\n1\na 0 1\nf 1\n'), csappFormat, 'skip').events).toBe(2);
  });
});

describe('Android record_allocs reader', () => {
  it('reads every record kind, with or without timestamps', () => {
    const text = [
      '10: malloc 0xb4000070 20',
      '10: calloc 0xb40000a0 4 8 100 200',
      '11: realloc 0xb4001000 0xb4000070 64',
      '11: memalign 0xb4002000 64 100',
      '10: free 0xb40000a0 300 400',
      '11: thread_done 0x0 500',
    ].join('\n');
    expect(brief(parse(androidFormat, text))).toEqual([
      '10:malloc:b4000070::20',
      '10:calloc:b40000a0::8',
      '11:realloc:b4001000:b4000070:64',
      '11:memalign:b4002000::100',
      '10:free::b40000a0:0',
      '11:thread_done:::0',
    ]);
  });

  it('a tid reused after thread_done is a new thread; remote frees are allowed', () => {
    const scan = scanTrace(
      src('5: malloc 0x10 8\n6: free 0x10\n5: thread_done 0x0\n5: malloc 0x20 8\n5: free 0x20\n'),
      androidFormat,
      'error',
    );
    expect(scan.threads).toEqual([
      { tid: 5, events: 2 },
      { tid: 6, events: 1 },
      { tid: 5, events: 2 },
    ]);
  });

  it('errors: unknown operation, wrong field count, bad pointer, free of an unknown pointer', () => {
    expect(errorOf(() => parse(androidFormat, '5: malloc 0x10 8\n5: mmap 0x20 8'))).toMatch(/^mem\.trace:2: unknown operation 'mmap'/);
    expect(errorOf(() => parse(androidFormat, '5: calloc 0x10 8'))).toMatch(/^mem\.trace:1: 'calloc' takes 2 fields/);
    expect(errorOf(() => parse(androidFormat, '5: free 12'))).toMatch(/^mem\.trace:1: the pointer must be a hexadecimal pointer/);
    expect(errorOf(() => scanTrace(src('5: malloc 0x10 8\n5: free 0x11'), androidFormat, 'error'))).toMatch(
      /^mem\.trace:2: free of block 0x11/,
    );
  });
});

describe('glibc mtrace reader', () => {
  it('reads + - and the two-line realloc, with and without the caller, skipping failed calls', () => {
    const text =
      '= Start\n@ ./a.out:[0x11b0] + 0x5557a3c384a0 0x64\n+ 0x10 0x8\n@ ./a.out:[0x11d8] < 0x5557a3c384a0\n@ ./a.out:[0x11d8] > 0x20 0x12c\n! 0x20 0x1000\n- 0x20\n- 0x10\n= End';
    expect(brief(parse(mtraceFormat, text))).toEqual([
      '0:malloc:5557a3c384a0::100',
      '0:malloc:10::8',
      '0:realloc:20:5557a3c384a0:300',
      '0:free::20:0',
      '0:free::10:0',
    ]);
  });

  it("errors: a '<' line without its '>', an unknown operation", () => {
    expect(errorOf(() => parse(mtraceFormat, '+ 0x10 0x8\n< 0x10\n- 0x10'))).toMatch(
      /^mem\.trace:3: realloc's '<' line \(line 2\) must be followed/,
    );
    expect(errorOf(() => parse(mtraceFormat, '+ 0x10 0x8\n< 0x10'))).toMatch(/^mem\.trace:2: truncated/);
    expect(errorOf(() => parse(mtraceFormat, '* 0x10'))).toMatch(/^mem\.trace:1: unknown operation '\*'/);
  });
});

describe('format detection', () => {
  it('recognises each format from its first line, or takes format=', () => {
    expect(detectFormat(src('\n20000\n2\n'), 'auto').name).toBe('csapp');
    expect(detectFormat(src('17: malloc 0x1 2'), 'auto').name).toBe('android');
    expect(detectFormat(src('= Start\n'), 'auto').name).toBe('mtrace');
    expect(detectFormat(src('anything'), 'mtrace').name).toBe('mtrace');
    expect(errorOf(() => detectFormat(src('hello world'), 'auto'))).toMatch(/^mem\.trace:1: cannot tell the trace format/);
    expect(errorOf(() => detectFormat(src(''), 'auto'))).toMatch(/the trace is empty/);
  });
});
