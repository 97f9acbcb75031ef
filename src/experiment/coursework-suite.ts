/**
 * The coursework workloads a student's model is run on after the invariant suite (`allocsim
 * check FILE`): the CS3650 challenge's test programs when this build has them, each with the
 * shadow-heap checker on. Workloads that are not registered are named as missing, never faked;
 * when none is present the `random` workload stands in, and the report says so.
 */
import type { ModelInfo } from '../allocators/kit/contract.ts';
import type { ParamValue } from '../lib/params.ts';
import { lookupWorkload, UnknownWorkloadError } from '../workloads/registry.ts';
import { resultOk, type Result } from './result.ts';
import { runExperiment } from './run.ts';

export interface CourseworkWorkload {
  name: string;
  /** What the program is, in the course's words. */
  why: string;
  /** Parameters, applied only where the workload declares them. */
  params: Readonly<Record<string, ParamValue>>;
  /**
   * What the program must print (its workloadReport), when every parameter above applied: a
   * corrupted heap shows up as a wrong answer, as in the course's test.pl.
   */
  expect?: Readonly<Record<string, number>>;
}

/**
 * The challenge's test programs (coursework.md §1.2) at the size the course's test.pl runs the
 * one-lock allocator (TOP = 100), whose answer is "Max steps is at 97: 118 steps".
 */
const TOP_100 = { params: { top: 100, scale: 1 }, expect: { maxAt: 97, maxSteps: 118 } };
export const COURSEWORK_WORKLOADS: readonly CourseworkWorkload[] = [
  { name: 'collatz-list', why: 'CS3650 CH02 list test (TOP 100): 16-byte cells, copied and freed by 4 threads (remote frees)', ...TOP_100 },
  { name: 'collatz-vector', why: 'CS3650 CH02 vector test (TOP 100): power-of-two buffers grown with realloc by 4 threads', ...TOP_100 },
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
 * The parameters a workload declares among `w.params`, with `scale` overridden when asked; and
 * whether all of them applied (the expected answer holds only then).
 */
export function applicableParams(w: CourseworkWorkload, scale: number | undefined): { params: Record<string, ParamValue>; all: boolean } {
  const declared = new Set(lookupWorkload(w.name).info.params.map((p) => p.name));
  const params = Object.fromEntries(Object.entries(w.params).filter(([k]) => declared.has(k)));
  const all = Object.keys(params).length === Object.keys(w.params).length && scale === undefined;
  if (scale !== undefined && declared.has('scale')) params.scale = scale;
  return { params, all };
}

export interface CourseworkRun {
  workload: CourseworkWorkload;
  result: Result;
  ok: boolean;
  /** A wrong answer of the program, if its report was checked. */
  wrongAnswer?: string;
}

/** Compares the program's report with the expected answer; a message when they differ. */
function answerProblem(w: CourseworkWorkload, r: Result): string | undefined {
  if (w.expect === undefined || r.error !== undefined) return undefined;
  const wrong = Object.entries(w.expect).filter(([k, v]) => k in r.workloadReport && r.workloadReport[k] !== v);
  if (wrong.length === 0) return undefined;
  const got = wrong.map(([k]) => `${k} ${String(r.workloadReport[k])}`).join(', ');
  const want = wrong.map(([k, v]) => `${k} ${v}`).join(', ');
  return `the program computed ${got}; the course expects ${want} (the heap corrupted its data?)`;
}

/** Runs each selected workload on the model with the checker on. */
export function runCoursework(
  info: ModelInfo,
  sel: CourseworkSelection,
  opts: { seed?: number; scale?: number; params?: Readonly<Record<string, ParamValue>> } = {},
): CourseworkRun[] {
  return sel.workloads.map((w) => {
    const { params, all } = applicableParams(w, opts.scale);
    const result = runExperiment({
      allocator: info,
      allocatorParams: opts.params ?? {},
      workload: w.name,
      workloadParams: params,
      seed: opts.seed ?? 1,
      check: true,
    });
    const wrongAnswer = all ? answerProblem(w, result) : undefined;
    return {
      workload: w,
      result,
      ok: resultOk(result) && wrongAnswer === undefined,
      ...(wrongAnswer !== undefined ? { wrongAnswer } : {}),
    };
  });
}
