/**
 * Runs a hand-written workload (one generator per thread) against a model through runExperiment,
 * with the checker on: the way the signature-behaviour tests drive a model from the mechanism.
 */
import { runExperiment } from '../../src/experiment/run.ts';
import type { Result } from '../../src/experiment/result.ts';
import type { ParamValue } from '../../src/lib/params.ts';
import type { ThreadBody } from '../../src/sim/thread.ts';
import { registerWorkload, workloadNames } from '../../src/workloads/index.ts';
import '../../src/allocators/index.ts';

let serial = 0;

export function runScript(
  allocator: string,
  bodies: ReadonlyArray<() => ThreadBody>,
  allocatorParams: Record<string, ParamValue> = {},
): Result {
  const name = `test-script-${++serial}`;
  if (!workloadNames().includes(name)) {
    registerWorkload({
      name,
      summary: 'test script',
      params: [],
      sources: [],
      create: () => ({ threads: bodies.map((b, i) => ({ name: `script-${i}`, body: b() })) }),
    });
  }
  return runExperiment({ allocator, allocatorParams, workload: name, check: true });
}
