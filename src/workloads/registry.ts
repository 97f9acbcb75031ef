/** The registry of workloads by name; workloads register from src/workloads/index.ts. */
import type { ParamValue } from '../lib/params.ts';
import { Registry } from '../lib/registry.ts';
import type { WorkloadInfo } from './contract.ts';

export class UnknownWorkloadError extends Error {
  constructor(name: string) {
    super(`unknown workload '${name}'; valid workloads: ${workloads.names().join(', ')}`);
    this.name = 'UnknownWorkloadError';
  }
}

const workloads = new Registry<WorkloadInfo>('workload', (name) => new UnknownWorkloadError(name));

export function registerWorkload(info: WorkloadInfo): void {
  workloads.register(info);
}

export function workloadNames(): string[] {
  return workloads.names();
}

export function allWorkloads(): WorkloadInfo[] {
  return workloads.all();
}

export function workloadInfo(name: string): WorkloadInfo {
  return workloads.get(name);
}

/** Resolves a workload name, including variants such as `msgpass-4`, to its info and implied overrides. */
export function lookupWorkload(name: string): { info: WorkloadInfo; overrides: Record<string, ParamValue> } {
  const exact = workloads.find(name);
  if (exact !== undefined) return { info: exact, overrides: {} };
  const dash = name.lastIndexOf('-');
  if (dash > 0) {
    const base = workloads.find(name.slice(0, dash));
    const overrides = base?.variant?.(name.slice(dash + 1));
    if (base !== undefined && overrides !== undefined) return { info: base, overrides };
  }
  throw new UnknownWorkloadError(name);
}
