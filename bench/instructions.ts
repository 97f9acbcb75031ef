/**
 * Instructions and host cache misses per step of the machine benchmark, counted by Cachegrind: a
 * speed measure that does not drift. Wall and CPU time on the shared development machine vary by
 * up to ±40 % between processes (docs/performance.md); instruction counts repeat to within a few
 * tenths of a percent, so they can tell a 2 % change.
 *
 *   node --import tsx bench/instructions.ts [OTHER_CHECKOUT] [--steps N]
 *
 * The benchmark's stream of steps is generated here; each checkout is compiled to JavaScript
 * (tsc, into a temporary directory) and runs the first 0.2 N and 1.2 N steps (N = 1,000,000 by
 * default) under `valgrind --tool=cachegrind`, in parallel; the difference, per step, is the
 * machine's work with start-up, compilation and the first steps cancelled out. Node runs with --single-threaded (the JIT compiles on the main thread, so the
 * steps run the optimised code as they would natively). The last level is set to a 1 MiB cache,
 * the development machine's per-core L2: its misses are the host memory stalls that dominate the
 * simulator. With OTHER_CHECKOUT (another checkout of this repository with its packages, e.g.
 * `git worktree add ../base HEAD~1 && ln -s "$PWD/node_modules" ../base/`), both are measured
 * and the ratios printed. Needs valgrind.
 *
 *   node --import tsx bench/instructions.ts [OTHER_CHECKOUT] --run ALLOCATOR WORKLOAD [--scale S]
 *
 * counts per allocator operation of an end-to-end run instead: the run of ALLOCATOR on WORKLOAD at
 * scale S (default 0.0008) minus the run at S / 4, divided by the difference in operations. At
 * these sizes the JIT has not finished with every path, so the figure includes some compilation;
 * it is for comparing two checkouts on the same run, not an absolute cost. Each checkout's figure
 * repeats to within 0.2 %, but the JIT's timing moves with any change to the code, so differences
 * of a few percent between checkouts may be the JIT's rather than the change's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firstLine, takeNumber } from './args.ts';
import { machineStream } from './machine.ts';

interface Counts {
  instructions: number;
  l1Misses: number;
  hostL2Misses: number;
}

function fail(msg: string): never {
  process.stderr.write(`bench/instructions.ts: ${msg}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const steps = takeNumber(args, '--steps', 1_000_000, fail);
const scale = takeNumber(args, '--scale', 0.0008, fail);
const runAt = args.indexOf('--run');
const run = runAt < 0 ? null : { allocator: args[runAt + 1], workload: args[runAt + 2] };
if (run !== null) {
  if (run.allocator === undefined || run.workload === undefined || run.workload.startsWith('--')) fail('--run needs ALLOCATOR WORKLOAD');
  args.splice(runAt, 3);
}
const others = args.filter((a) => !a.startsWith('--'));
if (others.length > 1) fail(`expected at most one other checkout, got ${others.join(' ')}`);
if (spawnSync('valgrind', ['--version']).status !== 0)
  fail('valgrind is not installed; install it (e.g. apt-get install valgrind) to count instructions');
const here = path.resolve(import.meta.dirname, '..');
const roots = [here, ...others.map((o) => path.resolve(o))];
for (const r of roots.slice(1)) {
  if (!existsSync(path.join(r, 'bench', 'machine.ts')) || !existsSync(path.join(r, 'node_modules'))) {
    fail(`${r} is not a checkout of allocsim with its packages (it needs bench/machine.ts and node_modules)`);
  }
}

/**
 * Compiles checkout `root` to JavaScript; returns the output directory. The benchmark harness
 * (bench/machine.js) is always this checkout's, so an older checkout is measured on the same steps.
 */
function compile(root: string): string {
  const out = mkdtempSync(path.join(tmpdir(), 'allocsim-js-'));
  const tsc = path.join(here, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      '-p',
      root,
      '--noEmit',
      'false',
      '--outDir',
      out,
      '--rootDir',
      root,
      '--rewriteRelativeImportExtensions',
      '--allowImportingTsExtensions',
      'false',
      '--declaration',
      'false',
    ],
    { encoding: 'utf8' },
  );
  if (!existsSync(path.join(out, 'src', 'machine', 'index.js'))) fail(`compiling ${root} failed: ${firstLine(r.stdout || r.stderr || '')}`);
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}\n');
  symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'));
  return out;
}

/**
 * The stream of steps, generated once here and read by every measured process, so generating it
 * is not counted; the regions' addresses are checked to be the same in the measured checkout.
 */
const lo = run !== null ? scale / 4 : Math.round(steps / 5);
const hi = run !== null ? scale : lo + steps;
const streamFile = path.join(mkdtempSync(path.join(tmpdir(), 'allocsim-steps-')), 'steps.bin');
// (With --run there is no stream: an empty one.)
const stream = machineStream(run !== null ? 0 : hi);
writeFileSync(streamFile, Buffer.concat([Buffer.from(stream.addr.buffer), Buffer.from(stream.kind.buffer)]));
const regions = JSON.stringify(stream.regions);

/** The script of one measured process: the first `n` steps of the stream, or with --run, the run at scale `n`. */
function scriptOf(js: string, n: number): string {
  if (run !== null) {
    const url = (rel: string) => JSON.stringify(path.join(js, rel));
    return `await import(${url('src/allocators/index.js')});
await import(${url('src/workloads/index.js')});
const { runExperiment } = await import(${url('src/experiment/run.js')});
const r = runExperiment({ allocator: ${JSON.stringify(run.allocator)}, workload: ${JSON.stringify(run.workload)}, workloadParams: { scale: ${n} } });
if (r.error !== undefined) { console.error(r.error.message); process.exit(3); }
console.log(JSON.stringify({ ops: r.time.ops }));`;
  }
  return `import { readFileSync } from 'node:fs';
const m = await import(${JSON.stringify(path.join(js, 'bench', 'machine.js'))});
const b = readFileSync(${JSON.stringify(streamFile)});
const addr = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + ${8 * hi}));
const kind = new Uint8Array(b.buffer.slice(b.byteOffset + ${8 * hi}, b.byteOffset + ${9 * hi}));
const s = m.machineSetup();
if (JSON.stringify(s.regions) !== ${JSON.stringify(regions)}) { console.error('the benchmark regions are mapped at other addresses in this checkout'); process.exit(3); }
m.runMachineStream({ ...s, kind: kind.subarray(0, ${n}), addr: addr.subarray(0, ${n}) });`;
}

/** Cachegrind's totals for one process (see scriptOf), with the operations it reports (--run). */
function cachegrind(js: string, n: number): Promise<Counts & { ops: number }> {
  const script = scriptOf(js, n);
  const argv = [
    '--tool=cachegrind',
    '--cache-sim=yes',
    '--LL=1048576,16,64',
    '--cachegrind-out-file=/dev/null',
    process.execPath,
    '--single-threaded',
    '--input-type=module',
    '-e',
    script,
  ];
  return new Promise((resolve) => {
    const p = spawn('valgrind', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => {
      if (code !== 0)
        fail(
          `the benchmark failed under valgrind (exit ${code}): ${firstLine(
            err
              .split('\n')
              .filter((l) => !l.startsWith('=='))
              .join('\n'),
          )}`,
        );
      const num = (label: RegExp): number => {
        const m = label.exec(err);
        if (m === null) fail(`no "${label.source}" in valgrind's output: ${firstLine(err)}`);
        return Number((m[1] as string).replace(/,/g, ''));
      };
      resolve({
        instructions: num(/I\s+refs:\s+([\d,]+)/),
        l1Misses: num(/D1\s+misses:\s+([\d,]+)/),
        hostL2Misses: num(/LLd misses:\s+([\d,]+)/),
        ops: run === null ? 0 : Number((JSON.parse(out.trim().split('\n').pop() ?? '{}') as { ops?: number }).ops),
      });
    });
  });
}

const ownJs = compile(here);

/** Counts per step: the run of `hi` steps minus the run of `lo` (start-up, compilation and the first steps cancel out). */
async function measure(root: string): Promise<Counts> {
  const js = root === here ? ownJs : compile(root);
  if (js !== ownJs) copyFileSync(path.join(ownJs, 'bench', 'machine.js'), path.join(js, 'bench', 'machine.js'));
  try {
    const [a, b] = await Promise.all([cachegrind(js, hi), cachegrind(js, lo)]);
    const per = run !== null ? a.ops - b.ops : steps;
    if (!(per > 0)) fail(`the runs at scales ${lo} and ${hi} made the same number of operations; give a larger --scale`);
    return {
      instructions: (a.instructions - b.instructions) / per,
      l1Misses: (a.l1Misses - b.l1Misses) / per,
      hostL2Misses: (a.hostL2Misses - b.hostL2Misses) / per,
    };
  } finally {
    if (js !== ownJs) rmSync(js, { recursive: true, force: true });
  }
}

const results: Counts[] = [];
for (const r of roots) {
  const c = await measure(r);
  results.push(c);
  process.stdout.write(
    `${path.relative(process.cwd(), r) || '.'}: per ${run !== null ? 'operation' : 'step'} ${c.instructions.toFixed(0)} instructions, ${c.l1Misses.toFixed(2)} L1d misses, ${c.hostL2Misses.toFixed(3)} misses of a 1 MiB L2\n`,
  );
}
rmSync(ownJs, { recursive: true, force: true });
rmSync(path.dirname(streamFile), { recursive: true, force: true });
if (results.length === 2) {
  const [a, b] = results as [Counts, Counts];
  process.stdout.write(
    `this/other: instructions ×${(a.instructions / b.instructions).toFixed(3)}, L1d misses ×${(a.l1Misses / b.l1Misses).toFixed(3)}, L2 misses ×${(a.hostL2Misses / b.hostL2Misses).toFixed(3)}\n`,
  );
}
