/**
 * Hostile student models for the isolation tests: the freelist template with one attack added, each
 * written into its own project directory (as `allocsim init` makes one) next to a canary file it tries to delete and the place
 * of a marker file it tries to write. Every attack that would succeed leaves a trace the tests
 * look for (a marker, a missing canary, /etc/passwd's first line, a forged score).
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Captured } from '../cli/capture.ts';
import { REPO, templateSource, tempDir } from '../coursework/helpers.ts';

export interface Project {
  dir: string;
  file: string;
  marker: string;
  canary: string;
}

/** Where the attack runs: at import, in create(env), or in malloc (from its 11th call: after the contract probe). */
type Where = 'import' | 'create' | 'malloc' | 'malloc-later';

const MALLOC = '  malloc(cpu: Cpu, size: number, align = 16): number {';
const CREATE = '  create: (env) => new FirstFit(env),';

/**
 * Finds the grader's `process` by the routes a model could try: the global, the Function
 * constructor behind an object it was given or behind its global object (the classic vm escape),
 * and the receivers and functions of the stack frames a patched Error.prepareStackTrace is shown.
 * Throws when none works (the isolated case).
 */
const ESCAPE = `
function hostProcess(o: any): any {
  try { const p = (globalThis as any).process; if (p !== undefined) return p; } catch {}
  const via: any[] = [o, globalThis, Object.getPrototypeOf(globalThis)];
  try {
    (Error as any).prepareStackTrace = (_e: unknown, frames: any[]) => { for (const f of frames) via.push(f.getThis?.(), f.getFunction?.()); return ''; };
    void new Error('probe').stack;
    (Error as any).prepareStackTrace = undefined;
  } catch {}
  for (const v of via) {
    try { const p = v.constructor.constructor('return process')(); if (p !== undefined) return p; } catch {}
  }
  try { return new Function('return process')(); } catch {}
  throw new Error('no way to the grader');
}
let mallocCalls = 0;
`;

export function project(name: string, where: Where, attack: (p: Project) => string): Project {
  const dir = join(tempDir('allocsim-hostile-'), name);
  mkdirSync(dir);
  const p: Project = { dir, file: join(dir, 'allocator.ts'), marker: join(dir, 'MARKER'), canary: join(dir, 'canary.txt') };
  writeFileSync(p.canary, 'keep me\n');
  // A project as `allocsim init` makes it: an ES module package with allocsim linked in.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO, join(dir, 'node_modules', 'allocsim'));
  const code = attack(p);
  let src = `${templateSource('freelist')}\n${ESCAPE}`;
  if (where === 'import') src += `\n${code}\n`;
  else if (where === 'create')
    src = src.replace(CREATE, `  create: (env) => { const cpu: any = env.machine; ${code}; return new FirstFit(env); },`);
  else src = src.replace(MALLOC, `${MALLOC}\n    ${where === 'malloc-later' ? 'if (++mallocCalls > 10) ' : ''}{ ${code}; }`);
  writeFileSync(p.file, src);
  return p;
}

const q = JSON.stringify;

/** The attacks, by name: what the model does, and where. */
export const ATTACKS: Record<string, { where: Where; code: (p: Project) => string }> = {
  'reads a file outside its project': {
    where: 'malloc',
    code: () => `throw new Error('STOLEN ' + hostProcess(cpu).getBuiltinModule('fs').readFileSync('/etc/passwd', 'utf8').split('\\n')[0])`,
  },
  // Harmless if it works (the model then runs normally and passes): the test sees the escape as a pass.
  "reaches the grader's realm": { where: 'malloc', code: () => `hostProcess(cpu).pid` },
  'writes a file': { where: 'malloc', code: (p) => `hostProcess(cpu).getBuiltinModule('fs').writeFileSync(${q(p.marker)}, 'pwned')` },
  'deletes a file': { where: 'malloc', code: (p) => `hostProcess(cpu).getBuiltinModule('fs').unlinkSync(${q(p.canary)})` },
  'spawns id': { where: 'malloc', code: (p) => `hostProcess(cpu).getBuiltinModule('child_process').execSync('id > ' + ${q(p.marker)})` },
  'imports node:fs': { where: 'import', code: (p) => `import { writeFileSync } from 'node:fs';\nwriteFileSync(${q(p.marker)}, 'pwned');` },
  'calls process.exit(0)': { where: 'malloc', code: () => `hostProcess(cpu).exit(0)` },
  'loops forever in malloc': { where: 'malloc-later', code: () => 'for (;;) {}' },
  'loops forever in create': { where: 'create', code: () => 'for (;;) {}' },
  'loops forever at import': { where: 'import', code: () => 'for (;;) {}' },
  'allocates memory without bound': {
    where: 'malloc-later',
    code: () => 'const hog: number[][] = []; for (;;) hog.push(new Array(4_000_000).fill(1.5))',
  },
};

/** Attacks that patch what a grader in the same realm would rely on: the result must equal the honest model's. */
export const PATCHES: Record<string, { where: Where; code: (p: Project) => string }> = {
  'patches JSON.stringify': {
    where: 'import',
    code: () => `JSON.stringify = () => '{"allocator":"forged","valid":true,"total":100}'; JSON.parse = () => ({ total: 100, ok: true });`,
  },
  "patches the simulator's prototypes": {
    where: 'create',
    code: () =>
      [
        `Object.defineProperty(Object.prototype, 'valid', { get() { return true; }, set() {}, configurable: true })`,
        `Array.prototype.some = function () { return false; }`,
        `Number.prototype.toFixed = function () { return '100'; }`,
        // every prototype of the machine it was given: Machine.prototype and Object.prototype in a shared realm
        `for (let o = Object.getPrototypeOf(cpu); o !== null; o = Object.getPrototypeOf(o)) { o.peek = () => 0; o.tlsBase = () => 0; }`,
      ].join('; '),
  },
};

/** The limits the tests run with: short, so a hang or a hog ends quickly. */
export const LIMITS = ['--timeout', '0.5', '--max-memory', '48'];
/**
 * For the memory attack: V8 collects garbage hard near a heap limit before it gives up (about 7 s
 * here), so with a short call limit that limit would fire first ("malloc did not return").
 */
export const MEMORY_LIMITS = ['--timeout', '30', '--max-memory', '48'];

/** What an attack that fails must look like: a non-zero exit, a one-line reason, nothing changed on disk. */
export function expectContained(name: string, p: Project, r: Captured): void {
  expect(r.code, `${name}: exit code (stderr: ${r.err})`).not.toBe(0);
  expect([1, 2]).toContain(r.code);
  expect(existsSync(p.marker), `${name}: the marker file was written`).toBe(false);
  expect(existsSync(p.canary), `${name}: the canary was deleted`).toBe(true);
  expect(`${r.out}${r.err}`).not.toMatch(/STOLEN|root:/);
  if (r.err !== '') expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
  if (/loops forever/.test(name)) expect(`${r.out}${r.err}`).toMatch(/(import|create|malloc|calloc|realloc) did not return within 0\.5 s/);
  if (/memory/.test(name)) expect(`${r.out}${r.err}`).toMatch(/the model used more than 48 MiB of memory/);
  if (/imports node:fs/.test(name)) expect(r.err).toMatch(/refused: it imports 'node:fs'/);
}
