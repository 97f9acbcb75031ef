/**
 * The allocator operations table (src/allocators/kit/operations.ts) is the one place an operation
 * is declared: for every entry, the workloads have its constructor, a run executes it through the
 * op handler and the Driver (on its profile path, counted as the entry says, its answer recorded by
 * the checker as the entry says), and the invariant suite generates it as its weight says.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALLOCATION_METHODS, type AllocatorModel } from '../../../src/allocators/kit/contract.ts';
import {
  ALLOCATOR_OPERATIONS,
  requestedAlign,
  requestedSize,
  type AllocatorCall,
  type AllocatorOperation,
  type ArgRole,
} from '../../../src/allocators/kit/operations.ts';
import { commandsFor, PROPERTIES } from '../../../src/experiment/conformance.ts';
import { runExperiment } from '../../../src/experiment/run.ts';
import { PATH_EVENTS } from '../../../src/machine/paths.ts';
import type { Cpu } from '../../../src/machine/cpu.ts';
import type { Op, ThreadBody } from '../../../src/sim/thread.ts';
import { registerWorkload } from '../../../src/workloads/index.ts';
import * as ops from '../../../src/workloads/ops.ts';
import '../../../src/allocators/index.ts';

/** An argument of each role: a 64-byte alignment, so an aligned answer is checked for it. */
const SAMPLE: Record<Exclude<ArgRole, 'ptr'>, number> = { size: 100, align: 64, count: 3, elementSize: 40 };

function constructorOf(op: AllocatorOperation): (a: number, b?: number) => AllocatorCall {
  return (ops as unknown as Record<string, (a: number, b?: number) => AllocatorCall>)[op.name] as (a: number, b?: number) => AllocatorCall;
}

/**
 * One thread: a 64-byte block `p`, then the operation (its 'ptr' argument is `p`), then what tells
 * whether the checker recorded the answer: a write to and a free of a new or resized block (a
 * fault if the checker did not record it), a write to a released block (a fault if it did).
 */
function script(op: AllocatorOperation, seen: { answer?: number }): () => ThreadBody {
  return function* body(): Generator<Op, void, unknown> {
    const p = (yield ops.malloc(64)) as number;
    const [a, b] = op.args.map((role) => (role === 'ptr' ? p : SAMPLE[role]));
    const make = constructorOf(op);
    const r = (yield b === undefined ? make(a as number) : make(a as number, b)) as number;
    seen.answer = r;
    if (op.records === 'allocate') {
      yield ops.write(r, 7);
      yield ops.free(r);
      yield ops.free(p);
    } else if (op.records === 'resize') {
      yield ops.write(r, 7);
      yield ops.free(r);
    } else if (op.records === 'release') {
      yield ops.write(p, 7); // after the free: the checker's fault if it recorded the release
    } else {
      yield ops.free(p);
    }
  };
}

let serial = 0;

function runOf(op: AllocatorOperation) {
  const seen: { answer?: number } = {};
  const name = `operations-table-${op.name}-${++serial}`;
  const body = script(op, seen);
  registerWorkload({
    name,
    summary: 'one allocator operation',
    params: [],
    sources: [],
    create: () => ({ threads: [{ name: 't', body: body() }] }),
  });
  const result = runExperiment({ allocator: 'freelist', workload: name, check: true, profile: true });
  return { result, answer: seen.answer };
}

describe.each(ALLOCATOR_OPERATIONS.map((op) => [op.name, op] as const))('allocator operation %s', (_name, op) => {
  it('has its workload constructor in workloads/ops.ts, making a call of this entry', () => {
    const make = constructorOf(op);
    expect(typeof make, `workloads/ops.ts exports no '${op.name}'`).toBe('function');
    const c = make(1, 2);
    expect(c).toMatchObject({ op: op.name, a: 1, b: 2 });
    expect(c.allocator).toBe(op);
    if (op.args.length === 1) expect(make(1).b).toBe(op.bDefault);
  });

  it('names itself in fault reports as the profile does', () => {
    expect(op.text(0x1000, 64).startsWith(`${op.path}(`)).toBe(true);
  });

  it('runs through the op handler and the Driver, on its profile path, counted and recorded as the entry says', () => {
    const { result, answer } = runOf(op);
    expect(result.error).toBeUndefined();
    expect(result.check.violations).toEqual([]);
    // The script: malloc(64), the operation, then its frees.
    const frees = { allocate: 2, resize: 1, release: 0, none: 1 }[op.records];
    expect(result.time.ops).toBe(1 + (op.counted ? 1 : 0) + frees);
    const calls = 1 + (op.path === 'malloc' ? 1 : 0) + (op.path === 'free' ? frees : 0);
    const path = result.profile?.paths.find((x) => x.path === `freelist::${op.path}`);
    expect(path?.events[PATH_EVENTS.indexOf('Calls')], `calls on freelist::${op.path}`).toBe(calls);
    const faults = result.check.workloadFaults.map((f) => f.kind);
    expect(faults).toEqual(op.records === 'release' ? ['out-of-bounds-write'] : []);
    const [a, b] = op.args.map((role) => (role === 'ptr' ? 0 : SAMPLE[role]));
    // The live bytes follow the size the entry's arguments ask for: calloc(3, 40) is 120 bytes.
    const asked = op.args.reduce((n, role) => (role === 'size' || role === 'count' || role === 'elementSize' ? n * SAMPLE[role] : n), 1);
    const peak = { allocate: 64 + asked, resize: Math.max(64, asked), release: 64, none: 64 }[op.records];
    expect(result.memory.liveBytesPeak).toBe(peak);
    if (op.records === 'allocate' || op.records === 'resize') expect(requestedSize(op, a as number, b ?? op.bDefault)).toBe(asked);
    if (op.records === 'allocate') expect((answer as number) % requestedAlign(op, a as number, b ?? op.bDefault)).toBe(0);
    if (op.records === 'none') expect(answer).toBeGreaterThanOrEqual(64);
  });

  it(`is generated by the invariant suite ${op.conformance.weight > 0 ? 'as its weight says' : 'never (weight 0)'}`, () => {
    for (const spec of PROPERTIES) {
      const expected = op.conformance.weight > 0 && (!op.conformance.alignedOnly || spec.aligned);
      const names = fc.sample(commandsFor(spec, undefined), { seed: 1, numRuns: 20 }).flatMap((cmds) => [...cmds].map((c) => c.toString()));
      expect(
        names.some((n) => n.startsWith(`${op.name}(`)),
        `${op.name} in property ${spec.name}`,
      ).toBe(expected);
    }
  });
});

describe('aligned_alloc', () => {
  it('returns blocks aligned as asked under every alignment the conformance suite uses', () => {
    const op = ALLOCATOR_OPERATIONS.find((o) => o.name === 'alignedAlloc') as AllocatorOperation;
    for (const align of [8, 32, 256, 4096]) {
      const name = `aligned-alloc-${align}-${++serial}`;
      const got: number[] = [];
      registerWorkload({
        name,
        summary: 'aligned_alloc',
        params: [],
        sources: [],
        create: () => ({
          threads: [
            {
              name: 't',
              body: (function* (): Generator<Op, void, unknown> {
                for (const size of [1, 24, 1000, 5000]) got.push((yield ops.alignedAlloc(align, size)) as number);
                for (const p of got) yield ops.free(p);
              })(),
            },
          ],
        }),
      });
      const r = runExperiment({ allocator: 'glibc', workload: name, check: true, profile: true });
      expect(r.error).toBeUndefined();
      expect(r.check.violations).toEqual([]);
      expect(got.every((p) => p !== 0 && p % align === 0)).toBe(true);
      expect(r.profile?.paths.find((x) => x.path === `glibc::${op.path}`)?.events[0]).toBe(4);
    }
  });
});

describe('the table and the model contract', () => {
  it('every allocation method of the contract is reached by some operation, and only those', () => {
    const reached = new Set<string>();
    const spy = new Proxy({}, { get: (_t, name) => () => (reached.add(String(name)), 0) }) as AllocatorModel;
    for (const op of ALLOCATOR_OPERATIONS) op.call(spy, {} as Cpu, 1, 2);
    expect([...reached].sort()).toEqual([...ALLOCATION_METHODS].sort());
  });

  it("aligned_alloc(align, size) is the model's malloc(size, align)", () => {
    const calls: unknown[][] = [];
    const spy = { malloc: (...a: unknown[]) => (calls.push(a), 0) } as unknown as AllocatorModel;
    ALLOCATOR_OPERATIONS.find((o) => o.name === 'alignedAlloc')?.call(spy, {} as Cpu, 64, 100);
    expect(calls).toEqual([[{}, 100, 64]]);
  });
});
