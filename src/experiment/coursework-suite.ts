/**
 * The coursework workloads a student's model is run on after the invariant suite (`allocsim
 * check FILE`): the CS3650 challenge's test programs when this build has them, each with the
 * shadow-heap checker on. Workloads that are not registered are named as missing, never faked;
 * when none is present the `random` workload stands in, and the report says so.
 */
import type { ModelInfo } from '../allocators/contract.ts';
import type { ParamValue } from '../sim/params.ts';
import { lookupWorkload, UnknownWorkloadError } from '../workloads/registry.ts';
import { resultOk, type Result } from './result.ts';
import { runExperiment } from './run.ts';

export interface CourseworkWorkload {
  name: string;
  /** What the program is, in the course's words. */
  why: string;
  params: Readonly<Record<string, ParamValue>>;
}

/** The challenge's test programs (coursework.md §1.2), in the order a student meets them. */
export const COURSEWORK_WORKLOADS: readonly CourseworkWorkload[] = [
  { name: 'collatz-list', why: 'CS3650 CH02 list test: 16-byte cells, copied and freed by 4 threads (remote frees)', params: {} },
  { name: 'collatz-vector', why: 'CS3650 CH02 vector test: power-of-two buffers grown with realloc by 4 threads', params: {} },
];

/** Stand-in when no coursework workload is registered: a small multi-threaded smoke run. */
export const FALLBACK_WORKLOAD: CourseworkWorkload = {
  name: 'random',
  why: 'seeded malloc/calloc/realloc/free mix on 4 threads with remote frees (stand-in)',
  params: { threads: 4, ops: 3000 },
};

export function isRegistered(name: string): boolean {
  try {
    lookupWorkload(name);
    return true;
  } catch (e) {
    if (e instanceof UnknownWorkloadError) return false;
    throw e;
  }
}

export interface CourseworkSelection {
  workloads: CourseworkWorkload[];
  /** Coursework workloads this build does not have. */
  missing: string[];
  /** True when `random` stands in for all of them. */
  fallback: boolean;
}

export function selectCoursework(): CourseworkSelection {
  const present = COURSEWORK_WORKLOADS.filter((w) => isRegistered(w.name));
  const missing = COURSEWORK_WORKLOADS.filter((w) => !isRegistered(w.name)).map((w) => w.name);
  if (present.length > 0) return { workloads: present, missing, fallback: false };
  return { workloads: [FALLBACK_WORKLOAD], missing, fallback: true };
}

/**
 * Applies a `scale` to a workload's parameters when it declares one (coursework workloads default to
 * runs of seconds; a check needs less).
 */
export function scaled(w: CourseworkWorkload, scale: number | undefined): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = { ...w.params };
  if (scale !== undefined && lookupWorkload(w.name).info.params.some((p) => p.name === 'scale')) params.scale = scale;
  return params;
}

export interface CourseworkRun {
  workload: CourseworkWorkload;
  result: Result;
  ok: boolean;
}

/** Runs each selected workload on the model with the checker on. */
export function runCoursework(info: ModelInfo, sel: CourseworkSelection, opts: { seed?: number; scale?: number; params?: Readonly<Record<string, ParamValue>> } = {}): CourseworkRun[] {
  return sel.workloads.map((w) => {
    const result = runExperiment({
      allocator: info,
      allocatorParams: opts.params ?? {},
      workload: w.name,
      workloadParams: scaled(w, opts.scale),
      seed: opts.seed ?? 1,
      check: true,
    });
    return { workload: w, result, ok: resultOk(result) };
  });
}
