/** Runs the CLI in this process and captures what it prints. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function cli(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t), exitCode: 0 });
  return { code, out: out.join(''), err: err.join('') };
}

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'allocsim');

/** The test-only second allocator (`test-slowbump`), loaded with --load. */
export const FIXTURE = join(ROOT, 'test', 'experiment', 'fixtures', 'slow-bump.ts');

/** True when an external tool (cg_annotate, rsvg-convert) is on the PATH. */
export function hasTool(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
