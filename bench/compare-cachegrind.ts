/**
 * allocsim against Cachegrind on the same single-threaded operation sequence (issue 11):
 * bench/native/glibc-simple.c runs the `glibc-simple` workload's loops on the real glibc, natively
 * and under `valgrind --tool=cachegrind`; allocsim runs the workload on its `glibc` model. Prints
 * allocator operations per wall-clock second for each and the ratio. Skipped (with a message) when
 * gcc or valgrind is missing.
 *
 *   node --import tsx bench/compare-cachegrind.ts [--scale 0.001] [--runs 3] [--json]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/allocators/index.ts';
import '../src/workloads/index.ts';
import { runExperiment } from '../src/experiment/run.ts';
import { median } from './args.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const scale = opt('scale', 0.001);
const runs = opt('runs', 3);
const iterations = Math.max(1, Math.round(2_000_000 * scale));

function have(tool: string): boolean {
  return spawnSync('which', [tool]).status === 0;
}

/** Wall seconds of a command (median of `runs`) and its stdout. */
function timeCmd(cmd: string, argv: string[]): { seconds: number; out: string } {
  const times: number[] = [];
  let out = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    out = execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    times.push((performance.now() - t0) / 1000);
  }
  return { seconds: median(times), out };
}

if (!have('gcc') || !have('valgrind')) {
  console.log('compare-cachegrind: skipped (needs gcc and valgrind on the PATH)');
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'allocsim-cg-'));
const exe = join(dir, 'glibc-simple');
execFileSync('gcc', ['-O2', '-pthread', '-o', exe, join(import.meta.dirname, 'native', 'glibc-simple.c')]);

const native = timeCmd(exe, [String(iterations)]);
const ops = Number(native.out.trim());
// Cachegrind with explicit cache sizes (this VM's CPUID reports an odd LL), like the default machine.
const cg = timeCmd('valgrind', [
  '--tool=cachegrind', '--cache-sim=yes', `--cachegrind-out-file=${join(dir, 'cg.out')}`,
  '--I1=32768,8,64', '--D1=32768,8,64', '--LL=16777216,16,64', exe, String(iterations),
]);

const simTimes: number[] = [];
let simOps = 0;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = runExperiment({ allocator: 'glibc', workload: 'glibc-simple', workloadParams: { scale } });
  simTimes.push((performance.now() - t0) / 1000);
  simOps = r.time.ops;
}
const sim = median(simTimes);

const row = {
  sequence: `glibc-simple, iterations ${iterations}`,
  ops: { native: ops, allocsim: simOps },
  opsPerSecond: { native: ops / native.seconds, cachegrind: ops / cg.seconds, allocsim: simOps / sim },
  seconds: { native: native.seconds, cachegrind: cg.seconds, allocsim: sim },
};
const ratio = row.opsPerSecond.allocsim / row.opsPerSecond.cachegrind;
if (args.includes('--json')) {
  console.log(JSON.stringify({ ...row, allocsimOverCachegrind: ratio }, null, 2));
} else {
  const m = (v: number): string => `${(v / 1e6).toFixed(2)} M ops/s`;
  console.log(`sequence: ${row.sequence} (${ops} operations natively, ${simOps} in allocsim)`);
  console.log(`native glibc          ${m(row.opsPerSecond.native)}  (${native.seconds.toFixed(2)} s)`);
  console.log(`glibc under cachegrind ${m(row.opsPerSecond.cachegrind)}  (${cg.seconds.toFixed(2)} s)`);
  console.log(`allocsim glibc model  ${m(row.opsPerSecond.allocsim)}  (${sim.toFixed(2)} s)`);
  console.log(`allocsim / cachegrind: ${ratio.toFixed(2)}x (target 2x)`);
}
