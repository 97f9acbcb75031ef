/**
 * What every IsoAlloc function is handed: the addresses of the library's static data, the build
 * switches the model exposes as parameters, the counters and the code-path ids. No mutable
 * allocator state lives here; it is all in simulated memory (src/iso_alloc.c keeps it in `_root`).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { A_LOCK_CONTENDED, A_LOCK_WAIT_CYCLES } from '../../machine/atomic-stats.ts';
import { QuietCpu } from '../../machine/quiet-cpu.ts';
import type { Counters } from '../kit/model-counters.ts';
import { AllocatorAbort } from '../kit/contract.ts';
import { S_ROOT, S_ROOT_BUSY_MUTEX } from './layout.ts';

/** The counters this model reports (as mimalloc's mi_stat_* fields): a misspelt name fails to compile. */
export type IsoAllocStat =
  | 'bigZoneLockAcquisitions'
  | 'bigZoneLockContended'
  | 'bigZonesCached'
  | 'bigZonesCreated'
  | 'bigZonesReused'
  | 'bigZonesUnmapped'
  | 'bitmapScans'
  | 'canaryChecks'
  | 'canaryChunks'
  | 'constructorRuns'
  | 'findSuitableZone'
  | 'guardPages'
  | 'mmaps'
  | 'quarantineFlushes'
  | 'reusedChunks'
  | 'rootLockAcquisitions'
  | 'rootLockContended'
  | 'rootLockWaitCycles'
  | 'slotCacheRefills'
  | 'zoneCacheHits'
  | 'zonesCreated'
  | 'zonesFull'
  | 'zonesRetired';

export interface IsoPaths {
  allocCached: number;
  findZone: number;
  newZone: number;
  fillSlots: number;
  free: number;
  flush: number;
  freeChunk: number;
  bigAlloc: number;
  bigFree: number;
  retire: number;
}

export interface IsoCtx {
  /** The library's .bss: root_busy_mutex and the `_root` pointer (src/iso_alloc.c). */
  readonly statics: number;
  /** PRE_POPULATE_PAGES: MAP_POPULATE on the populate callers and on user zones (as in 2020). */
  readonly prePopulate: boolean;
  /** NO_ZERO_ALLOCATIONS: malloc(0) returns one shared PROT_NONE page. */
  readonly noZeroAllocations: boolean;
  /** How alignments above 32 bytes are served (see docs/models/isoalloc.md). */
  readonly memalign: 'checked' | 'faithful';
  readonly counters: Counters<IsoAllocStat>;
  readonly paths: IsoPaths;
}

/** The `_root` pointer (0 before the constructor ran). */
export function rootOf(ctx: IsoCtx, cpu: Cpu): number {
  return cpu.load(ctx.statics + S_ROOT);
}

export { count } from '../shared/quiet-count.ts';

/** LOCK_ROOT(): the global pthread mutex around every small operation (include/iso_alloc_internal.h). */
export function lockRoot(ctx: IsoCtx, cpu: Cpu): void {
  if (cpu instanceof QuietCpu) return;
  const at = cpu.machine.atomics;
  const contended = at[A_LOCK_CONTENDED] as number;
  const waited = at[A_LOCK_WAIT_CYCLES] as number;
  cpu.lock(ctx.statics + S_ROOT_BUSY_MUTEX);
  ctx.counters.add('rootLockAcquisitions');
  if ((at[A_LOCK_CONTENDED] as number) > contended) ctx.counters.add('rootLockContended');
  ctx.counters.add('rootLockWaitCycles', (at[A_LOCK_WAIT_CYCLES] as number) - waited);
}

export function unlockRoot(ctx: IsoCtx, cpu: Cpu): void {
  cpu.unlock(ctx.statics + S_ROOT_BUSY_MUTEX);
}

/** LOG_AND_ABORT: IsoAlloc prints "[ABORTING][pid](file:line func()) msg" and calls abort(). */
export function isoAbort(fn: string, message: string, address = 0): never {
  throw new AllocatorAbort(`[ABORTING](src/iso_alloc.c ${fn}()) ${message}`, address);
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
