/**
 * `allocsim run -a <allocator> -w <workload> [--threads N] [--param k=v ...] [--seed S] [--machine M] [--check] [--races] [--json]
 *  [--profile] [--cachegrind-out FILE]`
 *  `allocsim run -a <allocator> --trace FILE` is short for `-w trace --param file=FILE`.
 */
import type { Argv } from 'yargs';
import { COMMANDS } from './spec.ts';
import { runExperiment } from '../../experiment/run.ts';
import { resultOk, workloadThreads } from '../../experiment/result.ts';
import { lookupWorkload } from '../../workloads/index.ts';
import { toJSON } from '../../report/format.ts';
import { formatRun } from '../../report/run-table.ts';
import { cachegrindFile, toCachegrind } from '../../report/cachegrind.ts';
import { loadModules } from '../grid-options.ts';
import { checkWritable, writeFilesAtomically, type OutputFile } from '../outputs.ts';
import { EXIT_CHECK_FAILED, UsageError } from '../errors.ts';
import { HeapRecorder, type RecorderOptions } from '../../experiment/heap-recorder.ts';
import { heapmapSvg } from '../../report/heapmap-svg.ts';
import { formatSteps } from '../../report/steps.ts';
import type { Io } from '../io.ts';
import { fileLineSource } from '../../experiment/line-file.ts';
import { isModelFile, resolveModel } from '../model-resolver.ts';
import { isolated, isolationOptions, loadIsolated } from '../isolation-options.ts';
import type { Result } from '../../experiment/result.ts';
import { resolve as resolvePath } from 'node:path';
import { listOption, loadMachine, positiveInt, splitParams } from '../options.ts';
import { createStatus } from '../status.ts';

/** --steps / --heapmap: what to record while the model runs (undefined: nothing). */
function heapOptions(args: Record<string, unknown>): (RecorderOptions & { heapmap?: string }) | undefined {
  const steps = args.steps === true ? positiveInt('steps-limit', args['steps-limit']) : 0;
  const heapmap = args.heapmap === undefined ? undefined : String(args.heapmap);
  if (steps > 0 && args.json === true) throw new UsageError('--steps prints text; it cannot go with --json (use --heapmap for a picture)');
  if (heapmap !== undefined) checkWritable('--heapmap', heapmap);
  if (steps === 0 && heapmap === undefined) return undefined;
  return { steps, samples: heapmap === undefined ? 0 : HEAPMAP_SAMPLES, ...(heapmap !== undefined ? { heapmap } : {}) };
}

/** Columns of a heap map: samples kept (the sampling interval doubles to stay under it). */
const HEAPMAP_SAMPLES = 240;

function workloadOf(workload: unknown, trace: unknown): string {
  if (trace === undefined) {
    if (workload === undefined)
      throw new UsageError('name a workload with -w (see `allocsim list workloads`) or a trace file with --trace FILE');
    return String(workload);
  }
  if (workload !== undefined && workload !== 'trace')
    throw new UsageError(`--trace replays a trace; it cannot be combined with -w ${String(workload)}`);
  return 'trace';
}

export function registerRun(y: Argv, io: Io, argv: readonly string[] = []): Argv {
  return y.command(
    COMMANDS.run.command,
    COMMANDS.run.describe,
    (b) =>
      isolationOptions(b)
        .option('allocator', {
          alias: 'a',
          type: 'string',
          demandOption: true,
          describe: 'allocator model (see `allocsim list allocators`) or a model file (./allocator.ts)',
        })
        .option('workload', { alias: 'w', type: 'string', describe: 'workload (see `allocsim list workloads`)' })
        .option('trace', { type: 'string', describe: 'replay a trace file (short for -w trace --param file=FILE)' })
        .option('threads', { alias: 't', type: 'string', describe: "sets the workload's threads parameter" })
        .option('param', {
          alias: 'p',
          type: 'string',
          array: true,
          describe: 'parameter override key=value (alloc.key / work.key to disambiguate)',
        })
        .option('seed', { type: 'string', default: '1', describe: 'seed of every random choice' })
        .option('machine', { alias: 'm', type: 'string', default: 'default', describe: 'machine preset or JSON file' })
        .option('check', { type: 'boolean', default: false, describe: 'check every operation against the allocator invariants' })
        .option('races', {
          type: 'boolean',
          default: false,
          describe: "with the checker, run the data-race detector over the allocator's memory (implies --check)",
        })
        .option('invariants', {
          type: 'boolean',
          default: false,
          describe:
            "with the checker, check the model's debug invariants where the real allocator's debug build asserts them (implies --check)",
        })
        .option('json', { type: 'boolean', default: false, describe: 'print the Result as JSON' })
        .option('profile', { type: 'boolean', default: false, describe: 'add the per-path profile to the Result (profile field)' })
        .option('cachegrind-out', { type: 'string', describe: 'write per-path events in Cachegrind format (cg_annotate reads it)' })
        .option('load', { type: 'string', array: true, describe: 'import a module that registers extra allocators or workloads' })
        .option('steps', {
          type: 'boolean',
          default: false,
          describe: "print each operation with the model's free list after it (malloc.py notation)",
        })
        .option('steps-limit', { type: 'string', default: '200', describe: 'operations --steps shows' })
        .option('heapmap', {
          type: 'string',
          describe: 'write an SVG map of the heap over time (live, free, per thread) with RSS and fragmentation',
        }),
    async (args) => {
      await loadModules(listOption(args.load));
      const cgOut = args['cachegrind-out'] === undefined ? undefined : String(args['cachegrind-out']);
      if (cgOut !== undefined) checkWritable('--cachegrind-out', cgOut);
      const watch = heapOptions(args);
      const file = String(args.allocator);
      const workload = workloadOf(args.workload, args.trace);
      const { info: winfo } = lookupWorkload(workload);
      const seed = positiveInt('seed', args.seed, 0);
      const machine = loadMachine(String(args.machine));
      // The model's process may read the trace it replays (--trace, or -p file=), nothing else.
      const fileParams = listOption(args.param)
        .filter((a) => /^(work\.)?file=/.test(a))
        .map((a) => a.slice(a.indexOf('=') + 1));
      const readable = [...(args.trace === undefined ? [] : [String(args.trace)]), ...fileParams].map((f) => resolvePath(f));
      const student = isModelFile(file) && isolated(args) ? await loadIsolated(file, args, readable) : undefined;
      const resolved = student?.info() ?? (await resolveModel(file));
      const params = splitParams(listOption(args.param), resolved.params, winfo.params);
      if (args.trace !== undefined) params.workload.file = String(args.trace);
      if (args.threads !== undefined) {
        if (params.workload.threads !== undefined)
          throw new UsageError('--threads and -p threads= both set the thread count; give one of them');
        params.workload.threads = positiveInt('threads', args.threads);
      }
      const config = {
        allocatorParams: params.allocator,
        workload,
        workloadParams: params.workload,
        seed,
        machine,
        check: args.check === true || args.races === true || args.invariants === true,
        races: args.races === true,
        invariants: args.invariants === true,
        profile: args.profile === true || cgOut !== undefined,
      };
      let r: Result;
      let recorder: Pick<HeapRecorder, 'steps' | 'stepsSkipped' | 'hasHeapWalk' | 'samples'> | undefined;
      if (student !== undefined) {
        try {
          const run = await student.run(config, watch === undefined ? {} : { steps: watch.steps ?? 0, samples: watch.samples ?? 0 });
          r = run.result;
          recorder = watch === undefined ? undefined : (run.recorder ?? { steps: [], samples: [], stepsSkipped: 0, hasHeapWalk: false });
        } finally {
          student.close();
        }
      } else {
        const rec = watch === undefined ? undefined : new HeapRecorder(watch);
        const status = createStatus();
        try {
          r = runExperiment({
            ...config,
            allocator: rec === undefined ? resolved : rec.wrap(resolved),
            openLines: fileLineSource,
            onProgress: (ops) => status.tick(`run: ${resolved.name} on ${workload}: ${ops.toLocaleString('en-US')} operations`),
          });
        } finally {
          status.done();
        }
        recorder = rec;
      }
      const files: OutputFile[] = [];
      if (cgOut !== undefined) {
        const threads = workloadThreads(r.params.workload)?.count ?? 0;
        const content = toCachegrind(
          [{ file: cachegrindFile(r.workload, threads, r.allocator), results: [r] }],
          `allocsim ${argv.join(' ')}`,
          [
            `allocsim run: ${r.allocator} on ${r.workload}, seed ${r.seed}, machine ${r.machine}`,
            'fl= the run (workload/threads=N/allocator), fn= an allocator code path',
          ],
        );
        files.push({ option: '--cachegrind-out', path: cgOut, content });
      }
      if (recorder !== undefined && watch?.heapmap !== undefined) {
        const svg = heapmapSvg(recorder.samples, {
          title: `heap map: ${r.allocator} on ${r.workload}`,
          subtitle: `seed ${r.seed}, machine ${r.machine}, ${r.time.ops} operations in ${r.time.cycles} cycles; peak RSS ${r.memory.rssPeakBytes} B, peak live ${r.memory.liveBytesPeak} B${recorder.hasHeapWalk ? '' : '; the model has no heapWalk(), so free memory is not shown'}`,
          threads: r.time.threads.length,
        });
        files.push({ option: '--heapmap', path: watch.heapmap, content: svg });
      }
      writeFilesAtomically(files); // both files, or neither
      if (recorder !== undefined && watch?.steps !== undefined && watch.steps > 0) io.out(formatSteps(recorder));
      io.out(args.json ? toJSON(r) : formatRun(r));
      if (!resultOk(r)) io.exitCode = EXIT_CHECK_FAILED;
    },
  );
}
