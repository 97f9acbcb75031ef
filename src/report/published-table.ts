/**
 * BatchIt's simulated time change beside the published one (src/experiment/published.ts): for each
 * "+batchit" allocator of a summary, its mean time against its own base allocator at the same
 * benchmark and thread count. Printed under `allocsim batchit`'s table so every user sees how close
 * the simulator comes (docs/fidelity.md has the whole list).
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import { MSGPASS_SOURCE, publishedMsgpassChange } from '../experiment/published.ts';
import type { Cell, Summary } from '../experiment/summary.ts';

const pct = (v: number): string => `${v > 0 ? '+' : ''}${v.toFixed(1)}%`;

/** BatchIt's time change against the base allocator of `cell`, in percent (null if either failed). */
export function batchitChange(s: Summary, cell: Cell): number | null {
  const base = s.cells.find(
    (c) => c.benchmark === cell.benchmark && c.threads === cell.threads && c.allocator === cell.allocator.replace('+batchit', ''),
  );
  if (base?.cycles == null || cell.cycles === null) return null;
  return (cell.cycles.mean / base.cycles.mean - 1) * 100;
}

export function formatPublished(s: Summary): string {
  const t = new Table({
    head: ['benchmark', 'pairs', 'BatchIt on', 'simulated', 'published'].map((h) => chalk.bold(h)),
    style: { head: [], border: [], compact: true },
  });
  for (const c of s.cells.filter((x) => x.allocator.endsWith('+batchit'))) {
    const sim = batchitChange(s, c);
    const pub = publishedMsgpassChange(c.allocator, c.threads);
    t.push([
      c.benchmark,
      String(c.threads),
      c.allocator.replace('+batchit', ''),
      sim === null ? '-' : pct(sim),
      pub === undefined ? chalk.dim('not published') : pct(pub),
    ]);
  }
  return `${chalk.bold('BatchIt: time change against the same allocator without it')}\n${t.toString()}\n${chalk.dim(`published: ${MSGPASS_SOURCE}; see docs/fidelity.md`)}\n`;
}
