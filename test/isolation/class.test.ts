/**
 * A class graded in one command: 30 copies of the template, one that hangs and one hostile, in
 * a directory; every honest file scored the same, the two bad ones marked with their reason, the
 * hostile one's attack without effect; the same rows as a table and as CSV.
 */
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/capture.ts';
import { REPO, tempDir } from '../coursework/helpers.ts';
import { classCSV, formatClassTable, type ClassEntry } from '../../src/report/class-report.ts';
import { ATTACKS, LIMITS, project } from './hostile.ts';

describe('grade DIR: a class of 32 model files', () => {
  it('grades every file, marks the hanging and the hostile one, and prints a table, CSV and JSON', async () => {
    const dir = tempDir('allocsim-class-');
    for (let i = 1; i <= 30; i++) {
      mkdirSync(join(dir, `student-${String(i).padStart(2, '0')}`));
      cpSync(join(REPO, 'templates', 'freelist', 'allocator.ts'), join(dir, `student-${String(i).padStart(2, '0')}`, 'allocator.ts'));
    }
    const hang = project('hangs', ATTACKS['loops forever in malloc']!.where, ATTACKS['loops forever in malloc']!.code);
    const evil = project('hostile', ATTACKS['writes a file']!.where, ATTACKS['writes a file']!.code);
    cpSync(hang.dir, join(dir, 'student-31'), { recursive: true, verbatimSymlinks: true });
    cpSync(evil.dir, join(dir, 'student-32'), { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(dir, 'NOTES.md'), 'not a model\n');
    const marker = join(dir, 'student-32', 'MARKER');

    const r = await cli('grade', dir, '-w', 'random', '--scale', '0.005', '--jobs', '2', '--json', ...LIMITS);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { students: ClassEntry[] };
    expect(report.students).toHaveLength(32);
    const byDir = (n: number): ClassEntry => report.students.find((s) => s.file.includes(`student-${n}/`)) as ClassEntry;
    const honest = report.students.filter((s) => s.status === 'ok');
    expect(honest).toHaveLength(30);
    expect(new Set(honest.map((s) => JSON.stringify(s.scores)))).toHaveProperty('size', 1);
    expect(byDir(31)).toMatchObject({
      status: 'failed',
      problem: expect.stringMatching(/(malloc|calloc|realloc) did not return within 0\.5 s/),
    });
    expect(byDir(32)).toMatchObject({
      status: 'failed',
      problem: expect.stringMatching(/breaks the allocator contract: malloc\(cpu, 24\) threw Error: no way to the grader/),
    });
    expect(existsSync(marker)).toBe(false);

    const table = formatClassTable(report.students);
    expect(table.match(/FAILED/g)).toHaveLength(2);
    expect(table).toContain('32 file(s): 30 ok, 0 invalid, 2 failed');
    const csv = classCSV(report.students).trim().split('\n');
    expect(csv).toHaveLength(33);
    expect(csv[0]).toBe('file,model,result,util,csapp,cmu,cmu-checkpoint,course,problem');
    expect(csv.filter((l) => l.includes(',failed,'))).toHaveLength(2);
  }, 180_000);

  it('--csv and the table come from the command too', async () => {
    const dir = tempDir('allocsim-class-');
    const a = join(dir, 'a.ts');
    cpSync(join(REPO, 'templates', 'freelist', 'allocator.ts'), a);
    const csv = await cli(
      'grade',
      a,
      join(REPO, 'templates', 'buckets', 'allocator.ts'),
      '-w',
      'random',
      '--scale',
      '0.005',
      '--csv',
      ...LIMITS,
    );
    expect(csv.code, csv.err).toBe(0);
    expect(csv.out.trim().split('\n')).toHaveLength(3);
    const table = await cli('grade', a, 'freelist', '-w', 'random', '--scale', '0.005', ...LIMITS);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toContain('2 file(s): 2 ok, 0 invalid, 0 failed');
  }, 120_000);
});
