/**
 * Bundles, done in the grader's process with esbuild (the compiler tsx runs on):
 * - a model file with its imports and realm-entry.ts into one script for its realm (realm.ts). A
 *   model may import 'allocsim/kit' and files under its own directory, nothing else: no Node
 *   module, no file elsewhere (whose contents would be compiled into the script);
 * - the isolated host (host-main.ts: the simulator and the code that runs a model's tasks) into
 *   one JavaScript file, so the model's process needs neither tsx nor the right to start the
 *   compiler, and may read that one file only.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, BuildResult, Message, Plugin } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const SRC = realpathSync(join(HERE, '..', '..'));
const KIT = join(SRC, 'allocators', 'kit', 'kit.ts');
const ENTRY = join(HERE, 'realm-entry.ts');

/** esbuild's build, imported on first use (a command that bundles nothing does not load it). */
async function build(options: BuildOptions & { write: false }): Promise<BuildResult<BuildOptions & { write: false }>> {
  return (await import('esbuild')).build(options);
}

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

function inside(root: string, file: string): boolean {
  const r = relative(root, file);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** Resolves imports itself and refuses any outside the model's directory and allocsim's sources. */
const REFUSED = 'refused: ';
const refusal = (path: string): string =>
  `${REFUSED}it imports '${path}'; a model may import only 'allocsim/kit' and files in its own directory`;

function confine(roots: readonly string[]): Plugin {
  return {
    name: 'allocsim-confine',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'inner') return undefined;
        if (args.path === 'allocsim/kit') return { path: KIT };
        if (args.path.startsWith('node:') || args.kind === 'entry-point') {
          if (args.kind === 'entry-point') return undefined;
          return { errors: [{ text: refusal(args.path) }] };
        }
        const r = await b.resolve(args.path, {
          resolveDir: args.resolveDir,
          kind: args.kind,
          importer: args.importer,
          pluginData: 'inner',
        });
        if (r.errors.length > 0) return { errors: r.errors };
        const real = r.external || r.path === '' ? '' : realpathSync(r.path);
        // allocsim's own sources may use its packages (the kit's sandbox uses pure-rand).
        const ours = args.importer !== '' && inside(SRC, args.importer);
        if (real === '' || !(ours || roots.some((root) => inside(root, real)))) {
          return { errors: [{ text: refusal(args.path) }] };
        }
        return { path: real };
      });
    },
  };
}

/** "cannot load it: allocator.ts:3:7: reason", or "refused: it imports 'node:fs' (allocator.ts:1:31); ...". */
export function firstError(errors: readonly Message[]): string {
  const e = errors[0];
  if (e === undefined) return 'cannot load it: it does not compile';
  const where = e.location === null ? '' : `${basename(e.location.file)}:${e.location.line}:${e.location.column + 1}`;
  if (e.text.startsWith(REFUSED)) return e.text.replace(/^(refused: it imports '[^']*')/, `$1${where === '' ? '' : ` (${where})`}`);
  return `cannot load it: ${where === '' ? '' : `${where}: `}${e.text}`;
}

export interface ModelBundle {
  file: string;
  code: string;
  sourceMap: string;
}

/** The model file's script for its realm. Throws BundleError with one line naming the problem. */
export async function bundleModel(file: string): Promise<ModelBundle> {
  const abs = realpathSync(file);
  const roots = [dirname(abs), SRC];
  const contents = `import { install } from ${JSON.stringify(ENTRY)};\nimport * as model from ${JSON.stringify(abs)};\ninstall(model);\n`;
  try {
    const r = await build({
      stdin: { contents, resolveDir: dirname(abs), sourcefile: 'allocsim-realm-entry.ts', loader: 'ts' },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'neutral',
      target: 'es2022',
      outfile: basename(abs),
      sourcemap: 'external',
      logLevel: 'silent',
      plugins: [confine(roots)],
    });
    const code = r.outputFiles.find((o) => o.path.endsWith('.map') === false)?.text ?? '';
    const sourceMap = r.outputFiles.find((o) => o.path.endsWith('.map'))?.text ?? '';
    return { file, code, sourceMap };
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    throw new BundleError(
      `${basename(file)}: ${errors !== undefined ? firstError(errors) : `cannot load it: ${(e as Error).message.split('\n')[0]}`}`,
    );
  }
}

let host: Promise<string> | undefined;

/** The isolated host as one .mjs file (built once per process, removed at exit). */
export function hostBundle(): Promise<string> {
  host ??= (async () => {
    const r = await build({
      entryPoints: [join(HERE, 'host-main.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile: 'host.mjs',
      logLevel: 'silent',
    });
    const dir = mkdtempSync(join(tmpdir(), 'allocsim-host-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'host.mjs');
    writeFileSync(path, r.outputFiles[0]?.text ?? '');
    return path;
  })();
  return host;
}
