/**
 * The model worker: a student's model runs here, never in the page or the simulator's worker. The
 * page gives it a time limit and terminates it when the limit passes (an infinite loop that touches
 * no memory escapes the per-call access budget; termination does not need the loop's help).
 */
import '../../src/allocators/index.ts';
import '../../src/workloads/index.ts';
import chalk from 'chalk';
import type { ModelInfo } from '../../src/allocators/kit/contract.ts';
import { checkProperty, PROPERTIES, type PropertyResult, type PropertySpec } from '../../src/experiment/conformance.ts';
import { runGrade, scoreGrade, type GradeInput } from '../../src/experiment/grade.ts';
import { textLineSources } from '../../src/experiment/line-text.ts';
import { contractBlocks, probeContract } from '../../src/experiment/model-contract.ts';
import { formatScores, GRADE_LEGEND, gradeCells } from '../../src/report/grade-scores.ts';
import { recordHeap, recording } from './heap-record.ts';
import type { FromModel, HeapRecording, ToModel } from './messages.ts';
import { loadModel, MODEL_FILE } from './model-loader.ts';

// The reports' text goes into the page, where terminal colour codes would show as garbage.
chalk.level = 0;

const post = (m: FromModel): void => (self as unknown as { postMessage(m: FromModel): void }).postMessage(m);

/** Operations of a replayed counterexample kept as pictures. */
const REPLAY_FRAMES = 400;

/** Replays a failed property's shrunk sequence (fast-check's seed, path and replayPath) with the heap recorded. */
function replay(info: ModelInfo, spec: PropertySpec, r: PropertyResult): HeapRecording | undefined {
  if (r.path === undefined) return undefined;
  const { info: recorded, rec, frames } = recording(info, REPLAY_FRAMES);
  const again = checkProperty(recorded, spec, {
    seed: r.seed,
    path: r.path,
    ...(r.replayPath !== undefined ? { replayPath: r.replayPath } : {}),
  });
  return {
    title: `${info.name}: the shrunk counterexample of ${spec.name}`,
    hasHeapWalk: rec.hasHeapWalk,
    frames,
    ...(again.message !== undefined ? { error: again.message } : {}),
  };
}

function check(source: string, runs: number, seed: number): void {
  const info = loadModel(source);
  const contract = probeContract(info, MODEL_FILE);
  post({ kind: 'loaded', name: info.name, contract });
  if (contractBlocks(contract)) return post({ kind: 'check-done' });
  for (const spec of PROPERTIES) {
    const result = checkProperty(info, spec, { seed, numRuns: runs });
    const rep = result.ok ? undefined : replay(info, spec, result);
    post({ kind: 'property', report: { result, ...(rep !== undefined ? { replay: rep } : {}) } });
  }
  post({ kind: 'check-done' });
}

/** `allocsim grade` on the given inputs: the model (checked) and the reference models, then every scheme's score. */
function grade(source: string, inputs: GradeInput[], traces: Record<string, string>): void {
  const info = loadModel(source);
  const rows = runGrade(info, inputs, { openLines: textLineSources(traces), onRun: (what) => post({ kind: 'grade-progress', what }) });
  const cells = gradeCells(rows);
  post({
    kind: 'grade-done',
    ...cells,
    valid: rows.map((r) => r.student.valid),
    legend: GRADE_LEGEND,
    errors: rows.filter((r) => r.student.error !== undefined).map((r) => `${r.input.label}: ${r.student.error as string}`),
    scores: formatScores(scoreGrade(rows)),
  });
}

function handle(m: ToModel): void {
  switch (m.kind) {
    case 'grade':
      return grade(m.source, m.inputs, m.traces);
    case 'check':
      return check(m.source, m.runs, m.seed);
    case 'heap':
      return post({ kind: 'heap-done', recording: recordHeap(loadModel(m.source), m.job) });
  }
}

self.onmessage = (e: MessageEvent<ToModel>): void => {
  try {
    handle(e.data);
  } catch (err) {
    post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
