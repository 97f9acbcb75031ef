/**
 * A/B speed comparison of this checkout against another one, interleaved in one process:
 *
 *   node --import tsx bench/ab.ts OTHER_CHECKOUT machine [--rounds N] [--n ACCESSES]
 *   node --import tsx bench/ab.ts OTHER_CHECKOUT ALLOCATOR WORKLOAD [--scale S] [--rounds N]
 *
 * OTHER_CHECKOUT is a directory holding another version of this repository, with its packages
 * (e.g. `git worktree add ../base HEAD~3 && ln -s "$PWD/node_modules" ../base/`). Both versions' modules are loaded side by side, then each
 * round runs the same benchmark once with each (alternating which goes first), and the median of
 * the per-round ratios is printed. On a shared machine whose speed drifts from second to second,
 * this is far steadier than comparing separate processes: two identical checkouts give medians
 * within about ±5 % over 30 rounds, where single runs differ by up to ±40 %.
 *
 * `machine` is the machine-accesses micro-benchmark (bench/machine.ts); otherwise one end-to-end
 * run of ALLOCATOR on WORKLOAD, in allocator operations per CPU second.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { firstLine, median, takeNumber } from './args.ts';
import { cpuSeconds } from './machine.ts';

type Bench = () => number;

function usage(msg: string): never {
  process.stderr.write(
    `bench/ab.ts: ${msg}\nusage: bench/ab.ts OTHER_CHECKOUT (machine | ALLOCATOR WORKLOAD) [--scale S] [--rounds N] [--n ACCESSES]\n`,
  );
  process.exit(2);
}

async function benchOf(root: string, what: string[], scale: number, n: number): Promise<Bench> {
  const url = (rel: string): string => pathToFileURL(path.join(root, rel)).href;
  if (what[0] === 'machine') {
    const m = (await import(url('bench/machine.ts'))) as typeof import('./machine.ts');
    return () => m.machineAccesses(n).value / 1e6;
  }
  await import(url('src/allocators/index.ts'));
  await import(url('src/workloads/index.ts'));
  const { runExperiment } = (await import(url('src/experiment/run.ts'))) as typeof import('../src/experiment/run.ts');
  const [allocator, workload] = what as [string, string];
  return () => {
    const t0 = process.cpuUsage();
    const r = runExperiment({ allocator, workload, workloadParams: { scale } });
    if (r.error !== undefined) throw new Error(`${root}: ${r.error.message}`);
    return r.time.ops / cpuSeconds(t0) / 1e6;
  };
}

const args = process.argv.slice(2);
const rounds = takeNumber(args, '--rounds', 20, usage);
const scale = takeNumber(args, '--scale', 0.005, usage);
const n = takeNumber(args, '--n', 2_000_000, usage);
const [other, ...what] = args;
if (other === undefined || (what[0] !== 'machine' && what.length !== 2))
  usage('name another checkout, then `machine` or ALLOCATOR WORKLOAD');
const here = path.resolve(import.meta.dirname, '..');
const there = path.resolve(other);
if (here === there) usage('the other checkout is this one');
if (!existsSync(path.join(there, 'bench', 'machine.ts'))) usage(`${other} is not a checkout of allocsim (it has no bench/machine.ts)`);
const a = await benchOf(here, what, scale, n);
const b = await benchOf(there, what, scale, n);
try {
  a();
  b(); // warm-up of both
} catch (e) {
  usage(firstLine(e));
}
const ra: number[] = [];
const rb: number[] = [];
const ratio: number[] = [];
for (let r = 0; r < rounds; r++) {
  let x: number;
  let y: number;
  if (r % 2 === 0) {
    x = a();
    y = b();
  } else {
    y = b();
    x = a();
  }
  ra.push(x);
  rb.push(y);
  ratio.push(x / y);
}
const unit = what[0] === 'machine' ? 'M accesses/s' : 'M ops/s';
process.stdout.write(`this checkout: median ${median(ra).toFixed(3)} ${unit}\n`);
process.stdout.write(`${other}: median ${median(rb).toFixed(3)} ${unit}\n`);
process.stdout.write(
  `ratio this/other: median ${median(ratio).toFixed(3)} over ${rounds} rounds [min ${Math.min(...ratio).toFixed(3)}, max ${Math.max(...ratio).toFixed(3)}]\n`,
);
