/**
 * The operations a workload thread yields besides the kernel's (send, recv, barrier, ...): calls
 * into the allocator, touches of its own memory, compute, and atomics on its own data.
 * Build them with the constructors: `const p = (yield malloc(64)) as number`.
 *
 * The allocator calls are the table of src/allocators/kit/operations.ts, their constructors
 * (with their signatures: `malloc(size, align?)`, `alignedAlloc(align, size)`) made from it; the
 * application's own operations are below.
 */
import { ALLOCATOR_CALLS, type AllocatorCall } from '../allocators/kit/operations.ts';
import type { MemoryOrder } from '../machine/memory-order.ts';
import type { Op } from '../sim/thread.ts';

/** Read a value of application memory; `order`: the source's atomic load that is a plain move (race detector only, no cost). */
export interface ReadOp extends Op {
  readonly op: 'read';
  readonly addr: number;
  readonly size: 1 | 2 | 4 | 8;
  readonly order?: MemoryOrder;
}
/** Write a value of application memory. */
export interface WriteOp extends Op {
  readonly op: 'write';
  readonly addr: number;
  readonly value: number;
  readonly size: 1 | 2 | 4 | 8;
}
/** Touch every line of a range (payload use whose values do not matter). */
export interface TouchOp extends Op {
  readonly op: 'touch';
  readonly addr: number;
  readonly len: number;
  readonly write: boolean;
}
/** memset a range of application memory. */
export interface FillOp extends Op {
  readonly op: 'fill';
  readonly addr: number;
  readonly len: number;
  readonly byte: number;
}
/** memmove `len` bytes of application memory from `src` to `dst` (values and cache traffic). */
export interface CopyOp extends Op {
  readonly op: 'copy';
  readonly dst: number;
  readonly src: number;
  readonly len: number;
}
/** Non-memory work of the application, in compute units (roughly instructions). */
export interface ComputeOp extends Op {
  readonly op: 'compute';
  readonly units: number;
}
/** A software prefetch of a line (__builtin_prefetch): fetched now, without waiting for it. */
export interface PrefetchOp extends Op {
  readonly op: 'prefetch';
  readonly addr: number;
  readonly write: boolean;
}
/** An atomic on application memory (a message queue's link, a shared counter). */
export interface AppAtomicOp extends Op {
  readonly op: 'atomic';
  readonly kind: 'load' | 'store' | 'storeSeqCst' | 'cas' | 'exchange' | 'fetchAdd';
  readonly addr: number;
  readonly value: number;
  readonly expected: number;
}

/** The application's own operations (the op handler's switch). */
export type ApplicationOp = ReadOp | WriteOp | TouchOp | FillOp | CopyOp | ComputeOp | AppAtomicOp | PrefetchOp;

export type WorkloadOp = AllocatorCall | ApplicationOp;
export type { AllocatorCall };

/** One constructor per entry of the operations table (a name missing from the table does not compile). */
export const { malloc, calloc, free, realloc, usableSize, alignedAlloc } = ALLOCATOR_CALLS;
export const read = (addr: number, size: 1 | 2 | 4 | 8 = 8, order?: MemoryOrder): ReadOp =>
  order === undefined ? { op: 'read', addr, size } : { op: 'read', addr, size, order };
export const write = (addr: number, value: number, size: 1 | 2 | 4 | 8 = 8): WriteOp => ({ op: 'write', addr, value, size });
export const touch = (addr: number, len: number, write = true): TouchOp => ({ op: 'touch', addr, len, write });
export const fill = (addr: number, len: number, byte: number): FillOp => ({ op: 'fill', addr, len, byte });
export const copy = (dst: number, src: number, len: number): CopyOp => ({ op: 'copy', dst, src, len });
export const compute = (units: number): ComputeOp => ({ op: 'compute', units });
export const prefetch = (addr: number, write = false): PrefetchOp => ({ op: 'prefetch', addr, write });
export const atomicLoad = (addr: number): AppAtomicOp => ({ op: 'atomic', kind: 'load', addr, value: 0, expected: 0 });
export const atomicStore = (addr: number, value: number, seqCst = false): AppAtomicOp => ({
  op: 'atomic',
  kind: seqCst ? 'storeSeqCst' : 'store',
  addr,
  value,
  expected: 0,
});
export const cas = (addr: number, expected: number, value: number): AppAtomicOp => ({ op: 'atomic', kind: 'cas', addr, value, expected });
export const exchange = (addr: number, value: number): AppAtomicOp => ({ op: 'atomic', kind: 'exchange', addr, value, expected: 0 });
export const fetchAdd = (addr: number, value: number): AppAtomicOp => ({ op: 'atomic', kind: 'fetchAdd', addr, value, expected: 0 });
