/**
 * BatchIt on snmalloc's msgpass: `snmalloc+batchit` against `snmalloc` for msgpass-N, several seeds.
 * Prints, per N, the means over seeds of: simulated time, queue elements processed per remote free,
 * total atomics, and the inbox path's misses (from the per-path profile), plus the time change.
 *
 *   node --import tsx bench/msgpass-batchit.ts [--n 1,2,4,8] [--seeds 1,2,3] [--machine default|xeon72|FILE.json]
 *        [--param key=value ...]   (allocator parameters, e.g. prefetch=free, inboxBound=0)
 *        [--work key=value ...]    (workload parameters, e.g. scale=0.01)
 */
import { runExperiment } from '../src/experiment/run.ts';
import type { Result } from '../src/experiment/result.ts';
import { readFileSync } from 'node:fs';
import { machineFromJSON } from '../src/machine/spec-json.ts';
import { machinePreset } from '../src/machine/presets.ts';
import '../src/allocators/index.ts';
import '../src/workloads/index.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] as string) : def;
}

function pairs(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  process.argv.forEach((a, i) => {
    if (a === `--${name}`) {
      const [k, v] = (process.argv[i + 1] as string).split('=');
      out[k as string] = v as string;
    }
  });
  return out;
}

const ns = arg('n', '1,2,4,8').split(',').map(Number);
const seeds = arg('seeds', '1,2,3').split(',').map(Number);
const machineArg = arg('machine', 'default');
const machine = machineArg.endsWith('.json')
  ? machineFromJSON(JSON.parse(readFileSync(machineArg, 'utf8')), machineArg)
  : machinePreset(machineArg);
const params = pairs('param');
const work = pairs('work');

interface Row {
  cycles: number;
  perFree: number;
  atomics: number;
  inboxL1: number;
  inboxCoh: number;
  inboxCycles: number;
  l1Misses: number;
  batch: number;
  waits: number;
  peak: number;
}

function row(r: Result, name: string): Row {
  if (r.error !== undefined) throw new Error(`${name}: ${r.error.message}`);
  const c = r.allocatorCounters;
  // Result.profile: per path, counts in the order of profile.events (Calls, Acc, L1m, LLm, Coh, Atom, Cyc).
  const ev = r.profile?.events ?? [];
  const cells = r.profile?.paths.find((p) => p.path === `${name}::inbox`)?.events;
  const at = (e: string): number => (cells === undefined ? 0 : (cells[ev.indexOf(e)] ?? 0));
  const inbox = { l1Misses: at('L1m'), coherenceMisses: at('Coh'), cycles: at('Cyc') };
  const bs = c['batchit.batchSize'];
  return {
    cycles: r.time.cycles,
    perFree: (c['queue.elementsProcessed'] as number) / (c.remoteFrees as number),
    atomics: r.atomics.total,
    inboxL1: inbox?.l1Misses ?? 0,
    inboxCoh: inbox?.coherenceMisses ?? 0,
    inboxCycles: inbox?.cycles ?? 0,
    l1Misses: r.cache.l1Misses,
    batch: typeof bs === 'object' ? bs.mean : 1,
    waits: r.workloadReport.producerWaits ?? 0,
    peak: r.workloadReport.peakOutstanding ?? 0,
  };
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const fmt = (x: number, d = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

console.log(
  `machine ${machine.name}, seeds ${seeds.join(',')}, allocator params ${JSON.stringify(params)}, workload params ${JSON.stringify(work)}\n`,
);
console.log(
  '| N | variant | Mcycles | elements/remote free | mean batch | atomics | inbox L1 misses | inbox coherence | inbox Mcycles | producer waits | peak outstanding | time change (min..max) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const n of ns) {
  const res: Record<string, Row[]> = { snmalloc: [], 'snmalloc+batchit': [] };
  for (const seed of seeds) {
    for (const name of Object.keys(res)) {
      const r = runExperiment({
        allocator: name,
        allocatorParams: params,
        workload: `msgpass-${n}`,
        workloadParams: work,
        seed,
        machine,
        profile: true,
      });
      (res[name] as Row[]).push(row(r, name));
    }
  }
  const off = res.snmalloc as Row[];
  const on = res['snmalloc+batchit'] as Row[];
  const changes = on.map((r, i) => (r.cycles / (off[i] as Row).cycles - 1) * 100);
  for (const [name, rows] of [
    ['snmalloc', off],
    ['snmalloc+batchit', on],
  ] as const) {
    const m = (k: keyof Row): number => mean(rows.map((r) => r[k]));
    const change =
      name === 'snmalloc' ? '' : `${fmt(mean(changes), 1)}% (${fmt(Math.min(...changes), 1)}..${fmt(Math.max(...changes), 1)})`;
    console.log(
      `| ${n} | ${name} | ${fmt(m('cycles') / 1e6, 2)} | ${fmt(m('perFree'), 3)} | ${fmt(m('batch'), 1)} | ${fmt(m('atomics'))} | ${fmt(m('inboxL1'))} | ${fmt(m('inboxCoh'))} | ${fmt(m('inboxCycles') / 1e6, 2)} | ${fmt(m('waits'))} | ${fmt(m('peak'))} | ${change} |`,
    );
  }
}
