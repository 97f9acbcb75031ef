/** A readable report of one Result for the terminal. */
import chalk from 'chalk';
import Table from 'cli-table3';
import { workloadThreads, type Result } from '../experiment/result.ts';
import { SYSCALL_KINDS } from '../machine/machine-spec.ts';
import { fmtBytes, fmtNum, fmtPct } from './format.ts';
import { hex } from '../sim/hex.ts';

function section(title: string, rows: Array<[string, string]>): string {
  const t = new Table({ head: [chalk.bold(title), ''], style: { head: [], border: [], compact: true }, colWidths: [38, 30] });
  for (const r of rows) t.push(r);
  return t.toString();
}

/** The workload's thread count (its own notion), and the simulated threads created when they differ. */
function threadRows(r: Result): Array<[string, string]> {
  const own = workloadThreads(r.params.workload);
  const created = r.time.threads.length;
  if (own === undefined) return [['simulated threads', String(created)]];
  return [
    [own.unit === 'pairs' ? 'producer/consumer pairs' : 'threads', String(own.count)],
    ...(created !== own.count ? [['simulated threads created', String(created)] as [string, string]] : []),
  ];
}

export function formatRun(r: Result): string {
  const out: string[] = [];
  out.push(chalk.bold(`${r.allocator} on ${r.workload}`) + chalk.dim(`  (machine ${r.machine}, seed ${r.seed})`));
  out.push(
    section('time', [
      ['simulated cycles', fmtNum(r.time.cycles)],
      ['simulated seconds', r.time.seconds.toPrecision(4)],
      ['allocator operations', fmtNum(r.time.ops)],
      ['operations per kilocycle', fmtNum(r.time.opsPerKcycle, 3)],
      ...threadRows(r),
    ]),
  );
  const c = r.cache;
  const a = c.byOrigin.allocator;
  out.push(
    section('cache', [
      ['line accesses', fmtNum(c.accesses)],
      ['L1 misses', `${fmtNum(c.l1Misses)} (${fmtPct(c.l1Misses, c.accesses)})`],
      ['L2 misses', fmtNum(c.l2Misses)],
      ['LLC misses', fmtNum(c.llcMisses)],
      ['coherence misses', fmtNum(c.coherenceMisses)],
      ['L1 misses caused by allocator', `${fmtNum(a.l1Misses)} (${fmtPct(a.l1Misses, c.l1Misses)})`],
      ['coherence misses by allocator', fmtNum(a.coherenceMisses)],
    ]),
  );
  const at = r.atomics;
  out.push(
    section('atomics', [
      ['read-modify-write atomics', fmtNum(at.total)],
      ['CAS (failed)', `${fmtNum(at.cas)} (${fmtNum(at.casFailed)})`],
      ['exchange / fetch-add / fetch-or', `${fmtNum(at.exchange)} / ${fmtNum(at.fetchAdd)} / ${fmtNum(at.fetchOr)}`],
      ['contended', fmtNum(at.contended)],
      ['lock acquisitions (contended)', `${fmtNum(at.locks)} (${fmtNum(at.lockContended)})`],
    ]),
  );
  const m = r.memory;
  out.push(
    section('memory', [
      ['peak RSS', fmtBytes(m.rssPeakBytes)],
      ['final RSS', fmtBytes(m.rssFinalBytes)],
      ['peak live bytes', fmtBytes(m.liveBytesPeak)],
      ['page faults', fmtNum(m.pageFaults)],
      ['system calls', fmtNum(m.syscalls)],
      // Every kind that was called (futex waits and wakes, brk, mprotect, ...), none hidden.
      ...SYSCALL_KINDS.filter((k) => (m.syscallsByKind[k] ?? 0) > 0).map((k): [string, string] => [`  ${k}`, fmtNum(m.syscallsByKind[k])]),
    ]),
  );
  const counters = Object.entries(r.allocatorCounters);
  if (counters.length > 0) {
    out.push(
      section(
        'allocator counters',
        counters.map(([k, v]) => [
          k,
          typeof v === 'number' ? fmtNum(v, 2) : `n=${fmtNum(v.count)} mean=${fmtNum(v.mean, 2)} max=${fmtNum(v.max)}`,
        ]),
      ),
    );
  }
  const wr = Object.entries(r.workloadReport);
  if (wr.length > 0)
    out.push(
      section(
        'workload report',
        wr.map(([k, v]) => [k, fmtNum(v, 3)]),
      ),
    );
  if (r.check.enabled) {
    const v = r.check.violations;
    out.push(v.length === 0 ? chalk.green('check: no violations') : chalk.red(`check: ${v.length} violation(s)`));
    for (const x of v.slice(0, 10)) out.push(chalk.red(`  [${x.kind}] thread ${x.thread}: ${x.message}`));
    for (const f of r.check.workloadFaults) {
      out.push(
        chalk.yellow(
          `  workload fault: ${f.kind} at ${hex(f.address)} (${f.detectedByModel ? `detected${f.detectedLaterBy !== undefined ? ` later, by ${f.detectedLaterBy}` : ''}: ${f.modelMessage}` : 'not detected by the model'})`,
        ),
      );
    }
  }
  if (r.error !== undefined) out.push(chalk.red(`run ended early (${r.error.kind}): ${r.error.message}`));
  return `${out.join('\n')}\n`;
}
