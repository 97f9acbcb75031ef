/**
 * What every feoramalloc (design 1) function is handed: the address of the globals, the counters,
 * the code-path ids. All allocator state is in simulated memory: the superpages (headers, slabs,
 * the heap cache in the superpage's alignment padding), the orphanage globals and the thread-locals.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { QuietCpu } from '../../machine/quiet-cpu.ts';
import type { Counters } from '../../sim/counters.ts';
import { AllocatorAbort } from '../contract.ts';
import { currentThreadId } from '../odin-runtime/thread-id.ts';
import { T_LOCAL_HEAP_CACHE, T_THREAD_ID } from './layout.ts';

export interface FeoraPaths {
  alloc: number;
  collect: number;
  slabSetup: number;
  wide: number;
  huge: number;
  localFree: number;
  remoteFree: number;
  notify: number;
  merge: number;
  orphanage: number;
}

export interface FeoraCtx {
  readonly globals: number;
  readonly counters: Counters;
  readonly paths: FeoraPaths;
}

export function count(ctx: FeoraCtx, cpu: Cpu, name: string, delta = 1): void {
  if (!(cpu instanceof QuietCpu)) ctx.counters.add(name, delta);
}

export function threadId(cpu: Cpu): number {
  return currentThreadId(cpu, T_THREAD_ID);
}

/** local_heap_cache: the cache block of this thread's first superpage. */
export function localCache(cpu: Cpu): number {
  return cpu.load(cpu.tls + T_LOCAL_HEAP_CACHE);
}

/** panic_contextless: the Odin runtime prints the message and traps. */
export function odinPanic(message: string, address = 0): never {
  throw new AllocatorAbort(message, address);
}
