/** Terminal reports for coursework: the contract probe of a model file and its coursework runs. */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { CourseworkRun, CourseworkSelection } from '../experiment/coursework-suite.ts';
import type { ContractCheck } from '../experiment/model-contract.ts';
import { fmtBytes, fmtNum } from './format.ts';

const STYLE = { head: [], border: [], compact: true };

export function formatContract(file: string, checks: readonly ContractCheck[]): string {
  const t = new Table({
    head: ['contract', 'result', 'detail'].map((h) => chalk.bold(h)),
    style: STYLE,
    wordWrap: true,
    colWidths: [13, 8, 79],
  });
  for (const c of checks) t.push([c.name, c.ok ? chalk.green('pass') : chalk.red('FAIL'), c.detail]);
  const lines = [chalk.bold(`contract of the model in ${file}`), t.toString()];
  if (checks.some((c) => !c.ok && c.blocking === true))
    lines.push(chalk.red('the model breaks the allocator contract; fix the first FAIL above (the invariant suite was not run)'));
  else if (checks.some((c) => !c.ok))
    lines.push(chalk.red('the model failed on a simple call; the invariant suite below shows a minimal sequence'));
  return `${lines.join('\n')}\n`;
}

export function formatCoursework(sel: CourseworkSelection, runs: readonly CourseworkRun[]): string {
  const t = new Table({
    head: ['workload', 'result', 'ops', 'cycles', 'peak RSS', 'peak live', 'what it is'].map((h) => chalk.bold(h)),
    style: STYLE,
    wordWrap: true,
    colWidths: [16, 8, 11, 14, 11, 11, 40],
  });
  for (const r of runs) {
    const res = r.result;
    t.push([
      r.workload.name,
      r.ok ? chalk.green('pass') : chalk.red('FAIL'),
      fmtNum(res.time.ops),
      fmtNum(res.time.cycles),
      fmtBytes(res.memory.rssPeakBytes),
      fmtBytes(res.memory.liveBytesPeak),
      r.workload.why,
    ]);
  }
  const lines = [chalk.bold('coursework workloads (checked)'), t.toString()];
  if (sel.fallback)
    lines.push(chalk.yellow(`the coursework workloads (${sel.missing.join(', ')}) are not in this build; random stood in for them`));
  else if (sel.missing.length > 0) lines.push(chalk.yellow(`not in this build: ${sel.missing.join(', ')}`));
  for (const r of runs.filter((x) => !x.ok)) {
    const res = r.result;
    for (const v of res.check.violations.slice(0, 5))
      lines.push(chalk.red(`  ${r.workload.name}: [${v.kind}] thread ${v.thread}: ${v.message}`));
    if (res.error !== undefined) lines.push(chalk.red(`  ${r.workload.name}: run ended early (${res.error.kind}): ${res.error.message}`));
    if (r.wrongAnswer !== undefined) lines.push(chalk.red(`  ${r.workload.name}: ${r.wrongAnswer}`));
  }
  return `${lines.join('\n')}\n`;
}
