/**
 * The compiled CLI (tools/build.mjs, what `npm ci` builds into dist/): built into a scratch folder,
 * it gives the same output as the sources for a run, a grid on worker threads and a trusted model
 * file (whose 'allocsim/kit' must be the compiled kit: its aborts are classified, not crashes);
 * and the stamp that tells bin/allocsim whether dist/ is current changes with any edit to src/.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceStamp } from '../../bin/src-stamp.mjs';
import { cli, ROOT } from './helpers.ts';

const run = promisify(execFile);
// Inside the package (tmp/ is ignored by git), where the packages it leaves external resolve.
mkdirSync(join(ROOT, 'tmp'), { recursive: true });
const out = mkdtempSync(join(ROOT, 'tmp', 'dist-'));
const MODEL = join(ROOT, 'templates', 'freelist', 'allocator.ts');

/** Runs the compiled CLI's main in a fresh Node process (no TypeScript loader) and returns what it printed. */
async function compiled(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const script = `const { main } = await import(${JSON.stringify(pathToFileURL(join(out, 'cli.mjs')).href)});
const out = [], err = [];
const code = await main(${JSON.stringify(argv)}, { out: (t) => out.push(t), err: (t) => err.push(t), exitCode: 0 });
process.stdout.write(JSON.stringify({ code, out: out.join(''), err: err.join('') }));`;
  const r = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, maxBuffer: 64 << 20 });
  return JSON.parse(r.stdout) as { code: number; out: string; err: string };
}

describe('the compiled CLI', () => {
  beforeAll(async () => {
    await run(process.execPath, [join(ROOT, 'tools', 'build.mjs'), '--out', out], { cwd: ROOT });
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs a workload with the same Result as the sources', async () => {
    const argv = ['run', '-a', 'glibc', '-w', 'random', '--threads', '2', '-p', 'ops=300', '--json'];
    const [c, s] = await Promise.all([compiled(argv), cli(argv)]);
    expect(c.err).toBe('');
    expect(c.code).toBe(0);
    expect(c.out).toBe(s.out);
  }, 60_000);

  it('runs a grid on its own worker threads with the same Results as the sources serially', async () => {
    const grid = ['compare', '-a', 'bump,freelist', '-w', 'random', '--threads', '1,2', '-p', 'ops=200', '--json'];
    const [c, s] = await Promise.all([compiled([...grid, '--jobs', '2']), cli([...grid, '--jobs', '1'])]);
    expect(c.code).toBe(0);
    expect(c.out).toBe(s.out);
  }, 60_000);

  it("loads a trusted TypeScript model file against the compiled kit (an abort is the model's, not a crash)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allocsim-abort-'));
    // The template's model, made to abort at its 200th malloc with the kit's AllocatorAbort.
    const file = join(dir, 'aborting.mts');
    writeFileSync(
      file,
      `import { AllocatorAbort, defineModel } from 'allocsim/kit';
import base from ${JSON.stringify(MODEL)};
export default defineModel({ name: 'aborting', create: (env) => {
  const m = base.create(env);
  const malloc = m.malloc.bind(m);
  let n = 0;
  m.malloc = (cpu, size, align) => { if (++n === 200) throw new AllocatorAbort('malloc(): corrupted top size'); return malloc(cpu, size, align); };
  return m;
} });
`,
    );
    const argv = ['run', '-a', file, '--trust', '-w', 'random', '-p', 'threads=1', '-p', 'ops=1000', '--json'];
    const [c, s] = await Promise.all([compiled(argv), cli(argv)]);
    rmSync(dir, { recursive: true, force: true });
    expect(c.err).toBe('');
    expect(c.out).toContain('"allocator-abort"');
    expect(c.out).toBe(s.out);
  }, 60_000);

  it('shows --help without loading the simulator: only a named command loads its module', async () => {
    // The files cli.mjs loads before main runs: its static imports, transitively (esbuild's chunks
    // name each source they hold in a `// src/...` line). The simulator comes with a command.
    const eager = new Set<string>();
    const visit = (file: string): void => {
      if (eager.has(file)) return;
      eager.add(file);
      for (const m of readFileSync(join(out, file), 'utf8').matchAll(
        /^(?:import|export)[^'"]*?from\s*["']\.\/([^"']+)["'];?$|^import\s*["']\.\/([^"']+)["'];?$/gms,
      )) {
        visit((m[1] ?? m[2]) as string);
      }
    };
    visit('cli.mjs');
    const sources = [...eager].flatMap((f) => [...readFileSync(join(out, f), 'utf8').matchAll(/^\/\/ (src\/\S+)$/gm)].map((m) => m[1]));
    expect(sources).toContain('src/cli/main.ts');
    expect(
      sources.filter((f) => /^src\/(machine\/cpu|sim\/kernel|experiment\/run|allocators\/index|workloads\/index)\.ts$/.test(f ?? '')),
    ).toEqual([]);
    // yargs prints help to the process's stdout itself.
    const help = async (argv: string[]): Promise<string> => {
      const script = `const { main } = await import(${JSON.stringify(pathToFileURL(join(out, 'cli.mjs')).href)}); await main(${JSON.stringify(argv)});`;
      return (await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT })).stdout;
    };
    const [top, runHelp] = await Promise.all([help(['--help']), help(['run', '--help'])]);
    expect(top).toMatch(/allocsim batchit +the main experiment/);
    expect(top).toMatch(/allocsim sweep +run a grid/);
    expect(runHelp).toContain('--allocator');
  }, 60_000);
});

describe('the source stamp', () => {
  it('changes when a file is edited, added or removed, and not otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'allocsim-stamp-'));
    writeFileSync(join(dir, 'a.ts'), 'one');
    const first = sourceStamp(dir);
    expect(sourceStamp(dir)).toBe(first);
    utimesSync(join(dir, 'a.ts'), new Date(), new Date(Date.now() + 5000));
    const touched = sourceStamp(dir);
    expect(touched).not.toBe(first);
    writeFileSync(join(dir, 'b.ts'), 'two');
    const added = sourceStamp(dir);
    expect(added).not.toBe(touched);
    rmSync(join(dir, 'b.ts'));
    expect(sourceStamp(dir)).toBe(touched);
    rmSync(dir, { recursive: true, force: true });
  });
});
