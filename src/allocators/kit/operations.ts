/**
 * The allocator operations: one table that every part of the simulator handling a call into the
 * allocator reads. The workloads' constructors (`yield malloc(64)`, src/workloads/ops.ts), the
 * run's op handler, the Driver (which calls the model, names the profile path and feeds the
 * checker), the fault reports' text and the invariant suite's commands all come from an entry here,
 * so adding an operation is adding an entry (C11's aligned_alloc was added that way).
 *
 * An operation takes at most two numbers, `a` and `b`, in the order of its C signature; `args`
 * says what each one is, and so what size and alignment a call asks for. An entry maps the call onto the model contract's methods
 * (src/allocators/kit/contract.ts): aligned_alloc is the model's malloc with an alignment.
 */
import type { Recording } from '../../check/shadow-heap.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { hexAddr, type OpName } from '../../machine/op-text.ts';
import type { Op } from '../../sim/thread.ts';
import type { AllocatorModel } from './contract.ts';

/** The alignment a block gets when none is asked for (glibc's MALLOC_ALIGNMENT on x86-64). */
export const DEFAULT_ALIGN = 16;

/**
 * What an argument is, which is also what the invariant suite generates for it: a byte count, an
 * alignment (a power of two), an element count or an element size (calloc), or a live block (the
 * suite picks one of the blocks it holds).
 */
export type ArgRole = 'size' | 'align' | 'count' | 'elementSize' | 'ptr';

/**
 * One call a workload yields: the operation and its two arguments. A class, so every call has one
 * shape and the op handler tells it from the application's operations with one prototype check.
 */
export class AllocatorCall implements Op {
  constructor(
    readonly op: string,
    readonly allocator: AllocatorOperation,
    readonly a: number,
    readonly b: number,
  ) {}
}

export interface AllocatorOperation extends OpName {
  /** The op name a workload yields (the key of the table: `malloc`, `usableSize`). */
  readonly name: string;
  /** Its position in the table (the Driver keeps its path ids in this order). */
  readonly index: number;
  /** What `a` and `b` are, in the C signature's order. */
  readonly args: readonly [ArgRole] | readonly [ArgRole, ArgRole];
  /** `b` when the workload leaves it out (the default alignment of malloc); 0 where there is no `b`. */
  readonly bDefault: number;
  /** The per-path profile's name for it: `MODEL::path` (C's name: malloc_usable_size). */
  readonly path: string;
  /** Whether it counts as an allocator operation (Result.time.ops, the progress display). */
  readonly counted: boolean;
  /**
   * What the checker records (ShadowHeap): a new block of `requestedSize` bytes aligned to
   * `requestedAlign` ('allocate'); the block at `a` freed ('release'); the block at `a` resized
   * to `requestedSize` bytes ('resize'); nothing ('none').
   */
  readonly records: Recording;
  /** Which arguments multiply to the bytes asked for (from `args`): bit 0 `a`, bit 1 `b`; 0 for none. */
  readonly sizeArgs: number;
  /** Which argument is the alignment asked for (from `args`): 1 `a`, 2 `b`, 0 none (DEFAULT_ALIGN). */
  readonly alignArg: 0 | 1 | 2;
  /** The new block must read as zero (calloc). */
  readonly zeroed: boolean;
  /** How the Driver calls the model. */
  call(model: AllocatorModel, cpu: Cpu, a: number, b: number): number;
  /**
   * The invariant suite (src/experiment/conformance.ts): how many of its command choices are this
   * operation (0: never), and whether only in the property that varies alignments.
   */
  readonly conformance: { readonly weight: number; readonly alignedOnly: boolean };
}

type Entry<F> = Omit<AllocatorOperation, 'name' | 'index' | 'bDefault' | 'zeroed' | 'sizeArgs' | 'alignArg' | 'conformance'> &
  Partial<Pick<AllocatorOperation, 'bDefault' | 'zeroed'>> & {
    readonly conformance?: Partial<AllocatorOperation['conformance']>;
    /** The workload constructor's signature (names and optional arguments), for `yield malloc(64)`. */
    readonly make?: F;
  };

/** An entry with its constructor typed `F`; ALLOCATOR_OPERATIONS fills in its name, index and defaults. */
function entry<F extends (...args: never[]) => AllocatorCall>(e: Entry<F>): Entry<F> {
  return e;
}

/** The bytes a call of `op` asks for: the product of its size, count and element-size arguments. */
export function requestedSize(op: AllocatorOperation, a: number, b: number): number {
  const m = op.sizeArgs;
  return m === 0 ? 0 : ((m & 1) !== 0 ? a : 1) * ((m & 2) !== 0 ? b : 1);
}

/** The alignment a call of `op` asks for: its alignment argument, or DEFAULT_ALIGN. */
export function requestedAlign(op: AllocatorOperation, a: number, b: number): number {
  return op.alignArg === 0 ? DEFAULT_ALIGN : op.alignArg === 1 ? a : b;
}

const SIZE_ROLES: ReadonlySet<ArgRole> = new Set(['size', 'count', 'elementSize']);

/** The entries, in the order of the invariant suite's command choices and of the profile's paths. */
const ENTRIES = {
  malloc: entry<(size: number, align?: number) => AllocatorCall>({
    args: ['size', 'align'],
    bDefault: DEFAULT_ALIGN,
    path: 'malloc',
    counted: true,
    text: (a, b) => (b === DEFAULT_ALIGN || b === 0 ? `malloc(${a})` : `malloc(${a}, align ${b})`),
    call: (m, cpu, size, align) => m.malloc(cpu, size, align),
    records: 'allocate',
    conformance: { weight: 2 },
  }),
  calloc: entry<(n: number, size: number) => AllocatorCall>({
    args: ['count', 'elementSize'],
    path: 'calloc',
    counted: true,
    text: (n, size) => `calloc(${n}, ${size})`,
    call: (m, cpu, n, size) => m.calloc(cpu, n, size),
    records: 'allocate',
    zeroed: true,
    conformance: { weight: 1 },
  }),
  free: entry<(ptr: number) => AllocatorCall>({
    args: ['ptr'],
    path: 'free',
    counted: true,
    text: (ptr) => `free(${hexAddr(ptr)})`,
    call: (m, cpu, ptr) => (m.free(cpu, ptr), 0),
    records: 'release',
    conformance: { weight: 2 },
  }),
  realloc: entry<(ptr: number, size: number) => AllocatorCall>({
    args: ['ptr', 'size'],
    path: 'realloc',
    counted: true,
    text: (ptr, size) => `realloc(${hexAddr(ptr)}, ${size})`,
    call: (m, cpu, ptr, size) => m.realloc(cpu, ptr, size),
    records: 'resize',
    conformance: { weight: 1 },
  }),
  usableSize: entry<(ptr: number) => AllocatorCall>({
    args: ['ptr'],
    path: 'malloc_usable_size',
    counted: false,
    text: (ptr) => `malloc_usable_size(${hexAddr(ptr)})`,
    call: (m, cpu, ptr) => m.usableSize(cpu, ptr),
    records: 'none',
  }),
  /**
   * C11 aligned_alloc(alignment, size): `alignment` a power of two (the workload's to keep, as a
   * program's: glibc 2.38 returns NULL with EINVAL otherwise), any size (C17 dropped the
   * multiple-of-alignment rule; glibc's aligned_alloc is its memalign). The model's aligned malloc.
   */
  alignedAlloc: entry<(align: number, size: number) => AllocatorCall>({
    args: ['align', 'size'],
    path: 'aligned_alloc',
    counted: true,
    text: (align, size) => `aligned_alloc(${align}, ${size})`,
    call: (m, cpu, align, size) => m.malloc(cpu, size, align),
    records: 'allocate',
    conformance: { weight: 1, alignedOnly: true },
  }),
};

type Entries = typeof ENTRIES;
export type AllocatorOpName = keyof Entries;

/** The table, in order: each entry completed with its name, index and defaults. */
export const ALLOCATOR_OPERATIONS: readonly AllocatorOperation[] = Object.entries(ENTRIES).map(([name, e], index): AllocatorOperation => ({
  name,
  index,
  args: e.args,
  bDefault: e.bDefault ?? 0,
  path: e.path,
  counted: e.counted,
  records: e.records,
  sizeArgs: e.args.reduce((m, role, k) => (SIZE_ROLES.has(role) ? m | (1 << k) : m), 0),
  alignArg: e.args[0] === 'align' ? 1 : e.args[1] === 'align' ? 2 : 0,
  zeroed: e.zeroed ?? false,
  text: e.text,
  call: e.call,
  conformance: { weight: e.conformance?.weight ?? 0, alignedOnly: e.conformance?.alignedOnly ?? false },
}));

/** The table by name. */
export const ALLOCATOR_OPERATION = Object.fromEntries(ALLOCATOR_OPERATIONS.map((o) => [o.name, o])) as Record<
  AllocatorOpName,
  AllocatorOperation
>;

type Constructor<K extends AllocatorOpName> = Entries[K] extends Entry<infer F> ? F : never;

/** The workloads' constructors, one per operation: `yield malloc(64)`, `yield free(p)`. */
export const ALLOCATOR_CALLS = Object.fromEntries(
  ALLOCATOR_OPERATIONS.map((o) => {
    const name = o.name;
    const bDefault = o.bDefault;
    return [name, (a: number, b?: number): AllocatorCall => new AllocatorCall(name, o, a, b ?? bDefault)];
  }),
) as unknown as { readonly [K in AllocatorOpName]: Constructor<K> };
