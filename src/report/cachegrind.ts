/**
 * Cachegrind-format output of per-path profiles, so that `cg_annotate`, `cg_diff` and KCachegrind
 * read allocsim's figures unchanged. The grammar (Valgrind's cg_annotate reader):
 *
 *   desc: <free text>            (any number)
 *   cmd: <command line>
 *   events: Cyc Calls Acc L1m LLm Coh Atom Rob SB Drain
 *   fl=<file>                    here: one run configuration, `benchmark/threads=N/allocator`
 *   fn=<function>                here: an allocator code path, `model::path`
 *   <line> <count> <count> ...   one line per function (line 0: there is no source line)
 *   summary: <totals>
 *
 * Counts are summed over the seeds of a configuration and written as integers.
 */
import type { PathProfileJSON, Result } from '../experiment/result.ts';

export const EVENT_DESCRIPTIONS: Record<string, string> = {
  Calls: 'entries into the path',
  Acc: 'cache-line accesses',
  L1m: 'L1 data misses',
  LLm: 'last-level cache misses',
  Coh: 'coherence misses (the line was invalidated by another core)',
  Atom: 'read-modify-write atomics and lock acquisitions',
  Cyc: 'simulated cycles',
  Rob: 'of the cycles, stalled on a full reorder buffer (an unfinished load too far back)',
  SB: 'of the cycles, stalled on a full store buffer',
  Drain: 'of the cycles, serialising events (atomics, fences, system calls) waited for earlier loads and stores',
};

export interface ProfileGroup {
  /** The `fl=` name of one run configuration. */
  file: string;
  results: readonly Result[];
}

/** `fl=` names may not contain newlines; spaces in labels become commas to keep one token. */
export function cachegrindFile(benchmark: string, threads: number, allocator: string): string {
  const clean = (s: string): string =>
    s
      .replace(/[\r\n]/g, ' ')
      .trim()
      .replace(/\s+/g, ',');
  // No thread count for a workload without one (0), rather than a made-up threads=0.
  return threads > 0 ? `${clean(benchmark)}/threads=${threads}/${clean(allocator)}` : `${clean(benchmark)}/${clean(allocator)}`;
}

function addProfile(into: Map<string, number[]>, p: PathProfileJSON, k: number): void {
  for (const { path, events } of p.paths) {
    let acc = into.get(path);
    if (acc === undefined) {
      acc = new Array<number>(k).fill(0);
      into.set(path, acc);
    }
    for (let i = 0; i < k; i++) acc[i] = (acc[i] as number) + (events[i] ?? 0);
  }
}

/** Writes the profiles of the groups' Results (which must have been run with profile=true). */
export function toCachegrind(groups: readonly ProfileGroup[], cmd: string, desc: readonly string[]): string {
  const first = groups.flatMap((g) => g.results).find((r) => r.profile !== undefined)?.profile;
  if (first === undefined) throw new Error('no per-path profile in these Results; run with profile=true');
  // Cycles first: cg_annotate sorts functions by the first event.
  const order = first.events.map((_, i) => i).sort((a, b) => Number(first.events[b] === 'Cyc') - Number(first.events[a] === 'Cyc'));
  const events = order.map((i) => first.events[i] as string);
  const k = events.length;
  const summary = new Array<number>(k).fill(0);
  const out: string[] = [];
  for (const line of desc) out.push(`desc: ${line.replace(/[\r\n]+/g, ' ')}`);
  for (const e of events) out.push(`desc: ${e}: ${EVENT_DESCRIPTIONS[e] ?? e}`);
  out.push(`cmd: ${cmd.replace(/[\r\n]+/g, ' ')}`, `events: ${events.join(' ')}`);
  for (const g of groups) {
    const byPath = new Map<string, number[]>();
    for (const r of g.results) if (r.profile !== undefined) addProfile(byPath, r.profile, k);
    const lines = [...byPath].filter(([, c]) => c.some((x) => x !== 0));
    if (lines.length === 0) continue;
    out.push(`fl=${g.file}`);
    for (const [path, counts] of lines) {
      const ints = order.map((i) => Math.round(counts[i] as number));
      ints.forEach((x, i) => (summary[i] = (summary[i] as number) + x));
      out.push(`fn=${path.replace(/[\r\n]/g, ' ')}`, `0 ${ints.join(' ')}`);
    }
  }
  out.push(`summary: ${summary.join(' ')}`);
  return `${out.join('\n')}\n`;
}
