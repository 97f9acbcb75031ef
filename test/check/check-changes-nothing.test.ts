/**
 * The checker's promise (docs/architecture.md, "The invariant checker"): it charges nothing and
 * never makes a page resident, so a run with --check gives the same Result as one without, apart
 * from `check` itself.
 */
import { describe, expect, it } from 'vitest';
import '../../src/allocators/index.ts';
import '../../src/workloads/index.ts';
import { modelNames } from '../../src/allocators/registry.ts';
import { runExperiment } from '../../src/experiment/run.ts';
import { machinePreset } from '../../src/machine/presets.ts';

function run(allocator: string, check: boolean): Record<string, unknown> {
  const r = runExperiment({
    allocator,
    workload: 'random',
    workloadParams: { threads: 2, ops: 300 },
    machine: machinePreset('default'),
    seed: 3,
    check,
  }) as unknown as Record<string, unknown>;
  expect((r.check as { enabled: boolean }).enabled).toBe(check);
  const { check: _check, ...rest } = r;
  return rest;
}

describe('--check changes no figure of a run', () => {
  it.each(modelNames())('%s: the same Result with and without the checker, apart from check', (allocator) => {
    expect(JSON.stringify(run(allocator, true))).toBe(JSON.stringify(run(allocator, false)));
  });
});
