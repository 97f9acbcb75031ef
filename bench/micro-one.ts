/**
 * One process's runs of a micro-benchmark, for bench/run.ts:
 *   node --import tsx bench/micro-one.ts (machine | kernel) RUNS
 * One untimed warm-up run (the JIT compiles the hot paths), then RUNS timed runs; prints their
 * figures as one JSON line.
 */
import { kernelEvents, machineAccesses, type BenchFigure } from './machine.ts';

const [which, runsText] = process.argv.slice(2);
const fn: (() => BenchFigure) | undefined =
  which === 'machine' ? () => machineAccesses() : which === 'kernel' ? () => kernelEvents() : undefined;
const runs = Number(runsText);
if (fn === undefined || !(runs >= 1)) {
  console.error('usage: micro-one.ts (machine | kernel) RUNS');
  process.exit(2);
}
fn();
console.log(JSON.stringify(Array.from({ length: runs }, () => fn())));
