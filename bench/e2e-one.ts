/**
 * One end-to-end configuration, in its own process so its peak memory is its own:
 *   node --import tsx bench/e2e-one.ts ALLOCATOR WORKLOAD [key=value ...]
 * Prints one JSON line: operations, accesses and kernel events with wall and CPU seconds, and the
 * process's peak resident memory.
 */
import '../src/allocators/index.ts';
import '../src/workloads/index.ts';
import { runExperiment } from '../src/experiment/run.ts';

const [allocator, workload, ...rest] = process.argv.slice(2);
if (allocator === undefined || workload === undefined) {
  console.error('usage: e2e-one.ts ALLOCATOR WORKLOAD [key=value ...]');
  process.exit(2);
}
const workloadParams = Object.fromEntries(
  rest.map((kv) => {
    const [k, v] = kv.split('=');
    return [k as string, Number(v)];
  }),
);
const c0 = process.cpuUsage();
const t0 = performance.now();
const r = runExperiment({ allocator, workload, workloadParams });
const wall = (performance.now() - t0) / 1000;
const cu = process.cpuUsage(c0);
if (r.error !== undefined) {
  console.error(`${allocator} on ${workload}: ${r.error.message}`);
  process.exit(1);
}
console.log(
  JSON.stringify({
    allocator,
    workload,
    params: workloadParams,
    ops: r.time.ops,
    accesses: r.cache.accesses,
    events: r.kernel.events,
    wallSeconds: wall,
    cpuSeconds: (cu.user + cu.system) / 1e6,
    peakProcessMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
