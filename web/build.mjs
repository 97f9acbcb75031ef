/**
 * `npm run web:build` (node --import tsx web/build.mjs): bundles the playground into web/dist with esbuild — the page, the
 * simulator's worker and the model worker — and copies the static files. Every URL is relative, so
 * web/dist can be served from any directory (GitHub Pages). The build fails if a Node-only part of
 * allocsim (the CLI, the parallel runner, the isolation of model files, the trace file reader) or a
 * node: module would end up in the bundle.
 */
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(here, 'dist');

/** Inputs a browser bundle must never contain. */
const NODE_ONLY = [
  /^src\/cli\//,
  /^src\/experiment\/isolation\//,
  /^src\/experiment\/pool\.ts$/,
  /^src\/experiment\/line-file\.ts$/,
  /^src\/experiment\/run-task\.ts$/,
  /^node:/,
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let result;
try {
  result = await build({
    absWorkingDir: root,
    entryPoints: { main: 'web/src/main.ts', 'sim-worker': 'web/src/sim-worker.ts', 'model-worker': 'web/src/model-worker.ts' },
    outdir: out,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    // Model files import the kit by the package's name, as in a student's project.
    alias: { 'allocsim/kit': './src/allocators/kit/kit.ts' },
  });
} catch {
  // esbuild has printed its messages (file:line and the reason) above.
  console.error('web:build: the bundle failed; see the messages above');
  process.exit(1);
}
const bad = Object.keys(result.metafile.inputs).filter((f) => NODE_ONLY.some((re) => re.test(f)));
if (bad.length > 0) {
  console.error(`web:build: Node-only modules in the browser bundle: ${bad.join(', ')}`);
  rmSync(out, { recursive: true, force: true });
  process.exit(1);
}
for (const f of ['index.html', 'style.css']) cpSync(join(here, f), join(out, f));
// The templates of `allocsim init`, which the Model editor opens.
mkdirSync(join(out, 'templates'));
const templates = readdirSync(join(root, 'templates'), { withFileTypes: true })
  .filter((t) => t.isDirectory() && existsSync(join(root, 'templates', t.name, 'allocator.ts')))
  .map((t) => t.name)
  // freelist first: the course's first assignment.
  .sort((a, b) => Number(b === 'freelist') - Number(a === 'freelist') || a.localeCompare(b));
for (const t of templates) cpSync(join(root, 'templates', t, 'allocator.ts'), join(out, 'templates', `${t}.ts`));
writeFileSync(join(out, 'templates', 'index.json'), `${JSON.stringify(templates)}\n`);
// What `allocsim grade` runs a model on by default (the same choice, made by the CLI's code),
// with the shipped traces copied beside it: the Model editor grades on the same inputs.
await import('../src/workloads/index.ts');
const { defaultInputs, TRACE_FILE_PARAM } = await import('../src/cli/grade-inputs.ts');
const sel = defaultInputs();
mkdirSync(join(out, 'grade'));
const inputs = sel.inputs.map((i) => {
  const file = i.params[TRACE_FILE_PARAM];
  if (typeof file !== 'string') return i;
  cpSync(file, join(out, 'grade', basename(file)));
  return { ...i, params: { ...i.params, [TRACE_FILE_PARAM]: basename(file) } };
});
writeFileSync(join(out, 'grade', 'inputs.json'), `${JSON.stringify({ inputs, notes: sel.notes }, null, 2)}\n`);
const sizes = Object.entries(result.metafile.outputs)
  .filter(([f]) => f.endsWith('.js'))
  .map(([f, o]) => `${relative(out, join(root, f))} ${(o.bytes / 1024).toFixed(0)} KiB`);
console.log(`web:build: ${relative(process.cwd(), out) || '.'}/ (${sizes.join(', ')})`);
