// Compiles the CLI to JavaScript in dist/, so it starts without compiling its sources on every
// start. `npm ci` runs it (the `prepare` script); so does `npm run build`. bin/allocsim runs dist/
// only while src/ is as it was built from (bin/src-stamp.mjs), and the sources through tsx
// otherwise: an edit to src/ without a rebuild never runs stale code.
//
//   node tools/build.mjs [--out DIR]     (DIR defaults to dist/)
//
// dist/ holds a few entry files beside their shared chunks, all in one folder:
//   cli.mjs        the command line (tools/compiled/cli-entry.mjs)
//   worker.mjs     the parallel runner's worker threads (tools/compiled/worker-entry.mjs)
//   kit.mjs        'allocsim/kit' for model files the CLI imports (tools/compiled/kit-hooks.mjs)
//   kit-hooks.mjs  the resolve hook that points a model file's 'allocsim/kit' there
//   prerendered.mjs and prerendered/: `--help` and `list` as the CLI prints them, which bin/allocsim
//                  writes back without loading the CLI (src/cli/prerendered.ts, tools/prerender.mjs)
// Starting Node on one bundle instead of ~300 modules is most of the gain: Node 20 spends more
// time resolving, reading and linking an ES module than compiling it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sourceStamp } from '../bin/src-stamp.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const HERE = join(ROOT, 'tools', 'compiled');
const outArg = process.argv.indexOf('--out');
const OUT = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(ROOT, 'dist');

// A source file's `import.meta.url` stays the source file's address (as a path relative to the
// bundle, so the package can move): the package root, templates/ and the isolation's sources
// (which esbuild bundles for a model's process at run time) are found as from the sources.
const sourceUrls = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!args.path.startsWith(SRC) || !text.includes('import.meta.url')) return undefined;
      const rel = relative(OUT, args.path).split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

// Loaded on demand or native: left to node_modules.
const EXTERNAL = ['esbuild', 'tsx', 'tsx/*', 'piscina', 'vega', 'vega-lite'];

const stamp = sourceStamp(SRC);
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const common = {
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  entryNames: '[name]',
  bundle: true,
  external: EXTERNAL,
  plugins: [sourceUrls],
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: {
    cli: join(HERE, 'cli-entry.mjs'),
    worker: join(HERE, 'worker-entry.mjs'),
    kit: join(SRC, 'allocators', 'kit', 'kit.ts'),
  },
  chunkNames: 'chunk-[hash]',
  splitting: true,
  // Bundled CommonJS packages (cli-table3) call require(): give the bundle one.
  banner: { js: "import { createRequire as __allocsimRequire } from 'node:module'; const require = __allocsimRequire(import.meta.url);" },
});
// The fast path is a bundle of its own (its chalk a copy, in a chunk loaded only for a table): a
// start that serves pre-rendered help loads one module.
await build({
  ...common,
  entryPoints: { prerendered: join(SRC, 'cli', 'prerendered.ts') },
  chunkNames: 'prerendered-[hash]',
  splitting: true,
});
// The hook finds the kit's source from the output folder, wherever that is.
const sourceKit = relative(OUT, join(SRC, 'allocators', 'kit', 'kit.ts'))
  .split('\\')
  .join('/');
writeFileSync(
  join(OUT, 'kit-hooks.mjs'),
  readFileSync(join(HERE, 'kit-hooks.mjs'), 'utf8').replace("'../src/allocators/kit/kit.ts'", JSON.stringify(sourceKit)),
);
// The pre-rendered output, by the compiled CLI itself: off a terminal, uncoloured.
execFileSync(process.execPath, [join(ROOT, 'tools', 'prerender.mjs'), OUT], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, NO_COLOR: '1' },
});
// Written last: a dist/ without its stamp (a build that stopped half-way) is never run.
writeFileSync(join(OUT, 'src-stamp.json'), `${JSON.stringify({ stamp })}\n`);
