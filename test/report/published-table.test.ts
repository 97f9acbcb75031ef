/** `allocsim batchit`'s appendix: BatchIt's simulated change beside the published one. */
import { describe, expect, it } from 'vitest';
import { spread, type Cell, type Summary } from '../../src/experiment/summary.ts';
import { batchitChange, formatPublished } from '../../src/report/published-table.ts';

function cell(allocator: string, threads: number, cycles: number): Cell {
  const none = null;
  return {
    benchmark: 'msgpass',
    threads,
    allocator,
    model: allocator,
    seeds: [1],
    runs: 1,
    failed: 0,
    cycles: spread([cycles]),
    opsPerKcycle: none,
    rssPeakBytes: none,
    atomicsPerOp: none,
    l1MissesPerOp: none,
    llcMissesPerOp: none,
    coherenceMissesPerOp: none,
    allocatorMissShare: none,
    relTime: none,
    relRss: none,
  };
}

describe('formatPublished', () => {
  const s: Summary = {
    baseline: 'snmalloc',
    cells: [cell('snmalloc', 2, 1000), cell('snmalloc+batchit', 2, 850), cell('mimalloc', 2, 2000), cell('mimalloc+batchit', 2, 2200)],
    overall: [],
  };

  it('compares each +batchit allocator with its own base, not with the grid baseline', () => {
    expect(batchitChange(s, s.cells[1] as Cell)).toBeCloseTo(-15, 6);
    expect(batchitChange(s, s.cells[3] as Cell)).toBeCloseTo(10, 6);
  });

  it('prints the published figure beside the simulated one, and says when there is none', () => {
    // eslint-disable-next-line no-control-regex -- strips the terminal's colour codes
    const text = formatPublished(s).replace(/\u001b\[[0-9;]*m/g, '');
    expect(text).toMatch(/msgpass\s*│\s*2\s*│\s*snmalloc\s*│\s*-15\.0%\s*│\s*-27\.8%/);
    expect(text).toMatch(/mimalloc\s*│\s*\+10\.0%\s*│\s*not published/);
  });
});
