/**
 * `npm run bench`: simulator-speed benchmarks (not part of `npm test`). Prints tables, or JSON with
 * --json. Micro-benchmark rates are per CPU second (user + system), which other load on the
 * machine disturbs far less than wall time. Each micro-benchmark runs in --processes separate
 * processes (default 3), each doing one untimed warm-up run and --runs timed runs (default 5); its
 * figure is the median of all the timed runs, shown with their range (on a shared machine one
 * process can run far slower or faster than another at the same moment, see docs/performance.md).
 * Then the CLI's start-up (bench/startup.ts: median of 10 starts each), the end-to-end
 * configurations (bench/e2e.ts), each the median of --e2e-runs processes (default 3), and the
 * scaling check. Last, issue 20's targets side by side (bench/targets.ts), with the 1-minute load
 * average before and after each wall-clock figure.
 *
 *   --quick         start-up and micro-benchmarks only (the targets table shows only the start-up)
 *   --no-long       skip the targets that take minutes (isoalloc-cmp-2020, npm start, 100 M ops)
 *   --targets       only issue 20's targets (with --no-long: the start-up, msgpass-4, Cachegrind)
 *   --build         compile dist/ first (npm run build), so bin/allocsim's figures are of it
 *   --cg-scale X --cg-runs N       the Cachegrind comparison's size and rounds (0.02, 3)
 *   --long-runs N                  runs of the isoalloc-cmp-2020 and npm start figures (1)
 *   --isoalloc-scale X --big-scale X   smaller long targets, to check the code (1, 0.521): no verdict
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { medianItem, rejectUnknown, runScript, takeNumber } from './args.ts';
import { E2E_CONFIGS, runE2e, scalingCheck, type E2eMedian } from './e2e.ts';
import type { BenchFigure } from './machine.ts';
import { measureStartup } from './startup.ts';
import { BIG_SCALE, formatTargets, measured, measureTargets, MSGPASS_CONFIG, type Measured } from './targets.ts';

const args = process.argv.slice(2);
const fail = (msg: string): never => {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
};
const runs = takeNumber(args, '--runs', 5, fail);
const processes = takeNumber(args, '--processes', 3, fail);
const e2eRuns = takeNumber(args, '--e2e-runs', 3, fail);
const cgScale = takeNumber(args, '--cg-scale', 0.02, fail);
const cgRuns = takeNumber(args, '--cg-runs', 3, fail);
const longRuns = takeNumber(args, '--long-runs', 1, fail);
const isoallocScale = takeNumber(args, '--isoalloc-scale', 1, fail);
const bigScale = takeNumber(args, '--big-scale', BIG_SCALE, fail);
const FLAGS = ['--json', '--quick', '--no-long', '--targets', '--build'];
rejectUnknown(
  args,
  FLAGS,
  fail,
  `${FLAGS.join(' ')} --runs N --processes N --e2e-runs N --cg-scale X --cg-runs N --long-runs N --isoalloc-scale X --big-scale X`,
);
const json = args.includes('--json');
const quick = args.includes('--quick');
const targetsOnly = args.includes('--targets');

if (args.includes('--build'))
  execFileSync(process.execPath, [join(import.meta.dirname, '..', 'tools', 'build.mjs')], { stdio: ['ignore', 2, 2] });

const cases: Array<{ name: string; target?: number; which: string }> = targetsOnly
  ? []
  : [
      { name: 'machine accesses', target: 8e6, which: 'machine' },
      { name: 'kernel events', target: 2e6, which: 'kernel' },
    ];

/** The timed runs of one micro-benchmark in a fresh process (after its warm-up run). */
function microRuns(which: string): BenchFigure[] {
  return runScript('micro-one.ts', [which, String(runs)]) as BenchFigure[];
}

const out: Array<BenchFigure & { runs: number; processes: number; min: number; max: number; target?: number }> = [];
for (const c of cases) {
  const figs = Array.from({ length: processes }, () => microRuns(c.which)).flat();
  const vals = figs.map((f) => f.value);
  const mid = medianItem(figs, (f) => f.value);
  out.push({ ...mid, runs: figs.length, processes, min: Math.min(...vals), max: Math.max(...vals), target: c.target });
}

const startup = measured(() => measureStartup(10));
const full = !quick && !targetsOnly;
const e2e: Array<Measured<E2eMedian>> = full ? E2E_CONFIGS.map((c) => measured(() => runE2e(...c, e2eRuns))) : [];
const scaling = full ? scalingCheck(e2eRuns) : undefined;
const targets = await measureTargets({
  startup,
  msgpass: e2e[E2E_CONFIGS.indexOf(MSGPASS_CONFIG)],
  e2eRuns,
  cgScale,
  cgRuns,
  longRuns,
  isoallocScale,
  bigScale,
  skipFast: quick ? 'not measured: --quick' : undefined,
  skipLong: quick ? 'not measured: --quick' : args.includes('--no-long') ? 'not measured: --no-long' : undefined,
});
if (targets.rows.some((r) => r.verdict === 'failed')) process.exitCode = 1;

const load = (l: [number, number]): string => `load ${l[0].toFixed(1)}-${l[1].toFixed(1)}`;
if (json) {
  const endToEnd = e2e.map((m) => ({ ...m.value, load: m.load }));
  process.stdout.write(
    `${JSON.stringify({ node: process.version, startup: startup.value, startupLoad: startup.load, results: out, endToEnd, scaling, targets }, null, 2)}\n`,
  );
} else {
  process.stdout.write(`start-up (${load(startup.load)})\n`);
  for (const s of startup.value)
    process.stdout.write(
      `start-up: ${s.command.padEnd(16)} ${s.medianSeconds.toFixed(3)} s  [min ${s.minSeconds.toFixed(3)}, max ${s.maxSeconds.toFixed(3)}, median of ${s.runs}]\n`,
    );
  for (const r of out) {
    const m = (v: number) => `${(v / 1e6).toFixed(2)} M`;
    const verdict =
      r.target === undefined ? '' : r.value >= r.target ? `  (target ${m(r.target)}: met)` : `  (target ${m(r.target)}: NOT met)`;
    process.stdout.write(
      `${r.name.padEnd(22)} ${m(r.value)} ${r.unit}  [min ${m(r.min)}, max ${m(r.max)}, ${r.runs} runs in ${r.processes} processes]${verdict}\n`,
    );
  }
  if (e2e.length > 0) {
    process.stdout.write(`\nend to end (the median of ${e2eRuns} processes each; rates per wall-clock second)\n`);
    process.stdout.write(
      `${'allocator'.padEnd(18)}${'workload'.padEnd(14)}${'ops'.padStart(10)}${'M ops/s'.padStart(9)}${'range'.padStart(13)}${'M acc/s'.padStart(9)}${'M ev/s'.padStart(8)}${'peak MiB'.padStart(10)}  load\n`,
    );
    for (const { value: f, load: l } of e2e) {
      const rate = (n: number, wall = f.wallSeconds): string => (n / wall / 1e6).toFixed(2);
      const range = `${rate(f.ops, f.wallMax)}-${rate(f.ops, f.wallMin)}`;
      process.stdout.write(
        `${f.allocator.padEnd(18)}${f.workload.padEnd(14)}${String(f.ops).padStart(10)}${rate(f.ops).padStart(9)}${range.padStart(13)}${rate(f.accesses).padStart(9)}${rate(f.events).padStart(8)}${f.peakProcessMiB.toFixed(0).padStart(10)}  ${l[0].toFixed(1)}-${l[1].toFixed(1)}\n`,
      );
    }
  }
  if (scaling !== undefined) {
    process.stdout.write(
      `\nscaling: glibc-simple with twice the operations took ${scaling.timeRatio.toFixed(2)}x the time and ${scaling.memoryRatio.toFixed(2)}x the peak memory\n`,
    );
  }
  process.stdout.write(`\n${formatTargets(targets)}`);
}
