/**
 * The attacks of hostile.ts are real: run with --trust (in the grader's own process, as before
 * isolation) the same model files do write files and forge the grade. So the isolation tests
 * fail if isolation stops working. Each runs the CLI in a child process, whose globals it spoils.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN } from '../cli/helpers.ts';
import { COMMANDS } from './commands.ts';
import { ATTACKS, PATCHES, project } from './hostile.ts';

const allocsim = (argv: string[]): { code: number | null; out: string } => {
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout };
};

describe('the attacks work on a model run with --trust', () => {
  it('a trusted model that writes a file writes it', () => {
    const a = ATTACKS['writes a file'];
    const p = project('writes', a!.where, a!.code);
    allocsim([...(COMMANDS.check as (f: string) => string[])(p.file), '--trust']);
    expect(existsSync(p.marker)).toBe(true);
  }, 60_000);

  it('a trusted model that patches JSON.stringify forges its grade', () => {
    const a = PATCHES['patches JSON.stringify'];
    const p = project('json', a!.where, a!.code);
    const r = allocsim([...(COMMANDS.grade as (f: string) => string[])(p.file), '--trust']);
    expect(r.out).toMatch(/forged/);
  }, 60_000);
});
