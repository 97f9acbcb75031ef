import { spawn, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.ts';
import { writeFilesAtomically } from '../../src/cli/outputs.ts';

describe('writeFilesAtomically', () => {
  it('writes every file, or (when one cannot be written) none and no temporary files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'allocsim-out-'));
    const a = join(dir, 'a.txt');
    expect(() =>
      writeFilesAtomically([
        { option: '--svg', path: a, content: 'A' },
        { option: '--html', path: join(dir, 'missing', 'b.html'), content: 'B' },
      ]),
    ).toThrow(UsageError);
    expect(readdirSync(dir)).toEqual([]);
    writeFilesAtomically([
      { option: '--svg', path: a, content: 'A' },
      { option: '--csv', path: join(dir, 'b.csv'), content: 'B' },
    ]);
    expect(readFileSync(a, 'utf8')).toBe('A');
    expect(existsSync(join(dir, 'b.csv'))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.csv']);
  });

  it('writes into a FIFO (or device) in place instead of renaming a file over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allocsim-fifo-'));
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const closed = new Promise((r) => reader.on('close', r));
    writeFilesAtomically([
      { option: '--csv', path: fifo, content: 'a,b\n' },
      { option: '--svg', path: join(dir, 'c.svg'), content: 'C' },
    ]);
    await closed;
    expect(got).toBe('a,b\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readFileSync(join(dir, 'c.svg'), 'utf8')).toBe('C');
  }, 10_000);
});
