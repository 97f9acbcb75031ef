/**
 * Grading a model as allocator courses do: run it on each input (a trace or a workload) with the
 * checker on, run the reference models on the same inputs, and score it in every scheme of
 * perf-index.ts. Which references exist depends on the build; a missing one is named, and the
 * scheme falls back to the next one in its list or says it cannot judge — no figure is made up.
 */
import type { ModelInfo } from '../allocators/kit/contract.ts';
import { hasModel } from '../allocators/registry.ts';
import type { MachineSpec } from '../machine/machine-spec.ts';
import type { ParamValue } from '../lib/params.ts';
import { resultOk, type Result } from './result.ts';
import type { LineSourceProvider } from '../workloads/contract.ts';
import { runExperiment, type RunConfig } from './run.ts';
import {
  csappIndex,
  cmuIndex,
  courseIndex,
  type CourseIndex,
  type InputScore,
  type ReferenceScore,
  type WeightedIndex,
} from './perf-index.ts';

export interface GradeInput {
  label: string;
  workload: string;
  params: Readonly<Record<string, ParamValue>>;
}

export interface StudentRun extends InputScore {
  liveBytesPeak: number;
  rssPeakBytes: number;
  violations: number;
  error?: string;
}

export interface GradeRow {
  input: GradeInput;
  student: StudentRun;
  /** Reference model name -> its figures on this input. */
  references: Record<string, ReferenceScore>;
}

/** Throughput references, in order of preference: the system allocator, then the one-lock baseline, then the floor. */
export const THROUGHPUT_REFERENCES = ['glibc', 'freelist', 'bump'] as const;
export const COURSE_BASELINE = 'freelist';
export const COURSE_SYSTEM = 'glibc';

export interface GradeOptions {
  seed?: number;
  machine?: MachineSpec;
  allocatorParams?: Readonly<Record<string, ParamValue>>;
  /** Required speed-up over the one-lock baseline (the course's base goal). */
  factor?: number;
  /** Opens trace inputs (the CLI passes its file reader; the simulator core stays Node-free). */
  openLines?: LineSourceProvider;
  /** Called after each run, for progress. */
  onRun?(what: string): void;
}

function studentRun(r: Result, label: string): StudentRun {
  const util = r.memory.rssPeakBytes === 0 ? 0 : r.memory.liveBytesPeak / r.memory.rssPeakBytes;
  return {
    label,
    valid: resultOk(r),
    util,
    ops: r.time.ops,
    cycles: r.time.cycles,
    liveBytesPeak: r.memory.liveBytesPeak,
    rssPeakBytes: r.memory.rssPeakBytes,
    violations: r.check.violations.length,
    ...(r.error !== undefined
      ? { error: `${r.error.kind}: ${r.error.message}` }
      : r.check.violations[0] !== undefined
        ? { error: `[${r.check.violations[0].kind}] ${r.check.violations[0].message}` }
        : {}),
  };
}

/** The reference models this build has, among those the schemes use. */
export function availableReferences(): string[] {
  const wanted = [...THROUGHPUT_REFERENCES, COURSE_BASELINE, COURSE_SYSTEM];
  return [...new Set(wanted)].filter((n) => hasModel(n));
}

/** The run of one input, for any allocator (the student's is checked). */
export function gradeRunConfig(input: GradeInput, opts: GradeOptions, student: boolean): Omit<RunConfig, 'allocator' | 'openLines'> {
  return {
    allocatorParams: student ? (opts.allocatorParams ?? {}) : {},
    workload: input.workload,
    workloadParams: input.params,
    seed: opts.seed ?? 1,
    ...(opts.machine ? { machine: opts.machine } : {}),
    check: student,
    // The correctness gate includes data races: a model that races fails it like one that overlaps.
    ...(student ? { races: true } : {}),
  };
}

/** Every available reference model's figures on every input (the same for every student). */
export function runReferences(inputs: readonly GradeInput[], opts: GradeOptions = {}): Array<Record<string, ReferenceScore>> {
  const refs = availableReferences();
  return inputs.map((input) => {
    const references: Record<string, ReferenceScore> = {};
    for (const name of refs) {
      const r = runExperiment({
        ...gradeRunConfig(input, opts, false),
        allocator: name,
        ...(opts.openLines !== undefined ? { openLines: opts.openLines } : {}),
      });
      references[name] = { ops: r.time.ops, cycles: r.time.cycles };
      opts.onRun?.(`${name} on ${input.label}`);
    }
    return references;
  });
}

/** Graded rows from the student's Result on each input and the references' figures. */
export function gradeRows(
  inputs: readonly GradeInput[],
  results: readonly Result[],
  references: ReadonlyArray<Record<string, ReferenceScore>>,
): GradeRow[] {
  return inputs.map((input, i) => ({ input, student: studentRun(results[i] as Result, input.label), references: references[i] ?? {} }));
}

/** Runs the model (checked, in this process) and every available reference on every input. */
export function runGrade(model: ModelInfo, inputs: readonly GradeInput[], opts: GradeOptions = {}): GradeRow[] {
  const results = inputs.map((input) => {
    const r = runExperiment({
      ...gradeRunConfig(input, opts, true),
      allocator: model,
      ...(opts.openLines !== undefined ? { openLines: opts.openLines } : {}),
    });
    opts.onRun?.(`${model.name} on ${input.label}`);
    return r;
  });
  return gradeRows(inputs, results, runReferences(inputs, opts));
}

export interface GradeScores {
  csapp: WeightedIndex | null;
  cmu: WeightedIndex | null;
  cmuCheckpoint: WeightedIndex | null;
  course: CourseIndex;
  /** What the schemes had to do without. */
  notes: string[];
}

/** Scores graded rows in every scheme. */
export function scoreGrade(rows: readonly GradeRow[], factor = 4): GradeScores {
  const notes: string[] = [];
  const inputs = rows.map((r) => r.student);
  const refsOf = (name: string): ReferenceScore[] | undefined =>
    rows.every((r) => r.references[name] !== undefined) ? rows.map((r) => r.references[name] as ReferenceScore) : undefined;
  const tref = THROUGHPUT_REFERENCES.find((n) => refsOf(n) !== undefined);
  if (tref === undefined)
    notes.push(`no throughput reference (${THROUGHPUT_REFERENCES.join(', ')}) is in this build: CS:APP and CMU cannot be scored`);
  else if (tref !== THROUGHPUT_REFERENCES[0])
    notes.push(`${THROUGHPUT_REFERENCES[0]} is not in this build: CS:APP and CMU throughput is relative to ${tref} instead`);
  const base = refsOf(COURSE_BASELINE);
  const sys = refsOf(COURSE_SYSTEM);
  if (base === undefined)
    notes.push(`${COURSE_BASELINE} (the one-lock baseline) is not in this build: the course's base goal cannot be judged`);
  if (sys === undefined)
    notes.push(`${COURSE_SYSTEM} (the system allocator) is not in this build: the course's challenge goal cannot be judged`);
  const tr = tref === undefined ? undefined : (refsOf(tref) as ReferenceScore[]);
  return {
    csapp: tr === undefined ? null : csappIndex(inputs, tr, tref as string),
    cmu: tr === undefined ? null : cmuIndex(inputs, tr, tref as string),
    cmuCheckpoint: tr === undefined ? null : cmuIndex(inputs, tr, tref as string, true),
    course: courseIndex(inputs, [
      {
        name: `base: ${factor}x faster than the one-lock baseline`,
        need: factor,
        ...(base ? { against: COURSE_BASELINE, refs: base } : {}),
      },
      { name: 'challenge: beat the system allocator by 10%', need: 1.1, ...(sys ? { against: COURSE_SYSTEM, refs: sys } : {}) },
    ]),
    notes,
  };
}
