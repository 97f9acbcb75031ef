/**
 * `npm run bench`: simulator-speed benchmarks (not part of `npm test`). Prints a table, or JSON with
 * --json. Micro-benchmark rates are per CPU second (user + system), which other load on the
 * machine disturbs far less than wall time. Each micro-benchmark runs in --processes separate
 * processes (default 3), each doing one untimed warm-up run and --runs timed runs (default 5); its
 * figure is the median of all the timed runs, shown with their range (on a shared machine one
 * process can run far slower or faster than another at the same moment, see docs/performance.md).
 * First the CLI's start-up (bench/startup.ts: median of 10 starts each). Then the end-to-end configurations (bench/e2e.ts), each the median of --e2e-runs processes
 * (default 3), and the scaling check; `--quick` skips those.
 */
import { medianItem, runScript, takeNumber } from './args.ts';
import { E2E_CONFIGS, runE2e, scalingCheck, type E2eMedian } from './e2e.ts';
import type { BenchFigure } from './machine.ts';
import { measureStartup } from './startup.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const fail = (msg: string): never => {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
};
const runs = takeNumber(args, '--runs', 5, fail);
const processes = takeNumber(args, '--processes', 3, fail);
const e2eRuns = takeNumber(args, '--e2e-runs', 3, fail);

const cases: Array<{ name: string; target?: number; which: string }> = [
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

const startup = measureStartup(10);
const e2e: E2eMedian[] = args.includes('--quick') ? [] : E2E_CONFIGS.map(([a, w, p]) => runE2e(a, w, p, e2eRuns));
const scaling = args.includes('--quick') ? undefined : scalingCheck(e2eRuns);

if (json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, startup, results: out, endToEnd: e2e, scaling }, null, 2)}\n`);
} else {
  for (const s of startup) process.stdout.write(`start-up: ${s.command.padEnd(16)} ${s.medianSeconds.toFixed(3)} s  [min ${s.minSeconds.toFixed(3)}, max ${s.maxSeconds.toFixed(3)}, median of ${s.runs}]${s.command === 'allocsim --help' ? `  (target 0.200 s: ${s.medianSeconds <= 0.2 ? 'met' : 'NOT met'})` : ''}\n`);
  for (const r of out) {
    const m = (v: number) => `${(v / 1e6).toFixed(2)} M`;
    const verdict = r.target === undefined ? '' : r.value >= r.target ? `  (target ${m(r.target)}: met)` : `  (target ${m(r.target)}: NOT met)`;
    process.stdout.write(`${r.name.padEnd(22)} ${m(r.value)} ${r.unit}  [min ${m(r.min)}, max ${m(r.max)}, ${r.runs} runs in ${r.processes} processes]${verdict}\n`);
  }
  if (e2e.length > 0) {
    process.stdout.write(`\nend to end (the median of ${e2eRuns} processes each; rates per wall-clock second)\n`);
    process.stdout.write(`${'allocator'.padEnd(18)}${'workload'.padEnd(14)}${'ops'.padStart(10)}${'M ops/s'.padStart(9)}${'range'.padStart(13)}${'M acc/s'.padStart(9)}${'M ev/s'.padStart(8)}${'peak MiB'.padStart(10)}\n`);
    for (const f of e2e) {
      const rate = (n: number, wall = f.wallSeconds): string => (n / wall / 1e6).toFixed(2);
      const range = `${rate(f.ops, f.wallMax)}-${rate(f.ops, f.wallMin)}`;
      process.stdout.write(`${f.allocator.padEnd(18)}${f.workload.padEnd(14)}${String(f.ops).padStart(10)}${rate(f.ops).padStart(9)}${range.padStart(13)}${rate(f.accesses).padStart(9)}${rate(f.events).padStart(8)}${f.peakProcessMiB.toFixed(0).padStart(10)}\n`);
    }
  }
  if (scaling !== undefined) {
    process.stdout.write(`\nscaling: glibc-simple with twice the operations took ${scaling.timeRatio.toFixed(2)}x the time and ${scaling.memoryRatio.toFixed(2)}x the peak memory\n`);
  }
}
