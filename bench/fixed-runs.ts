/**
 * The fixed set of runs every machine or speed change is checked against: prints one JSON object
 * per run (sorted keys), so two checkouts can be compared with diff. `--fields memory` keeps only the
 * figures a timing change must not move (RSS, page faults, system calls, live bytes).
 *
 *   node --import tsx bench/fixed-runs.ts > a.jsonl
 *   node --import tsx bench/fixed-runs.ts --fields memory > a-memory.jsonl
 */
import '../src/allocators/index.ts';
import '../src/workloads/index.ts';
import { runExperiment } from '../src/experiment/run.ts';
import { machinePreset } from '../src/machine/presets.ts';

export const FIXED_RUNS: ReadonlyArray<{ allocator: string; workload: string; params?: Record<string, number | string | boolean> }> = [
  { allocator: 'snmalloc', workload: 'msgpass-2' },
  { allocator: 'mimalloc', workload: 'msgpass-2' },
  { allocator: 'glibc', workload: 'larson-4' },
  { allocator: 'glibc', workload: 'xmalloc-test-2' },
  { allocator: 'glibc', workload: 'glibc-simple' },
  { allocator: 'freelist', workload: 'random' },
  { allocator: 'isoalloc', workload: 'random' },
  { allocator: 'feoramalloc', workload: 'random' },
  { allocator: 'tcache', workload: 'random' },
  { allocator: 'snmalloc+batchit', workload: 'xmalloc-test-2' },
];

const fields = process.argv.includes('--fields') ? process.argv[process.argv.indexOf('--fields') + 1] : 'all';

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

for (const r of FIXED_RUNS) {
  const res = runExperiment({
    allocator: r.allocator,
    workload: r.workload,
    workloadParams: r.params,
    machine: machinePreset('default'),
    seed: 1,
  });
  const out = fields === 'memory' ? { allocator: res.allocator, workload: res.workload, memory: res.memory } : res;
  process.stdout.write(`${JSON.stringify(sorted(out))}\n`);
}
