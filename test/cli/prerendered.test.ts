/**
 * Pre-rendered output (src/cli/prerendered.ts): in a scratch package (a build of the sources beside
 * a copy of bin/), bin/allocsim prints for each command line the build rendered the same bytes,
 * and exits with the same code, as the full compiled CLI, on a pipe and on a terminal; it serves
 * the rendered text for exactly those command lines, and runs the full CLI for any other, for a
 * coloured table and for a terminal width that was not rendered.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prerenderings } from '../../src/cli/prerendered.ts';
import { hasTool, ROOT } from './helpers.ts';

mkdirSync(join(ROOT, 'tmp'), { recursive: true });
const pkg = mkdtempSync(join(ROOT, 'tmp', 'prerendered-'));
const dist = join(pkg, 'dist');

interface Printed {
  code: number;
  out: string;
  err: string;
}

/** Runs `file args` and returns its exit code and what it printed; colour as `env` says (default: chalk's choice). */
function exec(file: string, args: string[], env: Record<string, string> = {}): Promise<Printed> {
  const base = { ...process.env };
  delete base.FORCE_COLOR;
  delete base.NO_COLOR;
  return new Promise((done) => {
    execFile(file, args, { cwd: ROOT, env: { ...base, ...env }, maxBuffer: 64 << 20 }, (e, out, err) =>
      done({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : -1, out, err }),
    );
  });
}

/** The scratch package's bin/allocsim: the fast path where it applies. */
const fast = (argv: string[], env?: Record<string, string>): Promise<Printed> =>
  exec(process.execPath, [join(pkg, 'bin', 'allocsim'), ...argv], env);

/** The full compiled CLI, run as bin/allocsim runs it when nothing is pre-rendered. */
function fullScript(argv: string[]): string {
  return `const { main } = await import(${JSON.stringify(pathToFileURL(join(dist, 'cli.mjs')).href)}); process.exitCode = await main(${JSON.stringify(argv)});`;
}
const full = (argv: string[], env?: Record<string, string>): Promise<Printed> =>
  exec(process.execPath, ['--input-type=module', '-e', fullScript(argv)], env);

/** A shell command line run on a terminal of `columns` columns (script(1)). */
function onTerminal(columns: number, command: string[]): Promise<Printed> {
  const quoted = command.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  return exec('script', ['-qec', `stty cols ${columns}; ${quoted}`, '/dev/null']);
}

const SERVED = [...new Map(prerenderings().map((p) => [p.argv.join(' '), [...p.argv]])).values()];

describe('pre-rendered output', () => {
  beforeAll(async () => {
    cpSync(join(ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
    symlinkSync(join(ROOT, 'src'), join(pkg, 'src'), 'dir');
    const built = await exec(process.execPath, [join(ROOT, 'tools', 'build.mjs'), '--out', dist]);
    expect(built.err).toBe('');
  }, 120_000);
  afterAll(() => rmSync(pkg, { recursive: true, force: true }));

  it('prints the same bytes and exit code as the full CLI for each command line it serves, on a pipe', async () => {
    expect(SERVED.map((a) => a.join(' '))).toEqual(expect.arrayContaining(['--help', 'list', 'list --json']));
    const cases: Array<[string[], Record<string, string>]> = [
      ...SERVED.map((argv): [string[], Record<string, string>] => [argv, {}]),
      // Colour forced (the full CLI's table is coloured), and then turned off again by NO_COLOR.
      [['list'], { FORCE_COLOR: '1' }],
      [['list'], { FORCE_COLOR: '1', NO_COLOR: '1' }],
      // Help is never coloured; yargs's words are English in every locale.
      [['--help'], { FORCE_COLOR: '3' }],
      [['--help'], { LANG: 'de_DE.UTF-8' }],
    ];
    for (const [argv, env] of cases) {
      const [f, c] = await Promise.all([fast(argv, env), full(argv, env)]);
      expect({ argv, env, ...f }).toEqual({ argv, env, ...c });
      expect(f.code).toBe(0);
    }
  }, 120_000);

  it.skipIf(!hasTool('script'))(
    'prints the same as the full CLI on a terminal, at each width',
    async () => {
      // Help at 80 columns is rendered, at 200 it is help at 110 and at 50 it is not rendered; a
      // table on a terminal is coloured (not rendered); JSON is the same everywhere.
      const cases: Array<[number, string[]]> = [
        [80, ['--help']],
        [80, ['-h']],
        [200, ['help']],
        [50, ['--help']],
        [80, ['list']],
        [80, ['list', 'machines', '--json']],
      ];
      for (const [columns, argv] of cases) {
        const [f, c] = await Promise.all([
          onTerminal(columns, [process.execPath, join(pkg, 'bin', 'allocsim'), ...argv]),
          onTerminal(columns, [process.execPath, '--input-type=module', '-e', fullScript(argv)]),
        ]);
        expect({ columns, argv, ...f }).toEqual({ columns, argv, ...c });
      }
    },
    120_000,
  );

  it('loads one module to serve help: the fast path imports only Node built-ins, and chalk only for a table', () => {
    const text = readFileSync(join(dist, 'prerendered.mjs'), 'utf8');
    const imports = [...text.matchAll(/^import\s[^;]*?from\s*["']([^"']+)["']/gm)].map((m) => m[1]);
    expect(imports).toContain('node:fs');
    expect(imports.filter((s) => !(s ?? '').startsWith('node:'))).toEqual([]);
    expect(text).not.toMatch(/node_modules\/(yargs|chalk)\//);
    expect(text).toMatch(/await import\("\.\/prerendered-\w+\.mjs"\)/);
  });

  // Last: it overwrites the rendered files with markers naming them.
  it('serves exactly the rendered command lines, and runs the full CLI otherwise', async () => {
    const dir = join(dist, 'prerendered');
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), `prerendered ${f}\n`);
    for (const r of await Promise.all(SERVED.map((argv) => fast(argv)))) expect(r.out).toMatch(/^prerendered \S+\.txt\n$/);
    expect((await fast(['--help'])).out).toBe('prerendered --help_110.txt\n');
    expect((await fast(['list', 'machines'])).out).toBe('prerendered list_machines_117.txt\n');
    expect((await fast(['list'], { FORCE_COLOR: '1', NO_COLOR: '1' })).out).toBe('prerendered list_117.txt\n');
    const others: Array<[string[], Record<string, string>]> = [
      [['--help', '--json'], {}],
      [['list', 'extra'], {}],
      [['list', '--json', 'machines'], {}],
      [['list', '--help'], {}],
      [['list'], { FORCE_COLOR: '1' }],
    ];
    for (const [argv, env] of others) {
      const [f, c] = await Promise.all([fast(argv, env), full(argv, env)]);
      expect(f.out).not.toContain('prerendered ');
      expect({ argv, ...f }).toEqual({ argv, ...c });
    }
    if (hasTool('script')) {
      expect((await onTerminal(80, [process.execPath, join(pkg, 'bin', 'allocsim'), '--help'])).out).toBe('prerendered --help_80.txt\r\n');
      expect((await onTerminal(50, [process.execPath, join(pkg, 'bin', 'allocsim'), '--help'])).out).toMatch(/^allocsim: a discrete-event/);
    }
  }, 120_000);
});
