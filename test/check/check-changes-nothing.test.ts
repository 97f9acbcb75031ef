/**
 * The checker's promise (docs/architecture.md, "The invariant checker"): it charges nothing and
 * never makes a page resident, so a run with --check gives the same Result as one without, apart
 * from `check` itself; and so do the models' debug invariants (--invariants), which read the
 * models' structures with a read-only QuietCpu.
 */
import { describe, expect, it } from 'vitest';
import '../../src/allocators/index.ts';
import '../../src/workloads/index.ts';
import { modelNames } from '../../src/allocators/registry.ts';
import { runExperiment } from '../../src/experiment/run.ts';
import { machinePreset } from '../../src/machine/presets.ts';

type Mode = 'plain' | 'check' | 'invariants';

function run(allocator: string, mode: Mode): { rest: Record<string, unknown>; check: { enabled: boolean; violations: unknown[] } } {
  const r = runExperiment({
    allocator,
    workload: 'random',
    workloadParams: { threads: 2, ops: 300 },
    machine: machinePreset('default'),
    seed: 3,
    check: mode !== 'plain',
    invariants: mode === 'invariants',
  }) as unknown as Record<string, unknown>;
  const { check, ...rest } = r;
  return { rest, check: check as { enabled: boolean; violations: unknown[] } };
}

describe('--check changes no figure of a run', () => {
  it.each(modelNames())('%s: the same Result with and without the checker, apart from check', (allocator) => {
    const checked = run(allocator, 'check');
    expect(checked.check.enabled).toBe(true);
    expect(JSON.stringify(checked.rest)).toBe(JSON.stringify(run(allocator, 'plain').rest));
  });
});

describe('--invariants changes no figure of a run', () => {
  it.each(modelNames())('%s: the same Result with the debug invariants on and off, apart from check', (allocator) => {
    const on = run(allocator, 'invariants');
    expect(on.check.violations).toEqual([]);
    expect(JSON.stringify(on.rest)).toBe(JSON.stringify(run(allocator, 'plain').rest));
  });
});
