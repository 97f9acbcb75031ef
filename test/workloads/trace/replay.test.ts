import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { fileLineSource } from '../../../src/experiment/line-file.ts';
import { WorkloadInputError } from '../../../src/workloads/contract.ts';
import { run } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'allocsim-trace-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('trace replay', () => {
  it('Android traces replay each record on its own thread: a free by another tid is a remote free', () => {
    const f = file('remote.txt', '100: malloc 0x1000 64\n100: malloc 0x2000 64\n200: free 0x1000\n100: free 0x2000\n');
    const r = run('trace', { file: f }, 'bump', { openLines: fileLineSource });
    expect(r.error).toBeUndefined();
    const byName = Object.fromEntries(r.time.threads.map((t) => [t.name, t.ops]));
    expect(byName).toEqual({ dispatcher: 0, 'tid-100': 3, 'tid-200': 1 });
    expect(r.memory.liveBytesFinal).toBe(0);
  });

  it('CS:APP replay fills blocks as mdriver does; scale replays a prefix', () => {
    const full = run('trace', { file: 'traces/csapp/random.rep' }, 'bump', { openLines: fileLineSource });
    expect(full.workloadReport.records).toBe(full.time.ops);
    const half = run('trace', { file: 'traces/csapp/random.rep', scale: 0.5 }, 'bump', { openLines: fileLineSource });
    expect(half.workloadReport.records).toBe(Math.ceil((full.workloadReport.records as number) / 2));
  });

  it('the simulator itself opens no files: without a line source the run is an input error', () => {
    expect(() => run('trace', { file: 'traces/csapp/short.rep' })).toThrow(WorkloadInputError);
  });

  it('the reader streams across chunk boundaries, CRLF endings and multi-byte characters', () => {
    const lines = Array.from({ length: 70000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`);
    const f = file('big.txt', `${lines.join('\r\n')}\r\n`);
    const got: string[] = [];
    const it = fileLineSource(f).lines();
    for (let r = it.next(); r.done !== true; r = it.next()) got.push(r.value);
    expect(got).toEqual(lines);
  });
});

describe('allocsim run --trace', () => {
  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: (t: string) => {
        err += t;
      },
      exitCode: 0,
    };
    const code = await main(args, io);
    return { code, out, err };
  };

  it.each([
    ['bad header', '1\nfoo\n', 2, 'bad header'],
    ['unknown op', '1\n1\n2\n1\na 0 8\nz 0\n', 6, "unknown operation 'z'"],
    ['free of an unknown id', '1\n2\n2\n1\na 0 8\nf 1\n', 6, 'free of block 1, which is not allocated'],
    ['truncated file', '1\n1\n3\n1\na 0 8\nf 0\n', 6, 'truncated'],
  ])('a malformed trace (%s) exits 2 with FILE:LINE: reason and prints nothing else', async (_what, text, line, reason) => {
    const f = file(`bad-${line}-${reason.length}.rep`, text);
    const r = await cli(['run', '-a', 'bump', '--trace', f]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(r.err).toContain(`${f}:${line}: `);
    expect(r.err).toContain(reason);
  });

  it('replays a shipped trace', async () => {
    const r = await cli(['run', '-a', 'bump', '--trace', 'traces/mtrace/example.mtrace', '--check', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).workload).toBe('trace');
  });
});
