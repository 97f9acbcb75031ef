/**
 * Regenerates docs/fidelity.md's table: every published claim the project reproduces, the published
 * figure beside the simulated one and the command that measures it.
 *
 *   npm run fidelity                       # prints the table (about 10 minutes on 2 cores)
 *   npm run fidelity -- --write            # and writes it into docs/fidelity.md
 *   npm run fidelity -- --msgpass-scale 0.03125 --xmalloc-scale 0.004   # other sizes
 *   npm run fidelity -- --isoalloc-scale 0.1 --larson-scale 0.008            # (IsoAlloc's rows)
 *   npm run fidelity -- --only isoalloc,larson --write   # only those groups' rows; the others stay
 *
 * Groups: msgpass, xmalloc, isoalloc (the 2020 comparison test at its real size: about 1 hour on a
 * loaded 2-core machine), larson, tables. Each row's command carries its scale.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import '../src/allocators/index.ts';
import '../src/workloads/index.ts';
import {
  ISOALLOC_CMP_2020,
  ISOALLOC_SOURCE,
  LARSON_SECONDS,
  MSGPASS_BASELINE_SECONDS,
  MSGPASS_BATCHIT_CHANGE,
  MSGPASS_SOURCE,
  XMALLOC_BATCHIT_CHANGE,
  XMALLOC_SOURCE,
} from '../src/experiment/published.ts';
import { runExperiment } from '../src/experiment/run.ts';
import type { Result } from '../src/experiment/result.ts';
import { machinePreset } from '../src/machine/presets.ts';
import { takeNumber } from './args.ts';

const argv = process.argv.slice(2);
const fail = (msg: string): never => {
  process.stderr.write(`fidelity: ${msg}\n`);
  process.exit(2);
};
const msgpassScale = takeNumber(argv, '--msgpass-scale', 1 / 64, fail);
const xmallocScale = takeNumber(argv, '--xmalloc-scale', 0.0004, fail);
// IsoAlloc's comparison test at its real size: its page faults are counts, not rates.
const isoallocScale = takeNumber(argv, '--isoalloc-scale', 1, fail);
const larsonScale = takeNumber(argv, '--larson-scale', 0.004, fail);
const PAIRS = [1, 2, 4, 8];
const GROUPS = ['msgpass', 'xmalloc', 'isoalloc', 'larson', 'tables'] as const;
const onlyAt = argv.indexOf('--only');
const only = onlyAt < 0 ? [...GROUPS] : (argv[onlyAt + 1] ?? '').split(',');
for (const g of only)
  if (!(GROUPS as readonly string[]).includes(g)) fail(`--only takes groups from ${GROUPS.join(', ')}; "${g}" is not one`);
const want = (g: (typeof GROUPS)[number]): boolean => only.includes(g);
const rows: string[][] = [];
const pct = (v: number): string => `${v > 0 ? '+' : ''}${v.toFixed(1)}%`;

function run(allocator: string, workload: string, params: Record<string, number>, allocatorParams: Record<string, boolean> = {}): Result {
  const r = runExperiment({ allocator, allocatorParams, workload, workloadParams: params, machine: machinePreset('xeon72'), seed: 1 });
  if (r.error !== undefined) throw new Error(`${allocator} on ${workload}: ${r.error.message}`);
  process.stderr.write(`  ${allocator} ${workload}: ${(r.time.cycles / 1e6).toFixed(2)} Mcycles\n`);
  return r;
}

// msgpass: BatchIt's change and the baseline's time at full size.
const change: Record<number, number> = {};
if (want('msgpass')) {
  for (const n of PAIRS) {
    const base = run('snmalloc', `msgpass-${n}`, { scale: msgpassScale });
    const bi = run('snmalloc+batchit', `msgpass-${n}`, { scale: msgpassScale });
    change[n] = (bi.time.cycles / base.time.cycles - 1) * 100;
    const cmd = `allocsim compare -a snmalloc,snmalloc+batchit -w msgpass-${n} -m xeon72 -p scale=${msgpassScale}`;
    rows.push([
      `msgpass-${n}: snmalloc BatchIt time change`,
      MSGPASS_SOURCE,
      pct(MSGPASS_BATCHIT_CHANGE[n] as number),
      pct(change[n] as number),
      `\`${cmd}\``,
    ]);
    const full = base.time.seconds / msgpassScale;
    rows.push([
      `msgpass-${n}: snmalloc baseline time at full size`,
      MSGPASS_SOURCE,
      `${MSGPASS_BASELINE_SECONDS[n]} s`,
      `${full.toFixed(2)} s`,
      `\`allocsim run -a snmalloc -w msgpass-${n} -m xeon72 -p scale=${msgpassScale}\` (× 1/scale)`,
    ]);
  }
  const peak = PAIRS.reduce((a, b) => ((change[b] as number) < (change[a] as number) ? b : a));
  rows.push([
    'msgpass: the largest gain is at 2 or 4 pairs, smaller at 8',
    MSGPASS_SOURCE,
    'largest at 2 (−27.8%)',
    `largest at ${peak} (${pct(change[peak] as number)}); 8: ${pct(change[8] as number)}`,
    'the rows above',
  ]);
}

// xmalloc-test: BatchIt's change in relative time (bench.sh's rtime), and RSS.
for (const a of want('xmalloc') ? ['snmalloc', 'mimalloc', 'mimalloc-secure'] : []) {
  const base = run(a, 'xmalloc-test-8', { scale: xmallocScale });
  const bi = run(`${a}+batchit`, 'xmalloc-test-8', { scale: xmallocScale });
  const rt = (r: Result): number => r.workloadReport.rtime as number;
  const c = (rt(bi) / rt(base) - 1) * 100;
  const rss = `RSS ${(base.memory.rssPeakBytes / 2 ** 20).toFixed(1)} → ${(bi.memory.rssPeakBytes / 2 ** 20).toFixed(1)} MiB`;
  rows.push([
    `xmalloc-test-8: ${a} BatchIt time change${a === 'snmalloc' ? ' (RSS higher)' : ''}`,
    XMALLOC_SOURCE,
    `${pct(XMALLOC_BATCHIT_CHANGE[a] as number)}${a === 'snmalloc' ? ', RSS up' : ''}`,
    `${pct(c)}; ${rss}`,
    `\`allocsim compare -a ${a},${a}+batchit -w xmalloc-test-8 -m xeon72 -p scale=${xmallocScale}\``,
  ]);
}

// IsoAlloc's 2020 comparison test: page faults with pre-populated zones, and time per phase, against glibc.
if (want('isoalloc')) {
  const iso = run('isoalloc', 'isoalloc-cmp-2020', { scale: isoallocScale }, { prePopulatePages: true });
  const gl = run('glibc', 'isoalloc-cmp-2020', { scale: isoallocScale });
  const pub = ISOALLOC_CMP_2020;
  const n = (v: number): string => v.toLocaleString('en-US');
  const cmd = (a: string): string =>
    `\`allocsim run -a ${a} -w isoalloc-cmp-2020 -m xeon72 -p scale=${isoallocScale}${a === 'isoalloc' ? ' -p prePopulatePages=true' : ''}\``;
  rows.push([
    'isoalloc-cmp-2020: page faults, IsoAlloc (zones pre-populated) against glibc',
    ISOALLOC_SOURCE,
    `${n(pub.isoalloc.pageFaults)} against ${n(pub.glibc.pageFaults)}`,
    `${n(iso.memory.pageFaults)} against ${n(gl.memory.pageFaults)}`,
    `${cmd('isoalloc')}; ${cmd('glibc')}`,
  ]);
  const ratio = (a: Record<string, number>, b: Record<string, number>, k: string): string =>
    ((a[k] as number) / (b[k] as number)).toFixed(2);
  const phases = ['mallocSeconds', 'callocSeconds', 'reallocSeconds'];
  const simIso = iso.workloadReport as Record<string, number>;
  const simGl = gl.workloadReport as Record<string, number>;
  rows.push([
    'isoalloc-cmp-2020: IsoAlloc time ÷ glibc time, malloc / calloc / realloc phases',
    ISOALLOC_SOURCE,
    phases.map((k) => ratio(pub.isoalloc, pub.glibc, k)).join(' / '),
    phases.map((k) => ratio(simIso, simGl, k)).join(' / '),
    'the runs above',
  ]);
}

// larsonN: IsoAlloc's one global lock against mimalloc (relative time, bench.sh's 1e9 / throughput).
if (want('larson')) {
  const iso = run('isoalloc', 'larson-8', { scale: larsonScale });
  const mi = run('mimalloc', 'larson-8', { scale: larsonScale });
  const rt = (r: Result): number => r.workloadReport.rtime as number;
  rows.push([
    'larsonN: IsoAlloc time ÷ mimalloc time',
    `${ISOALLOC_SOURCE} (mimalloc-bench)`,
    `${(LARSON_SECONDS.isoalloc / LARSON_SECONDS.mimalloc).toFixed(0)}× (${LARSON_SECONDS.isoalloc} s against ${LARSON_SECONDS.mimalloc} s)`,
    `${(rt(iso) / rt(mi)).toFixed(1)}× (larson-8)`,
    `\`allocsim compare -a isoalloc,mimalloc -w larson-8 -m xeon72 -p scale=${larsonScale}\``,
  ]);
}

// Size-class tables: reproduced exactly, checked against the sources' tables by unit tests.
for (const [claim, file, source] of want('tables')
  ? ([
      [
        "snmalloc's size classes and slab sizes (sizeclasstable.h)",
        'test/allocators/snmalloc/sizeclasses.test.ts',
        'microsoft/snmalloc src/snmalloc/ds/sizeclasstable.h',
      ],
      [
        "mimalloc's bins (init.c's QNULL table, v2.1.2 and v2.4.1)",
        'test/allocators/mimalloc/bins.test.ts',
        'microsoft/mimalloc src/init.c, src/page-queue.c',
      ],
    ] as const)
  : []) {
  let ok = true;
  try {
    execFileSync('npx', ['vitest', 'run', file], { stdio: 'ignore' });
  } catch {
    ok = false;
  }
  rows.push([claim, source, 'the table', ok ? 'identical (test passes)' : 'DIFFERS (test fails)', `\`npx vitest run ${file}\``]);
}

const HEAD = ['| claim | source | published | simulated | command |', '|---|---|---|---|---|'];
const line = (r: string[]): string => `| ${r.join(' | ')} |`;
const stamp = 'Machine xeon72, seed 1; each command gives its scale. Generated by `npm run fidelity`.';
const path = new URL('../docs/fidelity.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const begin = '<!-- fidelity:begin -->';
const end = '<!-- fidelity:end -->';
const i = doc.indexOf(begin);
const j = doc.indexOf(end);
if (i < 0 || j < i) fail('docs/fidelity.md has no fidelity:begin/end markers');
// With --only, the other groups' rows stay as they are: a new row replaces the one with its claim.
const fresh = new Map(rows.map((r) => [r[0] as string, line(r)]));
const kept =
  onlyAt < 0
    ? []
    : doc
        .slice(i, j)
        .split('\n')
        .filter((l) => l.startsWith('| ') && !HEAD.includes(l));
const merged = kept.map((l) => {
  const claim = l.slice(2, l.indexOf(' | ', 2));
  const r = fresh.get(claim);
  fresh.delete(claim);
  return r ?? l;
});
const table = [...HEAD, ...merged, ...fresh.values()].join('\n');
process.stdout.write(`${stamp}\n\n${table}\n`);
if (argv.includes('--write')) writeFileSync(path, `${doc.slice(0, i + begin.length)}\n${stamp}\n\n${table}\n${doc.slice(j)}`);
