/**
 * `allocsim grade <model|file.ts> [--preset csapp|cmu|cmu-checkpoint|course] [--trace F] [--workload W]
 *  [--scale S] [--factor N] [--json]`: utilization and throughput per input, and the Perf index.
 */
import chalk from 'chalk';
import type { Argv } from 'yargs';
import { availableReferences, runGrade, scoreGrade } from '../../experiment/grade.ts';
import { toJSON } from '../../report/format.ts';
import { formatGradeTable, formatScores, PRESETS, type Preset } from '../../report/grade-report.ts';
import { parseAssignment } from '../../sim/params.ts';
import { EXIT_CHECK_FAILED, UsageError } from '../errors.ts';
import { commaList } from '../grid-options.ts';
import { selectInputs } from '../grade-inputs.ts';
import type { Io } from '../io.ts';
import { fileLineSource } from '../../experiment/line-file.ts';
import { resolveModel } from '../model-resolver.ts';
import { listOption, loadMachine, positiveInt } from '../options.ts';
import { createStatus } from '../status.ts';

function positiveNumber(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a positive number, got '${String(v)}'`);
  return n;
}

export function registerGrade(y: Argv, io: Io): Argv {
  return y.command(
    'grade <allocator>',
    'score a model as allocator courses do: utilization, throughput against reference models, and a Perf index',
    (b) =>
      b
        .positional('allocator', { type: 'string', demandOption: true, describe: 'model file (./allocator.ts) or model name' })
        .option('preset', { type: 'string', describe: `scheme to show: ${PRESETS.join(', ')} (default: all)` })
        .option('trace', { type: 'string', array: true, describe: 'grade on these trace files (CS:APP .rep, ...)' })
        .option('workload', { alias: 'w', type: 'string', array: true, describe: 'grade on these workloads, comma-separated' })
        .option('scale', { type: 'string', describe: "scale of the workloads that take one (their 'scale' parameter)" })
        .option('factor', { type: 'string', default: '4', describe: "the course's required speed-up over the one-lock baseline" })
        .option('param', { alias: 'p', type: 'string', array: true, describe: 'model parameter key=value' })
        .option('seed', { type: 'string', default: '1' })
        .option('machine', { alias: 'm', type: 'string', default: 'default', describe: 'machine preset or JSON file' })
        .option('json', { type: 'boolean', default: false, describe: 'machine-readable: inputs, per-input figures and every scheme' }),
    async (args) => {
      const preset = args.preset === undefined ? undefined : String(args.preset);
      if (preset !== undefined && !(PRESETS as readonly string[]).includes(preset)) throw new UsageError(`unknown preset '${preset}'; choose from ${PRESETS.join(', ')}`);
      const factor = positiveNumber('factor', args.factor) as number;
      const scale = positiveNumber('scale', args.scale);
      const workloads = args.workload === undefined ? [] : commaList('workload', args.workload);
      const sel = selectInputs(listOption(args.trace), workloads, scale);
      const seed = positiveInt('seed', args.seed, 0);
      const machine = loadMachine(String(args.machine));
      const model = await resolveModel(String(args.allocator));
      const allocatorParams = Object.fromEntries(listOption(args.param).map(parseAssignment));
      const status = createStatus();
      const total = sel.inputs.length * (1 + availableReferences().length);
      let done = 0;
      let rows;
      try {
        rows = runGrade(model, sel.inputs, { seed, machine, allocatorParams, openLines: fileLineSource, onRun: (what) => status.tick(`grade: ${++done}/${total} runs, last ${what}`) });
      } finally {
        status.done();
      }
      const scores = scoreGrade(rows, factor);
      if (args.json) {
        io.out(toJSON({ allocator: model.name, source: String(args.allocator), seed, machine: machine.name, inputs: sel.inputs, inputNotes: sel.notes, rows, scores }));
      } else {
        io.out([
          chalk.bold(`grading ${model.name} on ${sel.inputs.length} input(s): ${sel.inputs.map((i) => i.label).join(', ')}`),
          ...sel.notes.map((n) => chalk.dim(`inputs: ${n}`)),
          formatGradeTable(rows),
          formatScores(scores, preset as Preset | undefined),
          '',
        ].join('\n'));
      }
      if (rows.some((r) => !r.student.valid)) io.exitCode = EXIT_CHECK_FAILED;
    },
  );
}
