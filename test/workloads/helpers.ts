/**
 * Test helpers for workloads: a tiny test-only allocator model that keeps each thread's objects
 * in that thread's own chunk (as allocators with per-thread pools do), and a runner.
 */
import '../../src/allocators/index.ts';
import '../../src/workloads/index.ts';
import type { Cpu } from '../../src/machine/cpu.ts';
import { BaseModel } from '../../src/allocators/kit/base-model.ts';
import type { ModelDescription, ModelEnv, ModelInfo } from '../../src/allocators/kit/contract.ts';
import { runExperiment, type RunConfig } from '../../src/experiment/run.ts';
import type { Result } from '../../src/experiment/result.ts';
import type { ParamValue } from '../../src/lib/params.ts';

const HEADER = 16;
const CHUNK = 256 * 1024;

/** Per-thread bump allocation: `next`/`end` in the thread's TLS block; frees are ignored. */
class ThreadBump extends BaseModel {
  malloc(cpu: Cpu, size: number, align = 16): number {
    const a = Math.max(16, align);
    let next = cpu.load(cpu.tls);
    const end = cpu.load(cpu.tls + 8);
    let p = Math.ceil((next + HEADER) / a) * a;
    if (next === 0 || p + size > end) {
      const len = Math.max(CHUNK, Math.ceil((size + HEADER + a) / 4096) * 4096);
      next = cpu.mmap(len);
      cpu.store(cpu.tls + 8, next + len);
      p = Math.ceil((next + HEADER) / a) * a;
    }
    cpu.store(p - 8, size);
    cpu.store(cpu.tls, p + Math.max(size, 1));
    return p;
  }

  free(): void {}

  usableSize(cpu: Cpu, ptr: number): number {
    return cpu.load(ptr - 8);
  }

  describe(): ModelDescription {
    return { name: 'test-threadbump', summary: 'per-thread bump (test only)', sizeClasses: [], constants: {}, sources: [] };
  }
}

export const threadBumpModel: ModelInfo = {
  name: 'test-threadbump',
  summary: 'per-thread bump chunks (test only): threads never share a line',
  family: 'teaching',
  params: [],
  create: (env: ModelEnv) => new ThreadBump(env),
};

/** Runs a workload with --check and returns the Result. */
export function run(
  workload: string,
  params: Record<string, ParamValue> = {},
  allocator: RunConfig['allocator'] = 'bump',
  extra: Partial<RunConfig> = {},
): Result {
  return runExperiment({ allocator, workload, workloadParams: params, check: true, ...extra });
}
