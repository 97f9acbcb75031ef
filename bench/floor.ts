/**
 * How fast could a configuration run if simulating the caches cost nothing?
 *
 *   node --import tsx bench/floor.ts ALLOCATOR WORKLOAD [--scale S] [--runs N]
 *
 * Runs the configuration as it is, then with the cache hierarchy replaced by a constant (every
 * access an L1 hit: no set lookups, no directory, no coherence), alternating, and prints the
 * median allocator operations per CPU second of each. The second figure is an upper bound on
 * what any faster cache model (tuned TypeScript, WebAssembly, native) could give: what remains is
 * the allocator model, the workload, the kernel, translation and page contents. The simulated
 * results of the second kind of run are meaningless (timing changes the schedule); only its speed
 * is of interest.
 */
import '../src/allocators/index.ts';
import '../src/workloads/index.ts';
import { runExperiment } from '../src/experiment/run.ts';
import { C_ACCESS, CacheHierarchy, COUNTERS_PER_ORIGIN } from '../src/machine/cache-hierarchy.ts';
import { firstLine, median, takeNumber } from './args.ts';
import { cpuSeconds } from './machine.ts';

function usage(msg: string): never {
  process.stderr.write(`bench/floor.ts: ${msg}\nusage: bench/floor.ts ALLOCATOR WORKLOAD [--scale S] [--runs N]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const scale = takeNumber(args, '--scale', 0.01, usage);
const runs = takeNumber(args, '--runs', 3, usage);
const [allocator, workload] = args;
if (allocator === undefined || workload === undefined || args.length !== 2) usage('name an allocator and a workload');

const real = CacheHierarchy.prototype.access;
function constant(this: CacheHierarchy, _core: number, _key: number, _ds: number, _write: boolean, origin: number): number {
  this.counts[origin * COUNTERS_PER_ORIGIN + C_ACCESS]!++; // keeps the access count right
  return this.l1Hit;
}

function rate(free: boolean): number {
  CacheHierarchy.prototype.access = free ? constant : real;
  const t0 = process.cpuUsage();
  let r: ReturnType<typeof runExperiment>;
  try {
    r = runExperiment({ allocator: allocator as string, workload: workload as string, workloadParams: { scale } });
  } catch (e) {
    usage(firstLine(e));
  }
  if (r.error !== undefined) usage(r.error.message);
  return r.time.ops / cpuSeconds(t0) / 1e6;
}

rate(false);
rate(true); // warm-up of both
const full: number[] = [];
const free: number[] = [];
for (let i = 0; i < runs; i++) {
  full.push(rate(false));
  free.push(rate(true));
}
process.stdout.write(`${allocator} on ${workload} (scale ${scale}), median of ${runs}, M allocator ops per CPU second:\n`);
process.stdout.write(`  as it is:                     ${median(full).toFixed(3)}\n`);
process.stdout.write(`  caches replaced by a constant: ${median(free).toFixed(3)}\n`);
