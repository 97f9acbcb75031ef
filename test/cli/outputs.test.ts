import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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
    writeFilesAtomically([{ option: '--svg', path: a, content: 'A' }, { option: '--csv', path: join(dir, 'b.csv'), content: 'B' }]);
    expect(readFileSync(a, 'utf8')).toBe('A');
    expect(existsSync(join(dir, 'b.csv'))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.csv']);
  });
});
