/**
 * `compare -a ./allocator.ts,freelist`: a student's model file takes part in a grid like a built-in
 * model, in this process and in worker threads alike.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/experiment/result.ts';
import { cli } from './helpers.ts';

describe('compare with a student model file', () => {
  it('runs the file next to a built-in model, with the same JSON for --jobs 1 and --jobs 2', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'allocsim-student-')), 'proj');
    expect((await cli(['init', dir])).code).toBe(0);
    const file = join(dir, 'allocator.ts');
    const args = ['compare', '-a', `${file},freelist`, '-w', 'random', '--threads', '1,2', '-p', 'ops=150', '--json', '-q'];
    const serial = await cli([...args, '--jobs', '1']);
    expect(serial.err).toBe('');
    expect(serial.code).toBe(0);
    const results = (JSON.parse(serial.out) as { results: Result[] }).results;
    expect(results.map((r) => r.allocator)).toContain('freelist');
    expect(results.filter((r) => r.allocator !== 'freelist')).toHaveLength(2);
    expect(results.every((r) => r.time.ops > 0 && r.error === undefined)).toBe(true);
    const parallel = await cli([...args, '--jobs', '2']);
    expect(parallel.out).toBe(serial.out);
  });

  it('a file that is not a model is a usage error', async () => {
    const r = await cli(['compare', '-a', './no-such-model.ts,freelist', '-w', 'random', '-q']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('no-such-model.ts');
  });
});
