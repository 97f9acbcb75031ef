/**
 * Probes a model (typically a student's file) against the allocator contract on a small machine,
 * before the invariant suite runs: does it create, does it have every method, do its methods
 * return what the contract says (an address as a number, a usable size, a description)? Each
 * problem is reported as one clear sentence, naming the method and, for a crash, the line of the
 * model's file where it happened.
 */
import { ALLOCATION_METHODS, type AllocatorModel, type ModelInfo } from '../allocators/kit/contract.ts';
import { Sandbox } from '../allocators/kit/sandbox.ts';
import type { Cpu } from '../machine/cpu.ts';
import { hex } from '../sim/hex.ts';

export interface ContractCheck {
  name: string;
  ok: boolean;
  detail: string;
  /**
   * A failure of the model's shape (missing method, wrong return type): nothing else can run. A
   * crash on a valid call is not blocking: the invariant suite then finds its minimal sequence.
   */
  blocking?: boolean;
}

const REQUIRED = [...ALLOCATION_METHODS, 'describe'] as const;
const OPTIONAL = ['threadStart', 'threadExit', 'heapWalk'] as const;
const KINDS = new Set(['free', 'metadata', 'cached']);

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `the string '${v.length > 30 ? `${v.slice(0, 30)}...` : v}'`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'bigint') return `the bigint ${v}n`;
  return v === null ? 'null' : v === undefined ? 'undefined' : `a ${typeof v}`;
}

/** "TypeError: x is undefined (allocator.ts:42:7)": the message and the first frame in `file`, if any. */
export function crashText(e: unknown, file?: string): string {
  if (!(e instanceof Error)) return `threw ${describeValue(e)}`;
  const frames = (e.stack ?? '').split('\n').slice(1);
  const base = file === undefined ? undefined : file.split(/[\\/]/).pop();
  const frame = frames.find((f) => base !== undefined && f.includes(base)) ?? frames[0];
  const loc = frame === undefined ? '' : /\(?([^()\s]+:\d+:\d+)\)?\s*$/.exec(frame.trim())?.[1];
  const short =
    loc === undefined
      ? ''
      : ` (${
          loc
            .replace(/^file:\/\//, '')
            .split('/')
            .slice(-1)[0]
        })`;
  return `threw ${e.name}: ${e.message.split('\n')[0]}${short}`;
}

class Probe {
  readonly checks: ContractCheck[] = [];
  constructor(private readonly file: string | undefined) {}

  pass(name: string, detail: string): void {
    this.checks.push({ name, ok: true, detail });
  }

  fail(name: string, detail: string, blocking = true): void {
    this.checks.push({ name, ok: false, detail, blocking });
  }

  /** Runs `fn`; a throw is a failed check named `name` (blocking only if said). Returns undefined on a throw. */
  attempt<T>(name: string, call: string, fn: () => T, blocking = false): { v: T } | undefined {
    try {
      return { v: fn() };
    } catch (e) {
      this.fail(name, `${call} ${crashText(e, this.file)}`, blocking);
      return undefined;
    }
  }

  /** Checks an address result: a non-zero, non-negative safe integer. */
  address(name: string, call: string, v: unknown): number | undefined {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      this.fail(
        name,
        `${call} returned ${describeValue(v)}; it must return the block's address as a non-negative integer (0 only when out of memory)`,
      );
      return undefined;
    }
    if (v === 0) {
      this.fail(name, `${call} returned 0 (out of memory) on an empty heap`, false);
      return undefined;
    }
    return v;
  }
}

function checkMethods(p: Probe, m: AllocatorModel): boolean {
  const rec = m as unknown as Record<string, unknown>;
  const missing = REQUIRED.filter((k) => typeof rec[k] !== 'function');
  const notFn = OPTIONAL.filter((k) => rec[k] !== undefined && typeof rec[k] !== 'function');
  if (missing.length > 0) {
    p.fail(
      'methods',
      `the model has no ${missing.map((k) => `${k}()`).join(', ')} method${missing.length > 1 ? 's' : ''}; extend BaseModel (it provides calloc and realloc) and implement malloc, free, usableSize and describe`,
    );
    return false;
  }
  if (notFn.length > 0) {
    p.fail('methods', `${notFn.join(', ')} must be a method when present`);
    return false;
  }
  const c = rec.counters as { add?: unknown } | undefined;
  if (c === undefined || typeof c.add !== 'function') {
    p.fail('methods', 'the model has no counters; keep env.counters as `counters` (BaseModel does this)');
    return false;
  }
  p.pass(
    'methods',
    `${REQUIRED.join(', ')}${OPTIONAL.filter((k) => rec[k] !== undefined)
      .map((k) => `, ${k}`)
      .join('')}`,
  );
  return true;
}

function checkAllocation(p: Probe, m: AllocatorModel, box: Sandbox): void {
  const cpu = (): Cpu => box.cpu(0);
  const r = p.attempt('malloc', 'malloc(cpu, 24)', () => m.malloc(cpu(), 24));
  const ptr = r === undefined ? undefined : p.address('malloc', 'malloc(cpu, 24)', r.v);
  if (ptr === undefined) return;
  p.pass('malloc', `malloc(cpu, 24) returned ${hex(ptr)}`);
  const u = p.attempt('usableSize', 'usableSize(cpu, p)', () => m.usableSize(cpu(), ptr));
  if (u !== undefined) {
    if (typeof u.v !== 'number' || !Number.isFinite(u.v))
      p.fail('usableSize', `usableSize(cpu, p) returned ${describeValue(u.v)}; it must return a number of bytes`);
    else if (u.v < 24)
      p.fail('usableSize', `usableSize(cpu, p) of a 24-byte block returned ${u.v}; it must be at least the size asked for`, false);
    else p.pass('usableSize', `usableSize of a 24-byte block is ${u.v}`);
  }
  if (p.attempt('free', 'free(cpu, p)', () => m.free(cpu(), ptr)) !== undefined) p.pass('free', 'free(cpu, p) returned');
  const r2 = p.attempt('realloc', 'realloc(cpu, malloc(cpu, 8), 100)', () => m.realloc(cpu(), m.malloc(cpu(), 8), 100));
  const q = r2 === undefined ? undefined : p.address('realloc', 'realloc(cpu, p, 100)', r2.v);
  if (q !== undefined && p.attempt('realloc', 'free(cpu, q) after realloc', () => m.free(cpu(), q)) !== undefined)
    p.pass('realloc', 'realloc(cpu, p, 100) returned a block');
  const r3 = p.attempt('calloc', 'calloc(cpu, 4, 8)', () => m.calloc(cpu(), 4, 8));
  const z = r3 === undefined ? undefined : p.address('calloc', 'calloc(cpu, 4, 8)', r3.v);
  if (z !== undefined && p.attempt('calloc', 'free(cpu, calloc(...))', () => m.free(cpu(), z)) !== undefined)
    p.pass('calloc', 'calloc(cpu, 4, 8) returned a block');
}

function checkDescribe(p: Probe, m: AllocatorModel): void {
  const r = p.attempt('describe', 'describe()', () => m.describe(), true);
  if (r === undefined) return;
  const d = r.v as unknown as Record<string, unknown> | null;
  const problems: string[] = [];
  if (d === null || typeof d !== 'object') problems.push(`returned ${describeValue(d)}, not an object`);
  else {
    if (typeof d.name !== 'string') problems.push('name must be a string');
    if (typeof d.summary !== 'string') problems.push('summary must be a string');
    if (!Array.isArray(d.sizeClasses)) problems.push('sizeClasses must be an array ([] if none)');
    if (d.constants === null || typeof d.constants !== 'object') problems.push('constants must be an object');
    if (!Array.isArray(d.sources)) problems.push('sources must be an array of strings ([] if none)');
  }
  if (problems.length > 0) p.fail('describe', `describe(): ${problems.join('; ')}`);
  else p.pass('describe', `describe() names '${String((d as Record<string, unknown>).name)}'`);
}

function checkHeapWalk(p: Probe, m: AllocatorModel, box: Sandbox): void {
  if (m.heapWalk === undefined) {
    p.pass('heapWalk', 'none (optional: without it --steps and --heapmap show no free list, and lost objects go unchecked)');
    return;
  }
  const r = p.attempt('heapWalk', 'heapWalk(cpu)', () => box.heap());
  if (r === undefined) return;
  const bad = r.v.find(
    (x) => typeof x !== 'object' || x === null || !Number.isSafeInteger(x.addr) || !Number.isSafeInteger(x.size) || !KINDS.has(x.kind),
  );
  if (!Array.isArray(r.v) || bad !== undefined) {
    p.fail(
      'heapWalk',
      `heapWalk(cpu) must return an array of { addr, size, kind: 'free' | 'metadata' | 'cached' }; got ${JSON.stringify(bad ?? r.v).slice(0, 80)}`,
    );
  } else {
    p.pass('heapWalk', `${r.v.length} region(s) after the probe`);
  }
}

/** Probes `info` against the contract; `file` (the model's source) lets crashes name its lines. */
export function probeContract(info: ModelInfo, file?: string): ContractCheck[] {
  const p = new Probe(file);
  const made = p.attempt('create', 'create(env)', () => new Sandbox(info), true);
  if (made === undefined) return p.checks;
  const box = made.v;
  const m = box.model as AllocatorModel | null | undefined;
  if (m === null || typeof m !== 'object') {
    p.fail('create', `create(env) returned ${describeValue(m)}; it must return the model object`);
    return p.checks;
  }
  p.pass('create', `create(env) made a ${(m as object).constructor?.name ?? 'model'}`);
  if (!checkMethods(p, m)) return p.checks;
  if (p.attempt('threadStart', 'threadStart(cpu)', () => box.cpu(0), true) === undefined) return p.checks;
  checkAllocation(p, m, box);
  checkDescribe(p, m);
  checkHeapWalk(p, m, box);
  if (m.threadExit !== undefined && p.attempt('threadExit', 'threadExit(cpu)', () => m.threadExit?.(box.cpu(0))) !== undefined) {
    p.pass('threadExit', 'threadExit(cpu) returned');
  }
  return p.checks;
}

export function contractOk(checks: readonly ContractCheck[]): boolean {
  return checks.every((c) => c.ok);
}

/** Does a failure keep the invariant suite from running? */
export function contractBlocks(checks: readonly ContractCheck[]): boolean {
  return checks.some((c) => !c.ok && c.blocking === true);
}
