/**
 * `allocsim init <dir> [--template freelist|buckets|xv6] [--no-link]`: a ready student project —
 * allocator.ts (a working model to start from), allocator.test.ts, a README with the assignment
 * ladder, package.json and tsconfig.json.
 *
 * The project depends on this allocsim checkout through a `file:` dependency. init also makes the
 * links `npm install` would make (node_modules/allocsim -> the checkout, node_modules/.bin/allocsim),
 * so `npx allocsim check allocator.ts` works at once, offline; `npm install` recreates them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { COMMANDS } from './spec.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { ALLOCSIM_ROOT } from '../package-root.ts';

export const TEMPLATES = {
  freelist: 'first-fit free list with a 16-byte header, splitting, coalescing, one lock (CS3650 HW08 made thread-safe)',
  buckets: 'size-class buckets: a page per size with its header and free bitmap at the page start (the course notes)',
  xv6: "xv6/K&R next-fit free list with a roving pointer, carving from the high end (the challenge's fallback baseline)",
} as const;
export type TemplateName = keyof typeof TEMPLATES;

function packageName(dir: string): string {
  const n = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '');
  return n === '' ? 'my-allocator' : n;
}

/** The files of a new project, by relative path. */
export function projectFiles(dir: string, template: TemplateName): Record<string, string> {
  const tdir = join(ALLOCSIM_ROOT, 'templates');
  const readme = readFileSync(join(tdir, 'README.md'), 'utf8')
    .replaceAll('{{TEMPLATE}}', template)
    .replaceAll('{{TEMPLATE_SUMMARY}}', TEMPLATES[template])
    .replaceAll('{{ALLOCSIM}}', ALLOCSIM_ROOT);
  const pkg = {
    name: packageName(dir),
    private: true,
    type: 'module',
    description: `allocator coursework (allocsim template ${template})`,
    scripts: {
      check: 'allocsim check allocator.ts',
      test: 'node --import allocsim/register --test allocator.test.ts',
      grade: 'allocsim grade allocator.ts',
      steps: 'allocsim run -a ./allocator.ts -w random -p threads=1 -p ops=12 -p maxSize=200 --steps',
      heapmap: 'allocsim run -a ./allocator.ts -w random -p ops=3000 --heapmap heap.svg',
    },
    devDependencies: { allocsim: `file:${ALLOCSIM_ROOT}` },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
    },
    include: ['*.ts'],
  };
  return {
    'allocator.ts': readFileSync(join(tdir, template, 'allocator.ts'), 'utf8'),
    'allocator.test.ts': readFileSync(join(tdir, template, 'allocator.test.ts'), 'utf8'),
    'README.md': readme,
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    '.gitignore': 'node_modules/\n*.svg\n',
  };
}

/** The links `npm install` makes for a file: dependency. */
function linkAllocsim(dir: string): void {
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, '.bin'), { recursive: true });
  symlinkSync(ALLOCSIM_ROOT, join(nm, 'allocsim'), 'dir');
  symlinkSync(relative(join(nm, '.bin'), join(nm, 'allocsim', 'bin', 'allocsim')), join(nm, '.bin', 'allocsim'));
}

function checkTarget(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} exists and is not a directory; give a new or empty directory`);
  if (readdirSync(dir).length > 0) throw new UsageError(`${dir} is not empty; refusing to overwrite it: give a new or empty directory`);
}

/**
 * Creates `dir` and its missing parents one level at a time (mkdir's recursive mode loops forever
 * under /proc) and returns the topmost directory it created, or undefined if `dir` existed.
 */
function makeDirs(dir: string): string | undefined {
  const abs = resolve(dir);
  const missing: string[] = [];
  for (let d = abs; !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) mkdirSync(d);
  return missing[0];
}

export function initProject(dir: string, template: TemplateName, link: boolean): string[] {
  checkTarget(dir);
  const files = projectFiles(dir, template); // everything is read before anything is written
  let created: string | undefined;
  try {
    created = makeDirs(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { flag: 'wx' });
    if (link) linkAllocsim(dir);
  } catch (e) {
    // Nothing half-written: remove what this command made.
    if (created !== undefined) rmSync(created, { recursive: true, force: true });
    else for (const name of [...Object.keys(files), 'node_modules']) rmSync(join(dir, name), { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(`cannot create the project in ${dir} (${code}); give a new or empty directory you can write to`);
  }
  return Object.keys(files);
}

export function registerInit(y: Argv, io: Io): Argv {
  return y.command(
    COMMANDS.init.command,
    COMMANDS.init.describe,
    (b) =>
      b
        .positional('dir', { type: 'string', demandOption: true, describe: 'new (or empty) directory' })
        .option('template', { type: 'string', default: 'freelist', describe: `starting model: ${Object.keys(TEMPLATES).join(', ')}` })
        .option('link', { type: 'boolean', default: true, describe: 'link node_modules/allocsim to this checkout (as npm install would)' }),
    (args) => {
      const template = String(args.template);
      if (!(template in TEMPLATES))
        throw new UsageError(`unknown template '${template}'; choose from ${Object.keys(TEMPLATES).join(', ')}`);
      const dir = String(args.dir);
      const files = initProject(dir, template as TemplateName, args.link !== false);
      io.out(
        [
          `created ${dir} from the ${template} template (${TEMPLATES[template as TemplateName]}):`,
          ...files.map((f) => `  ${f}`),
          args.link !== false ? `  node_modules/allocsim -> ${ALLOCSIM_ROOT}` : '  (no links: run npm install)',
          '',
          'next:',
          `  cd ${dir}`,
          '  npx allocsim check allocator.ts    # contract, invariant suite, coursework workloads',
          '  npm test                           # your unit tests',
          '  npx allocsim grade allocator.ts    # utilization, throughput, Perf index',
          '',
        ].join('\n'),
      );
    },
  );
}
