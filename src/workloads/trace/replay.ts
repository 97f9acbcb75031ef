/**
 * Replaying trace events against the allocator. Two streaming passes over the file: the first
 * checks every line (so a malformed trace fails before anything runs) and finds the threads; the
 * second replays. Memory stays proportional to the live blocks and threads, never to the file.
 *
 * Single-stream formats replay on one thread. Android traces replay as AOSP's memory_replay does:
 * a dispatcher hands each record to the thread that made it, in file order; records of different
 * threads overlap, except that before any call that frees (free, realloc) every thread finishes
 * what it is doing, since the block may have been allocated by another thread. So a block freed
 * on another thread than the one that allocated it is a remote free in the replay too.
 */
import { counterAdd, recv, send, spawn, waitBelow } from '../../sim/ops.ts';
import { SimCounter, SimQueue } from '../../sim/primitives.ts';
import type { Op, ThreadBody } from '../../sim/thread.ts';
import { WorkloadInputError, type LineSource } from '../contract.ts';
import { calloc, fill, free, malloc, realloc, touch } from '../ops.ts';
import type { TraceEvent, TraceFormat } from './events.ts';
import { LiveSet, type UnknownFrees } from './live-set.ts';

export type TouchPolicy = 'none' | 'first-line' | 'all';

export interface TraceScan {
  events: number;
  /** Thread instances in order of first appearance (a tid reused after thread_done is a new one). */
  threads: Array<{ tid: number; events: number }>;
}

/**
 * The most thread instances a trace may have (a thread id reused after thread_done is a new one):
 * each becomes a simulated thread, and real record_allocs dumps have hundreds, not 200,000.
 */
export const MAX_TRACE_THREADS = 10_000;

/** Pass 1: parses and checks every line; counts events and thread instances. */
export function scanTrace(source: LineSource, format: TraceFormat, unknownFrees: UnknownFrees): TraceScan {
  const live = new LiveSet(source.name, unknownFrees, format.name !== 'csapp');
  const current = new Map<number, number>();
  const scan: TraceScan = { events: 0, threads: [] };
  for (const e of format.events(source.lines(), source.name)) {
    live.apply(e);
    scan.events++;
    let k = current.get(e.tid);
    if (k === undefined) {
      k = scan.threads.length;
      if (k === MAX_TRACE_THREADS) {
        throw new WorkloadInputError(
          source.name,
          e.line,
          `more than ${MAX_TRACE_THREADS} threads (each thread id, and each reuse after thread_done, is a simulated thread); split the trace or keep its busiest threads`,
        );
      }
      scan.threads.push({ tid: e.tid, events: 0 });
      current.set(e.tid, k);
    }
    (scan.threads[k] as { events: number }).events++;
    if (e.call === 'thread_done') current.delete(e.tid);
  }
  return scan;
}

interface Block {
  p: number;
  size: number;
}

/** Executes one checked event on the calling thread. */
export class TraceExecutor {
  readonly blocks = new Map<string, Block>();
  calls = 0;

  constructor(
    private readonly source: string,
    private readonly touchPolicy: TouchPolicy,
  ) {}

  private take(e: TraceEvent): Block {
    const b = this.blocks.get(e.oldId);
    if (b === undefined)
      throw new WorkloadInputError(
        this.source,
        e.line,
        `block ${e.oldId} is not allocated in the replay (did the file change between passes?)`,
      );
    this.blocks.delete(e.oldId);
    return b;
  }

  private *touched(e: TraceEvent, p: number, size: number, from: number): Generator<Op, void, unknown> {
    this.blocks.set(e.id, { p, size });
    if (p === 0 || size <= from || this.touchPolicy === 'none') return;
    if (this.touchPolicy === 'all') {
      // mdriver fills each payload with its id's low byte, so a realloc must keep the prefix.
      yield fill(p + from, size - from, Number(e.id) & 0xff);
    } else if (from < 64) {
      yield touch(p + from, Math.min(size, 64) - from, true);
    }
  }

  *run(e: TraceEvent, as: 'call' | 'malloc'): Generator<Op, void, unknown> {
    this.calls++;
    switch (as === 'malloc' ? 'malloc' : e.call) {
      case 'malloc':
      case 'memalign': {
        const aligned = e.align > 16 && (e.align & (e.align - 1)) === 0;
        const p = (yield aligned ? malloc(e.size, e.align) : malloc(e.size)) as number;
        yield* this.touched(e, p, e.size, 0);
        return;
      }
      case 'calloc': {
        const p = (yield calloc(e.nmemb, e.size)) as number;
        this.blocks.set(e.id, { p, size: e.nmemb * e.size });
        return;
      }
      case 'free':
        yield free(e.oldId === '' ? 0 : this.take(e).p);
        return;
      case 'realloc': {
        const old = e.oldId === '' ? { p: 0, size: 0 } : this.take(e);
        if (e.id === '') {
          yield free(old.p); // realloc(p, 0)
          return;
        }
        const q = (yield realloc(old.p, e.size)) as number;
        yield* this.touched(e, q, e.size, Math.min(old.size, e.size));
        return;
      }
      default:
        return; // thread_done: handled by the dispatcher
    }
  }
}

/** Pass 2 for single-stream formats: one thread replays every event. */
export function* replaySingle(
  source: LineSource,
  format: TraceFormat,
  x: TraceExecutor,
  unknownFrees: UnknownFrees,
  limit: number,
): ThreadBody {
  const live = new LiveSet(source.name, unknownFrees, format.name !== 'csapp');
  let n = 0;
  for (const e of format.events(source.lines(), source.name)) {
    if (n++ >= limit) break;
    const as = live.apply(e);
    if (as !== 'skip') yield* x.run(e, as);
  }
}

const STOP = null;

/** Pass 2 for Android traces: the dispatcher (memory_replay's main thread) and one thread per trace thread. */
export function* replayThreaded(
  source: LineSource,
  format: TraceFormat,
  x: TraceExecutor,
  unknownFrees: UnknownFrees,
  limit: number,
  scan: TraceScan,
  cores: number,
): ThreadBody {
  const live = new LiveSet(source.name, unknownFrees, true);
  const inflight = new SimCounter('records in flight');
  const busy = scan.threads.map((t, k) => new SimCounter(`thread ${t.tid}#${k} busy`));
  const inbox = scan.threads.map((t, k) => new SimQueue(`thread ${t.tid}#${k} records`));
  const started = scan.threads.map(() => false);
  const current = new Map<number, number>();
  // The first instance of each thread id keeps the plain name tid-N; a reuse is tid-N#k.
  const firstOf = new Map<number, number>();
  scan.threads.forEach((t, k) => {
    if (!firstOf.has(t.tid)) firstOf.set(t.tid, k);
  });
  let next = 0;
  const worker = function* (k: number): ThreadBody {
    for (;;) {
      const item = (yield recv(inbox[k] as SimQueue)) as { e: TraceEvent; as: 'call' | 'malloc' } | null;
      if (item === STOP) return;
      yield* x.run(item.e, item.as);
      yield counterAdd(busy[k] as SimCounter, -1);
      yield counterAdd(inflight, -1);
    }
  };
  let n = 0;
  for (const e of format.events(source.lines(), source.name)) {
    if (n++ >= limit) break;
    let k = current.get(e.tid);
    if (k === undefined) {
      k = next++;
      current.set(e.tid, k);
    }
    const as = live.apply(e);
    if (e.call === 'thread_done') {
      current.delete(e.tid);
      if (started[k] === true) yield send(inbox[k] as SimQueue, STOP);
      continue;
    }
    if (as === 'skip') continue;
    if (started[k] !== true) {
      started[k] = true;
      yield spawn(worker(k), `tid-${e.tid}${k === firstOf.get(e.tid) ? '' : `#${k}`}`, (1 + k) % cores);
    }
    // A call that frees waits until every thread is idle; any call waits for its own thread.
    if (e.call === 'free' || e.call === 'realloc') yield waitBelow(inflight, 1);
    else yield waitBelow(busy[k] as SimCounter, 1);
    yield counterAdd(inflight, 1);
    yield counterAdd(busy[k] as SimCounter, 1);
    yield send(inbox[k] as SimQueue, { e, as });
  }
  for (const k of current.values()) if (started[k] === true) yield send(inbox[k] as SimQueue, STOP);
  yield waitBelow(inflight, 1);
}
