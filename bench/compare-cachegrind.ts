/**
 * allocsim against Cachegrind on the same single-threaded operation sequence (issues 11 and 20):
 * bench/native/glibc-simple.c runs the `glibc-simple` workload's loops on the real glibc, natively
 * and under `valgrind --tool=cachegrind`; allocsim runs the workload on its `glibc` model in this
 * process. The three run side by side: each round runs native, then Cachegrind, then allocsim, so
 * the machine's drift hits them alike. Prints allocator operations per wall-clock second for each
 * (medians of the rounds) and allocsim's rate over Cachegrind's (the median of the rounds' ratios,
 * with their range). Skipped (with a message) when gcc or valgrind is missing.
 * `npm run bench` shows the same comparison among issue 20's targets (bench/targets.ts).
 *
 *   node --import tsx bench/compare-cachegrind.ts [--scale 0.001] [--runs 3] [--json]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/allocators/index.ts';
import '../src/workloads/index.ts';
import { runExperiment } from '../src/experiment/run.ts';
import { median, takeNumber, rejectUnknown } from './args.ts';

export interface CachegrindComparison {
  sequence: string;
  rounds: number;
  ops: { native: number; allocsim: number };
  /** Medians over the rounds. */
  opsPerSecond: { native: number; cachegrind: number; allocsim: number };
  seconds: { native: number; cachegrind: number; allocsim: number };
  /** The median of the rounds' allocsim / Cachegrind rate ratios, with their range. */
  allocsimOverCachegrind: number;
  ratioMin: number;
  ratioMax: number;
}

/** Why the comparison cannot run here, or undefined when it can. */
export function cachegrindMissing(): string | undefined {
  const have = (tool: string): boolean => spawnSync('which', [tool]).status === 0;
  return have('gcc') && have('valgrind') ? undefined : 'needs gcc and valgrind on the PATH';
}

/** Wall seconds of one run of a command, and its stdout. */
function timeCmd(cmd: string, argv: string[]): { seconds: number; out: string } {
  const t0 = performance.now();
  const out = execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return { seconds: (performance.now() - t0) / 1000, out };
}

/**
 * `runs` rounds of native glibc, Cachegrind and allocsim's glibc model on glibc-simple at `scale`
 * (2,000,000 × scale iterations). Check cachegrindMissing() first.
 */
export function compareCachegrind(scale: number, runs: number): CachegrindComparison {
  const iterations = Math.max(1, Math.round(2_000_000 * scale));
  const dir = mkdtempSync(join(tmpdir(), 'allocsim-cg-'));
  try {
    const exe = join(dir, 'glibc-simple');
    execFileSync('gcc', ['-O2', '-pthread', '-o', exe, join(import.meta.dirname, 'native', 'glibc-simple.c')]);
    // Cachegrind with explicit cache sizes (this VM's CPUID reports an odd LL), like the default machine.
    const cgArgs = [
      '--tool=cachegrind',
      '--cache-sim=yes',
      `--cachegrind-out-file=${join(dir, 'cg.out')}`,
      '--I1=32768,8,64',
      '--D1=32768,8,64',
      '--LL=16777216,16,64',
      exe,
      String(iterations),
    ];
    const t = { native: [] as number[], cachegrind: [] as number[], allocsim: [] as number[] };
    const ratios: number[] = [];
    let ops = 0;
    let simOps = 0;
    for (let i = 0; i < runs; i++) {
      const native = timeCmd(exe, [String(iterations)]);
      ops = Number(native.out.trim());
      const cg = timeCmd('valgrind', cgArgs).seconds;
      const t0 = performance.now();
      const r = runExperiment({ allocator: 'glibc', workload: 'glibc-simple', workloadParams: { scale } });
      const sim = (performance.now() - t0) / 1000;
      if (r.error !== undefined) throw new Error(`allocsim glibc on glibc-simple: ${r.error.message}`);
      simOps = r.time.ops;
      t.native.push(native.seconds);
      t.cachegrind.push(cg);
      t.allocsim.push(sim);
      ratios.push(simOps / sim / (ops / cg));
    }
    const seconds = { native: median(t.native), cachegrind: median(t.cachegrind), allocsim: median(t.allocsim) };
    return {
      sequence: `glibc-simple, iterations ${iterations}`,
      rounds: runs,
      ops: { native: ops, allocsim: simOps },
      opsPerSecond: { native: ops / seconds.native, cachegrind: ops / seconds.cachegrind, allocsim: simOps / seconds.allocsim },
      seconds,
      allocsimOverCachegrind: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const args = process.argv.slice(2);
  const fail = (msg: string): never => {
    process.stderr.write(`compare-cachegrind: ${msg}\n`);
    process.exit(2);
  };
  const scale = takeNumber(args, '--scale', 0.001, fail);
  const runs = takeNumber(args, '--runs', 3, fail);
  rejectUnknown(args, ['--json'], fail, '--scale X --runs N --json');
  const missing = cachegrindMissing();
  if (missing !== undefined) {
    console.log(`compare-cachegrind: skipped (${missing})`);
    process.exit(0);
  }
  const row = compareCachegrind(scale, runs);
  if (args.includes('--json')) {
    console.log(JSON.stringify(row, null, 2));
  } else {
    const m = (v: number): string => `${(v / 1e6).toFixed(2)} M ops/s`;
    console.log(
      `sequence: ${row.sequence} (${row.ops.native} operations natively, ${row.ops.allocsim} in allocsim; medians of ${runs} rounds)`,
    );
    console.log(`native glibc           ${m(row.opsPerSecond.native)}  (${row.seconds.native.toFixed(2)} s)`);
    console.log(`glibc under cachegrind ${m(row.opsPerSecond.cachegrind)}  (${row.seconds.cachegrind.toFixed(2)} s)`);
    console.log(`allocsim glibc model   ${m(row.opsPerSecond.allocsim)}  (${row.seconds.allocsim.toFixed(2)} s)`);
    console.log(
      `allocsim / cachegrind: ${row.allocsimOverCachegrind.toFixed(2)}x [${row.ratioMin.toFixed(2)}-${row.ratioMax.toFixed(2)}] (target 1x, long-term goal 2x)`,
    );
  }
}
