/** The registry of workloads by name; workloads register from src/workloads/index.ts. */
import type { ParamValue } from '../sim/params.ts';
import type { WorkloadInfo } from './contract.ts';

const workloads = new Map<string, WorkloadInfo>();

export class UnknownWorkloadError extends Error {
  constructor(name: string) {
    super(`unknown workload '${name}'; valid workloads: ${[...workloads.keys()].join(', ')}`);
    this.name = 'UnknownWorkloadError';
  }
}

export function registerWorkload(info: WorkloadInfo): void {
  if (workloads.has(info.name)) throw new Error(`workload '${info.name}' is registered twice`);
  workloads.set(info.name, info);
}

export function workloadNames(): string[] {
  return [...workloads.keys()];
}

export function allWorkloads(): WorkloadInfo[] {
  return [...workloads.values()];
}

export function workloadInfo(name: string): WorkloadInfo {
  const w = workloads.get(name);
  if (w === undefined) throw new UnknownWorkloadError(name);
  return w;
}

/** Resolves a workload name, including variants such as `msgpass-4`, to its info and implied overrides. */
export function lookupWorkload(name: string): { info: WorkloadInfo; overrides: Record<string, ParamValue> } {
  const exact = workloads.get(name);
  if (exact !== undefined) return { info: exact, overrides: {} };
  const dash = name.lastIndexOf('-');
  if (dash > 0) {
    const base = workloads.get(name.slice(0, dash));
    const overrides = base?.variant?.(name.slice(dash + 1));
    if (base !== undefined && overrides !== undefined) return { info: base, overrides };
  }
  throw new UnknownWorkloadError(name);
}
