/**
 * A model file's code in a realm of its own: a vm context with no Node API (no process, require,
 * import(), fetch, timers; no eval, no WebAssembly), holding the model bundled with its imports
 * (bundle.ts) and realm-entry.ts. The simulator, its counters, the checker and the Results stay in
 * this realm; the model gets objects of its own realm whose methods reach the simulator through
 * one bridge function taking and returning numbers and strings. The host side never touches an
 * object of the model's realm: the dispatcher answers numbers or JSON text, parsed here.
 *
 * `heartbeat` (a shared Int32Array: [call counter, call in progress]) lets the supervisor see a
 * call that does not return (supervisor.ts).
 */
import vm from 'node:vm';
import { SourceMap } from 'node:module';
import type { AllocatorModel, HeapRegion, ModelDescription, ModelEnv, ModelInfo } from '../../allocators/kit/contract.ts';
import { AllocatorAbort } from '../../allocators/kit/contract.ts';
import type { Cpu } from '../../machine/cpu.ts';
import type { Machine } from '../../machine/machine.ts';
import { Counters } from '../../allocators/kit/model-counters.ts';
import type { ParamValue } from '../../lib/params.ts';
import { modelFromExports } from '../model-file.ts';
import * as P from './protocol.ts';

export const HB_SEQ = 0;
export const HB_CALL = 1;
/** HB_CALL when no model call is under way. */
export const HB_IDLE = -1;

export class ModelCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelCrash';
  }
}

type Dispatch = (op: number, model: number, a?: unknown, b?: unknown, c?: unknown) => unknown;
type Reply = {
  error?: {
    host?: number;
    abort?: string;
    address?: number;
    crash?: string;
    message?: string;
    stack?: string;
    thrown?: string;
    text?: string;
  };
  ok?: unknown;
  value?: { string?: string; bigint?: string; type?: string };
  id?: number;
  methods?: string[];
  counters?: boolean;
  className?: string;
};

const isArg = (v: unknown): boolean => v === undefined || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

/** mmap's options from JSON, keeping only the known fields of the right types. */
function mmapOptions(json: unknown): Record<string, unknown> | undefined {
  if (json === undefined) return undefined;
  const o = JSON.parse(String(json)) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['align', 'addr', 'prot']) if (typeof o[k] === 'number') out[k] = o[k];
  for (const k of ['populate', 'noreserve', 'huge']) if (typeof o[k] === 'boolean') out[k] = o[k];
  if (o.fixed === 'replace' || o.fixed === 'noreplace') out.fixed = o.fixed;
  if (typeof o.name === 'string') out.name = o.name;
  return out;
}

export class ModelRealm {
  private readonly context: vm.Context;
  private dispatch: Dispatch | undefined;
  /** Objects of this realm the model names by number: cpus, machines, counters (emptied per model). */
  private objects: unknown[] = [];
  private readonly ids = new Map<unknown, number>();
  private readonly errors: unknown[] = [];
  private lastError: unknown;
  private readonly map: SourceMap | undefined;

  constructor(
    readonly file: string,
    code: string,
    sourceMap: string | undefined,
    private readonly heartbeat?: Int32Array,
  ) {
    this.map = sourceMap === undefined ? undefined : new SourceMap(JSON.parse(sourceMap) as never);
    // A global object with no prototype: with `{}`, a lookup on the model's global object that
    // misses (`globalThis.constructor`) would reach this realm's Object, Function and `process`.
    this.context = vm.createContext(Object.create(null) as object, {
      codeGeneration: { strings: false, wasm: false },
      name: `model ${this.base}`,
    });
    const bridge = (
      kind: number,
      id: number,
      method: number,
      a?: unknown,
      b?: unknown,
      c?: unknown,
      d?: unknown,
      a5?: unknown,
      a6?: unknown,
    ): unknown => {
      try {
        return this.serve(kind, id, method, a, b, c, d, a5, a6);
      } catch (e) {
        this.lastError = e;
        return undefined;
      }
    };
    Object.defineProperty(vm.runInContext('globalThis', this.context), '__allocsimBridge', { value: bridge, configurable: true });
    this.enter(P.D_IMPORT);
    try {
      // Strict, as the model's ES modules are: no frame of it hands out its `this` or function to a stack trace.
      new vm.Script(`'use strict';${code}`, { filename: this.base }).runInContext(this.context);
    } catch (e) {
      throw new ModelCrash(`${this.base}: cannot load it: ${this.firstLine(e)}`);
    } finally {
      this.leave();
    }
    if (this.dispatch === undefined) throw new ModelCrash(`${this.base}: cannot load it: the model's module did not finish loading`);
  }

  private get base(): string {
    return this.file.split(/[\\/]/).pop() ?? this.file;
  }

  /** The first line of a thrown value of the model's realm, read without trusting it. */
  private firstLine(e: unknown): string {
    try {
      const msg = e !== null && typeof e === 'object' ? String((e as { message?: unknown }).message) : String(e);
      return msg.split('\n')[0] ?? '';
    } catch {
      return 'it threw something that cannot be printed';
    }
  }

  private enter(op: number): void {
    if (this.heartbeat === undefined) return;
    Atomics.add(this.heartbeat, HB_SEQ, 1);
    Atomics.store(this.heartbeat, HB_CALL, op);
  }

  private leave(): void {
    if (this.heartbeat !== undefined) Atomics.store(this.heartbeat, HB_CALL, HB_IDLE);
  }

  private idOf(o: unknown): number {
    let id = this.ids.get(o);
    if (id === undefined) {
      id = this.objects.length;
      this.objects.push(o);
      this.ids.set(o, id);
    }
    return id;
  }

  /** One request of the model's realm: a method of a simulator object, with checked arguments. */
  private serve(
    kind: number,
    id: number,
    method: number,
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
    a5?: unknown,
    a6?: unknown,
  ): unknown {
    if (kind === P.K_SYSTEM) {
      if (method === 0 && this.dispatch === undefined && typeof a === 'function') this.dispatch = a as Dispatch;
      if (method === 1) {
        const e = this.lastError;
        const n = this.errors.push(e) - 1;
        const name = e instanceof Error ? e.name : 'Error';
        return `${n} ${name}:${e instanceof Error ? e.message : String(e)}`;
      }
      return 0;
    }
    if (![a, b, c, d, a5, a6].every(isArg))
      throw new TypeError('the simulator takes numbers (and strings for names); an object was passed');
    const target = this.objects[id];
    if (kind === P.K_CPU) {
      const cpu = target as Cpu;
      const methods = target as Record<string, ((...args: unknown[]) => unknown) | undefined>;
      const name = P.CPU_METHODS[method];
      if (name === undefined || typeof cpu?.load !== 'function') throw new TypeError('not a cpu call');
      switch (name) {
        case 'getNow':
          return cpu.now;
        case 'setNow':
          cpu.now = Number(a);
          return 0;
        case 'getHi':
          return cpu.hi;
        case 'getTls':
          return cpu.tls;
        case 'getThread':
          return cpu.thread;
        case 'getCore':
          return cpu.core;
        case 'getMachine':
          return this.idOf(cpu.machine);
        case 'mmap':
          return cpu.mmap(a as number, mmapOptions(b) as never);
        default: {
          const r = methods[name]?.apply(cpu, [a, b, c, d, a5, a6].slice(0, argCount(a, b, c, d, a5, a6)));
          return r === undefined ? 0 : r;
        }
      }
    }
    if (kind === P.K_MACHINE) {
      const m = target as Machine;
      if (typeof m?.staticData !== 'function') throw new TypeError('not a machine call');
      switch (P.MACHINE_METHODS[method]) {
        case 'staticData':
          return m.staticData(a as number, typeof b === 'string' ? b : undefined);
        case 'peek':
          return m.peek(a as number, b as 8 | undefined);
        case 'poke':
          m.poke(a as number, b as number, c as 8 | undefined);
          return 0;
        case 'tlsBase':
          return m.tlsBase(a as number);
        case 'pathId':
          return m.paths.id(String(a));
        case 'spec':
          return JSON.stringify(m.spec);
        default:
          throw new TypeError('not a machine call');
      }
    }
    if (kind === P.K_COUNTERS) {
      const k = target as Counters;
      if (!(k instanceof Counters) || typeof a !== 'string') throw new TypeError('counters take a name');
      switch (P.COUNTER_METHODS[method]) {
        case 'add':
          k.add(a, b === undefined ? 1 : Number(b));
          return 0;
        case 'set':
          k.set(a, Number(b));
          return 0;
        case 'max':
          k.max(a, Number(b));
          return 0;
        case 'get':
          return k.get(a);
        case 'record': {
          const bounds = d === undefined ? undefined : (JSON.parse(String(d)) as unknown);
          k.histogram(a, Array.isArray(bounds) && bounds.every((x) => typeof x === 'number') ? bounds : undefined).record(
            Number(b),
            c === undefined ? 1 : Number(c),
          );
          return 0;
        }
        default:
          throw new TypeError('not a counters call');
      }
    }
    throw new TypeError('unknown object');
  }

  /** Calls the dispatcher (the model's code runs) and parses its answer. */
  call(op: number, model: number, a?: unknown, b?: unknown, c?: unknown): number | Reply | undefined {
    const d = this.dispatch as Dispatch;
    this.enter(op);
    let r: unknown;
    try {
      r = d(op, model, a, b, c);
    } finally {
      this.leave();
    }
    if (typeof r === 'number') return r;
    if (typeof r !== 'string')
      throw new ModelCrash(`${P.DISPATCH[op] ?? 'a call'} of ${this.base} returned something the simulator cannot read`);
    if (r === 'undefined') return undefined;
    let reply: Reply;
    try {
      reply = JSON.parse(String(r)) as Reply;
    } catch {
      throw new ModelCrash(`${P.DISPATCH[op] ?? 'a call'} of ${this.base} returned something the simulator cannot read`);
    }
    if (reply.error !== undefined) this.raise(op, reply.error);
    return reply;
  }

  private raise(op: number, e: NonNullable<Reply['error']>): never {
    if (typeof e.host === 'number' && e.host >= 0 && e.host < this.errors.length) throw this.errors[e.host];
    if (typeof e.abort === 'string') throw new AllocatorAbort(e.abort, Number(e.address) || 0);
    const what = P.DISPATCH[op] ?? 'a call';
    if (typeof e.crash === 'string') {
      const err = new ModelCrash(String(e.message ?? ''));
      err.name = e.crash;
      err.stack = `${e.crash}: ${String(e.message ?? '')}\n${this.mapStack(String(e.stack ?? ''))}`;
      throw err;
    }
    throw new ModelCrash(`${what} threw a ${String(e.thrown)} (${String(e.text)})`);
  }

  /** Stack frames of the bundle mapped back to the model's source lines. */
  private mapStack(stack: string): string {
    return stack
      .split('\n')
      .slice(1)
      .map((line) =>
        line.replace(/([^\s()]+):(\d+):(\d+)/, (all, file: string, l: string, col: string) => {
          if (file !== this.base || this.map === undefined) return all;
          const hit = this.map.findEntry(Number(l) - 1, Number(col) - 1) as {
            originalSource?: string;
            originalLine?: number;
            originalColumn?: number;
          };
          if (hit.originalSource === undefined) return all;
          return `${hit.originalSource.replace(/^file:\/\//, '')}:${(hit.originalLine ?? 0) + 1}:${(hit.originalColumn ?? 0) + 1}`;
        }),
      )
      .join('\n');
  }

  /** The model file's ModelInfo, whose create() makes the model in its realm. */
  info(): ModelInfo {
    const desc = this.call(P.D_INFO, 0) as Record<string, unknown>;
    let exported: unknown;
    if (desc.type === 'function') exported = () => undefined;
    else if (desc.type === 'object') {
      exported = {
        ...(typeof desc.name === 'string' ? { name: desc.name } : {}),
        ...(typeof desc.summary === 'string' ? { summary: desc.summary } : {}),
        ...(typeof desc.doc === 'string' ? { doc: desc.doc } : {}),
        ...(desc.params !== undefined ? { params: Array.isArray(desc.params) ? sanitizeParams(desc.params) : 'not an array' } : {}),
        ...(desc.create === 'function' ? { create: (env: ModelEnv) => this.create(env) } : {}),
      };
    }
    return modelFromExports(this.file, exported);
  }

  private create(env: ModelEnv): AllocatorModel {
    this.objects = [];
    this.ids.clear();
    this.errors.length = 0;
    const counters = this.idOf(env.counters);
    const r = this.call(P.D_CREATE, counters, JSON.stringify(env.params), env.seed, this.idOf(env.machine)) as Reply;
    if (typeof r.id !== 'number') return r.value?.type === 'undefined' ? (undefined as never) : (null as never);
    const id = r.id;
    const methods = new Set(r.methods ?? []);
    // The model's class name, for the contract report ("create(env) made a MyFreelist").
    const model = Object.create({ constructor: { name: String(r.className ?? 'Object') } }) as Record<string, unknown>;
    model.describe = () => (this.call(P.D_DESCRIBE, id) as Reply).ok as ModelDescription;
    if (r.counters === true) model.counters = env.counters;
    if (!methods.has('describe')) delete model.describe;
    P.MODEL_METHODS.forEach((name, k) => {
      const op = k + 3;
      if (!methods.has(name) || name === 'describe') return;
      model[name] =
        name === 'heapWalk'
          ? (cpu: Cpu) => (this.call(op, id, this.idOf(cpu)) as Reply).ok as HeapRegion[]
          : (cpu: Cpu, x?: unknown, y?: unknown) => valueOf(this.call(op, id, this.idOf(cpu), x, y));
    });
    return model as unknown as AllocatorModel;
  }
}

/** A dispatcher answer as the value the model returned (a number, or a stand-in of its type). */
function valueOf(r: number | Reply | undefined): unknown {
  if (typeof r === 'number' || r === undefined) return r;
  const v = r.value;
  if (typeof v?.string === 'string') return v.string;
  if (typeof v?.bigint === 'string') return BigInt(v.bigint);
  if (v?.type === 'null') return null;
  if (v?.type === 'boolean') return false;
  return {};
}

function argCount(...args: unknown[]): number {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  return n;
}

/** Parameter specs as plain data of known fields. */
function sanitizeParams(list: unknown[]): Array<Record<string, ParamValue | readonly string[] | undefined>> {
  return list.map((p) => {
    const o = (p ?? {}) as Record<string, unknown>;
    const out: Record<string, ParamValue | readonly string[] | undefined> = {};
    for (const k of ['name', 'type', 'description', 'source']) if (typeof o[k] === 'string') out[k] = o[k] as string;
    for (const k of ['min', 'max']) if (typeof o[k] === 'number') out[k] = o[k] as number;
    if (['number', 'string', 'boolean'].includes(typeof o.default)) out.default = o.default as ParamValue;
    if (Array.isArray(o.choices)) out.choices = o.choices.filter((x): x is string => typeof x === 'string');
    return out;
  });
}
