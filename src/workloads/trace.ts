/**
 * `trace`: replays a recorded allocation trace (`-w trace --param file=F`, or `run --trace F`).
 * Formats: CS:APP malloc lab `.rep` files, Android malloc_debug record_allocs dumps (with thread
 * ids: frees replay on the thread that made them, so remote frees stay remote) and glibc mtrace
 * logs; the format is recognised from the first line or given with `format=`. The file is read
 * twice, streaming (it is never held whole): once to check every line, once to replay. A
 * malformed trace is an input error naming the file, the line and the reason. The simulator does
 * not open files itself: whoever runs it supplies a line source (the CLI reads files; see
 * docs/workloads/trace.md). Project-written example traces are in traces/.
 */
import { num, str, type ParamSpec } from '../lib/params.ts';
import { WorkloadInputError, type WorkloadEnv, type WorkloadInfo, type WorkloadInstance } from './contract.ts';
import { detectFormat } from './trace/detect.ts';
import { replaySingle, replayThreaded, scanTrace, TraceExecutor, type TouchPolicy } from './trace/replay.ts';
import type { UnknownFrees } from './trace/live-set.ts';

const PARAMS: ParamSpec[] = [
  { name: 'file', type: 'string', default: '', description: 'the trace to replay (run --trace FILE sets it)' },
  {
    name: 'format',
    type: 'enum',
    default: 'auto',
    choices: ['auto', 'csapp', 'android', 'mtrace'],
    description: 'trace format; auto recognises it from the first line',
  },
  {
    name: 'touch',
    type: 'enum',
    default: 'auto',
    choices: ['auto', 'none', 'first-line', 'all'],
    description: 'payload writes after each allocation: auto is all for CS:APP (mdriver fills every block) and first-line otherwise',
  },
  {
    name: 'unknownFrees',
    type: 'enum',
    default: 'error',
    choices: ['error', 'skip'],
    description: 'a free of a block the trace never allocated: an error, or skipped (traces started mid-run)',
  },
  {
    name: 'scale',
    type: 'number',
    default: 1,
    min: 1e-9,
    max: 1,
    description: "replay this fraction of the trace's records (from the start)",
  },
];

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const file = str(p, 'file');
  if (file === '') throw new WorkloadInputError('trace', undefined, 'no trace file: pass --param file=PATH (or run --trace PATH)');
  if (env.openLines === undefined) {
    throw new WorkloadInputError(
      file,
      undefined,
      'this run cannot open files: the caller must supply a line source (openLines in the run config)',
    );
  }
  const source = env.openLines(file);
  const format = detectFormat(source, str(p, 'format'));
  const unknownFrees = str(p, 'unknownFrees') as UnknownFrees;
  const scan = scanTrace(source, format, unknownFrees);
  const limit = Math.ceil(scan.events * num(p, 'scale'));
  const touchParam = str(p, 'touch');
  const touchPolicy = (touchParam === 'auto' ? (format.name === 'csapp' ? 'all' : 'first-line') : touchParam) as TouchPolicy;
  const x = new TraceExecutor(file, touchPolicy);
  const body = format.threaded
    ? replayThreaded(source, format, x, unknownFrees, limit, scan, env.cores)
    : replaySingle(source, format, x, unknownFrees, limit);
  return {
    threads: [{ name: format.threaded ? 'dispatcher' : 'trace', body }],
    report: () => ({ records: Math.min(limit, scan.events), calls: x.calls, traceThreads: scan.threads.length, liveAtEnd: x.blocks.size }),
  };
}

export const traceWorkload: WorkloadInfo = {
  name: 'trace',
  summary: 'replay a CS:APP, Android record_allocs or glibc mtrace trace (streamed; Android threads replay their own frees)',
  params: PARAMS,
  sources: [
    'CS:APP malloc lab mdriver (trace format)',
    'aosp-mirror/platform_bionic libc/malloc_debug/README.md (record_allocs)',
    'glibc malloc/mtrace-impl.c',
  ],
  doc: 'docs/workloads/trace.md',
  create,
};
