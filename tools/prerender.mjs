// Renders dist/prerendered/ (src/cli/prerendered.ts): runs the compiled CLI's main, in this process,
// for every command line and width the fast path serves, and keeps the bytes it wrote to stdout.
// tools/build.mjs runs it after compiling, before it stamps dist/, with stdout a pipe and NO_COLOR
// set: what the CLI prints off a terminal, uncoloured. A command line that fails or writes to
// stderr fails the build.
//
//   node tools/prerender.mjs DIST
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? 'dist');
const { main } = await import(pathToFileURL(join(dist, 'cli.mjs')).href);
const { prerenderings } = await import(pathToFileURL(join(dist, 'prerendered.mjs')).href);
if (process.stdout.isTTY || process.env.NO_COLOR !== '1') throw new Error('prerender: run it with stdout not a terminal and NO_COLOR=1');

/** What `main(argv)` writes to stdout and stderr, with stdout's `columns` as given. */
async function capture(argv, columns) {
  const out = [];
  const err = [];
  const { write: outWrite } = process.stdout;
  const { write: errWrite } = process.stderr;
  const keep = (to) => (chunk, encoding, done) => {
    to.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk));
    if (typeof encoding === 'function') encoding();
    else if (typeof done === 'function') done();
    return true;
  };
  Object.defineProperty(process.stdout, 'columns', { value: columns, configurable: true, writable: true });
  process.stdout.write = keep(out);
  process.stderr.write = keep(err);
  let code;
  try {
    code = await main([...argv]);
  } finally {
    process.stdout.write = outWrite;
    process.stderr.write = errWrite;
    delete process.stdout.columns;
  }
  return { code, out: Buffer.concat(out), err: Buffer.concat(err).toString() };
}

const dir = join(dist, 'prerendered');
mkdirSync(dir, { recursive: true });
for (const { argv, columns, file } of prerenderings()) {
  const r = await capture(argv, columns);
  if (r.code !== 0 || r.err !== '') throw new Error(`prerender: allocsim ${argv.join(' ')} exited ${r.code}: ${r.err.trim()}`);
  writeFileSync(join(dir, file), r.out);
}
