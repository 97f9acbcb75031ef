/**
 * The model's side of the realm boundary: bundled together with a model file and run in the model's
 * own realm (a vm context with no Node API), first of all its modules. It takes the bridge function
 * the simulator's realm left on the global object (and removes it before the model's code runs),
 * gives the model Cpu, Machine and Counters objects made in this realm whose methods call the
 * bridge with numbers and strings, and registers the dispatcher the simulator calls the model
 * through. Anything the model does here (patching globals, lying) changes only what it answers.
 */
import { AllocatorAbort } from '../../allocators/kit/contract.ts';
import * as P from './protocol.ts';

type Bridge = (
  kind: number,
  id: number,
  method: number,
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
  a5?: unknown,
  a6?: unknown,
) => unknown;

const g = globalThis as unknown as Record<string, unknown>;
const B = g.__allocsimBridge as Bridge;
delete g.__allocsimBridge;
const HOST = Symbol('host error');
// Taken before the model's code runs, so a model that replaces JSON's functions changes only its own use of them.
const stringify = JSON.stringify;
const parse = JSON.parse;
type Obj = Record<string | symbol, unknown>;

/**
 * A call into the simulator; a host error comes back as an error of this realm that names it. Up
 * to six arguments: the longest Cpu methods (cas, cas64) take address, expected, desired, size,
 * origin and memory order.
 */
function call(
  kind: number,
  id: number,
  method: number,
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
  a5?: unknown,
  a6?: unknown,
): unknown {
  let r: unknown;
  try {
    r = B(kind, id, method, a, b, c, d, a5, a6);
  } catch {
    throw new Error('the simulator could not complete the call');
  }
  if (r !== undefined) return r;
  const text = String(B(P.K_SYSTEM, 0, 1));
  const at = text.indexOf(':');
  const e = new Error(text.slice(at + 1)) as unknown as Obj;
  const sep = text.indexOf(' ');
  e.name = text.slice(sep + 1, at);
  e[HOST] = Number(text.slice(0, sep));
  throw e;
}

const index = (list: readonly string[], name: string): number => list.indexOf(name);

function machineFacade(id: number): Obj {
  const m = (name: (typeof P.MACHINE_METHODS)[number]): number => index(P.MACHINE_METHODS, name);
  let spec: unknown;
  return {
    staticData: (size: unknown, name?: unknown) => call(P.K_MACHINE, id, m('staticData'), size, name),
    peek: (addr: unknown, size?: unknown) => call(P.K_MACHINE, id, m('peek'), addr, size),
    poke: (addr: unknown, value: unknown, size?: unknown) => call(P.K_MACHINE, id, m('poke'), addr, value, size),
    tlsBase: (thread: unknown) => call(P.K_MACHINE, id, m('tlsBase'), thread),
    paths: { id: (name: unknown) => call(P.K_MACHINE, id, m('pathId'), name) },
    get spec(): unknown {
      spec ??= parse(String(call(P.K_MACHINE, id, m('spec'))));
      return spec;
    },
  };
}

function countersFacade(id: number): Obj {
  const m = (name: (typeof P.COUNTER_METHODS)[number]): number => index(P.COUNTER_METHODS, name);
  return {
    add: (name: unknown, delta?: unknown) => call(P.K_COUNTERS, id, m('add'), name, delta),
    set: (name: unknown, value: unknown) => call(P.K_COUNTERS, id, m('set'), name, value),
    max: (name: unknown, value: unknown) => call(P.K_COUNTERS, id, m('max'), name, value),
    get: (name: unknown) => call(P.K_COUNTERS, id, m('get'), name),
    histogram: (name: unknown, bounds?: unknown) => ({
      record: (value: unknown, times?: unknown) =>
        call(P.K_COUNTERS, id, m('record'), name, value, times, bounds === undefined ? undefined : stringify(bounds)),
    }),
  };
}

const machines = new Map<number, Obj>();
function machineOf(id: number): Obj {
  let f = machines.get(id);
  if (f === undefined) machines.set(id, (f = machineFacade(id)));
  return f;
}

function cpuFacade(id: number): Obj {
  const f: Obj = {};
  const c = (name: (typeof P.CPU_METHODS)[number], a?: unknown): unknown => call(P.K_CPU, id, index(P.CPU_METHODS, name), a);
  P.CPU_METHODS.forEach((name, i) => {
    if (!name.startsWith('get') && name !== 'setNow')
      f[name] = (a?: unknown, b?: unknown, cc?: unknown, d?: unknown, a5?: unknown, a6?: unknown) =>
        call(P.K_CPU, id, i, a, b, cc, d, a5, a6);
  });
  f.mmap = (len: unknown, opts?: unknown) =>
    call(P.K_CPU, id, index(P.CPU_METHODS, 'mmap'), len, opts === undefined ? undefined : stringify(opts));
  Object.defineProperties(f, {
    now: { get: () => c('getNow'), set: (v: unknown) => c('setNow', v), enumerable: true },
    hi: { get: () => c('getHi'), enumerable: true },
    tls: { get: () => c('getTls'), enumerable: true },
    thread: { value: c('getThread'), enumerable: true },
    core: { value: c('getCore'), enumerable: true },
    machine: { get: () => machineOf(c('getMachine') as number), enumerable: true },
  });
  return f;
}

const cpus = new Map<number, Obj>();
function cpuOf(id: number): Obj {
  let f = cpus.get(id);
  if (f === undefined) cpus.set(id, (f = cpuFacade(id)));
  return f;
}

function text(v: unknown): string {
  try {
    return String(v);
  } catch {
    return '(unprintable)';
  }
}

/** What a thrown value was, as JSON for the simulator's realm. */
function errorJSON(e: unknown): string {
  try {
    if (e !== null && typeof e === 'object' && HOST in e) return stringify({ error: { host: (e as Obj)[HOST] } });
    if (e instanceof AllocatorAbort) return stringify({ error: { abort: text(e.message), address: Number(e.address) } });
    if (e instanceof Error) return stringify({ error: { crash: text(e.name), message: text(e.message), stack: text(e.stack) } });
    return stringify({ error: { thrown: typeof e, text: text(e).slice(0, 60) } });
  } catch {
    return '{"error":{"crash":"Error","message":"the model threw something that cannot be described"}}';
  }
}

/** A value that is not a number, described for the contract probe. */
function valueJSON(v: unknown): string {
  if (typeof v === 'string') return stringify({ value: { string: v.slice(0, 40) } });
  if (typeof v === 'bigint') return stringify({ value: { bigint: v.toString() } });
  return stringify({ value: { type: v === null ? 'null' : typeof v } });
}

const models = new Map<number, Obj>();
let nextModel = 1;
let exported: Obj | undefined;

function describeExport(): string {
  const e = exported;
  if (typeof e === 'function') return stringify({ type: 'function' });
  if (e === null || typeof e !== 'object') return stringify({ type: e === null ? 'null' : typeof e });
  return stringify({
    type: 'object',
    name: e.name,
    summary: e.summary,
    doc: e.doc,
    create: typeof e.create,
    params: e.params === undefined ? undefined : Array.isArray(e.params) ? e.params : 'not an array',
  });
}

function create(params: string, seed: number, machine: number, counters: number): string {
  const env = { machine: machineOf(machine), params: parse(params) as unknown, counters: countersFacade(counters), seed };
  const m = (exported as { create(env: unknown): Obj }).create(env);
  if (m === null || typeof m !== 'object') return stringify({ value: { type: m === null ? 'null' : typeof m } });
  const id = nextModel++;
  models.set(id, m);
  const ctor = (m as { constructor?: { name?: unknown } }).constructor?.name;
  return stringify({
    id,
    methods: P.MODEL_METHODS.filter((k) => typeof m[k] === 'function'),
    counters: m.counters !== null && typeof m.counters === 'object',
    className: typeof ctor === 'string' ? ctor : 'Object',
  });
}

function dispatch(op: number, model: number, a?: unknown, b?: unknown, c?: unknown): number | string {
  try {
    if (op === P.D_INFO) return describeExport();
    if (op === P.D_CREATE) {
      // A new model: facades of earlier runs' objects go (their numbers are reused by the simulator).
      cpus.clear();
      machines.clear();
      models.clear();
      return create(String(a), Number(b), Number(c), Number(model));
    }
    const m = models.get(model) as Obj;
    const name = P.DISPATCH[op] as string;
    const fn = m[name] as (...args: unknown[]) => unknown;
    if (op === P.D_DESCRIBE) return stringify({ ok: fn.call(m) });
    const cpu = cpuOf(Number(a));
    const r = op === P.D_HEAPWALK ? fn.call(m, cpu) : fn.call(m, cpu, b, c);
    if (op === P.D_HEAPWALK) return stringify({ ok: r });
    return typeof r === 'number' ? r : r === undefined ? 'undefined' : valueJSON(r);
  } catch (e) {
    return errorJSON(e);
  }
}

/** Called by the entry module once the model's module has run: `mod` is its namespace. */
export function install(mod: Obj): void {
  exported = (mod.default ?? mod.model) as Obj | undefined;
  B(P.K_SYSTEM, 0, 0, dispatch);
}
