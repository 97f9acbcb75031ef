/**
 * What `allocsim grade` runs a model on, and why: the project's synthetic traces when the `trace`
 * workload exists, the coursework programs when they exist, and otherwise `random` in two shapes —
 * always saying which inputs were used and which were missing. `--trace` and `--workload` choose
 * the inputs explicitly.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { GradeInput } from '../experiment/grade.ts';
import { COURSEWORK_WORKLOADS, isRegistered } from '../experiment/coursework-suite.ts';
import type { ParamValue } from '../lib/params.ts';
import { lookupWorkload } from '../workloads/registry.ts';
import { UsageError } from './errors.ts';
import { ALLOCSIM_ROOT } from './package-root.ts';

/** The trace workload and the parameter naming its file (issue 8: `-w trace --param file=F`). */
export const TRACE_WORKLOAD = 'trace';
export const TRACE_FILE_PARAM = 'file';
/** Where the project's synthetic CS:APP-format traces ship, relative to the checkout (first that has some). */
export const TRACE_DIRS = [join('traces', 'csapp'), 'traces'];
const TRACE_EXT = /\.rep$/;
/** Tiny traces for debugging, left out of grading as CS:APP's config.h leaves out short1/short2. */
const DEBUG_TRACE = /^short/;

/** Stand-ins when neither traces nor coursework programs are in this build. */
export const RANDOM_INPUTS: readonly GradeInput[] = [
  { label: 'random-1t', workload: 'random', params: { threads: 1, ops: 4000, minSize: 8, maxSize: 512 } },
  { label: 'random-4t', workload: 'random', params: { threads: 4, ops: 2000, minSize: 8, maxSize: 2048 } },
];

export interface InputSelection {
  inputs: GradeInput[];
  /** One line each: what was used, what was missing. */
  notes: string[];
}

function traceInput(file: string): GradeInput {
  return { label: basename(file), workload: TRACE_WORKLOAD, params: { [TRACE_FILE_PARAM]: resolve(file) } };
}

function shippedTraces(): string[] {
  for (const d of TRACE_DIRS) {
    const dir = join(ALLOCSIM_ROOT, d);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    const files = readdirSync(dir)
      .filter((f) => TRACE_EXT.test(f) && !DEBUG_TRACE.test(f))
      .sort();
    if (files.length > 0) return files.map((f) => join(dir, f));
  }
  return [];
}

function withScale(input: GradeInput, scale: number | undefined): GradeInput {
  if (scale === undefined || !lookupWorkload(input.workload).info.params.some((p) => p.name === 'scale')) return input;
  return { ...input, params: { ...input.params, scale } };
}

/** The default inputs of this build. */
export function defaultInputs(): InputSelection {
  const notes: string[] = [];
  const inputs: GradeInput[] = [];
  if (isRegistered(TRACE_WORKLOAD)) {
    const traces = shippedTraces();
    if (traces.length > 0) {
      inputs.push(...traces.map(traceInput));
      notes.push(`synthetic traces: ${traces.map((t) => basename(t)).join(', ')}`);
    } else {
      notes.push(`the ${TRACE_WORKLOAD} workload exists but no synthetic traces were found in ${TRACE_DIRS.join(' or ')}`);
    }
  } else {
    notes.push(`the ${TRACE_WORKLOAD} workload is not in this build: no synthetic traces`);
  }
  const course = COURSEWORK_WORKLOADS.filter((w) => isRegistered(w.name));
  const missing = COURSEWORK_WORKLOADS.filter((w) => !isRegistered(w.name)).map((w) => w.name);
  // Graded at the workloads' own defaults (check runs them at the course's correctness size).
  inputs.push(...course.map((w) => ({ label: w.name, workload: w.name, params: {} })));
  if (course.length > 0) notes.push(`coursework programs: ${course.map((w) => w.name).join(', ')}`);
  if (missing.length > 0) notes.push(`not in this build: ${missing.join(', ')}`);
  if (inputs.length === 0) {
    inputs.push(...RANDOM_INPUTS);
    notes.push(`random stood in: ${RANDOM_INPUTS.map((i) => i.label).join(', ')}`);
  }
  return { inputs, notes };
}

/** Inputs from --trace and --workload, or the defaults; `scale` goes to workloads that take one. */
export function selectInputs(traces: readonly string[], workloads: readonly string[], scale?: number): InputSelection {
  let sel: InputSelection;
  if (traces.length === 0 && workloads.length === 0) {
    sel = defaultInputs();
  } else {
    if (traces.length > 0 && !isRegistered(TRACE_WORKLOAD))
      throw new UsageError(`--trace needs the ${TRACE_WORKLOAD} workload, which is not in this build`);
    for (const t of traces) if (!existsSync(t)) throw new UsageError(`cannot find trace file ${t}`);
    const inputs = [
      ...traces.map(traceInput),
      ...workloads.map((w) => {
        lookupWorkload(w); // unknown names are a usage error listing the valid ones
        return { label: w, workload: w, params: {} as Record<string, ParamValue> };
      }),
    ];
    sel = { inputs, notes: ['inputs chosen on the command line'] };
  }
  return { inputs: sel.inputs.map((i) => withScale(i, scale)), notes: sel.notes };
}
