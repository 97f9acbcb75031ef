/**
 * The machine description: core count, cache geometry, the out-of-order core and one table of
 * costs in cycles. The presets are in presets.ts, a user's JSON description is read by spec-json.ts;
 * docs/machine.md gives the source of every number.
 */
import { LINE_SIZE } from './sizes.ts';

export interface CacheGeometry {
  /** Capacity in KiB. */
  sizeKiB: number;
  ways: number;
}

export type SyscallKind =
  | 'mmap'
  | 'munmap'
  | 'mremap'
  | 'madvise'
  | 'mprotect'
  | 'brk'
  | 'mlock'
  | 'futexWait'
  | 'futexWake'
  | 'getrandom'
  | 'schedYield'
  | 'other';

export const SYSCALL_KINDS: readonly SyscallKind[] = [
  'mmap',
  'munmap',
  'mremap',
  'madvise',
  'mprotect',
  'brk',
  'mlock',
  'futexWait',
  'futexWake',
  'getrandom',
  'schedYield',
  'other',
];

export interface Costs {
  /** Load-to-use latency of an L1d hit. */
  l1Hit: number;
  l2Hit: number;
  llcHit: number;
  /** A miss in every cache: DRAM latency. */
  dram: number;
  /** A line supplied by another core's private cache (snoop hit, modified or exclusive there). */
  c2cTransfer: number;
  /** Invalidating other cores' shared copies when writing a line held shared (RFO upgrade). */
  upgrade: number;
  /** Extra cycles of a locked read-modify-write (CAS, exchange, fetch-add, ...) over a store. */
  atomic: number;
  /** A full fence (mfence, or a seq_cst store). */
  fence: number;
  /** A minor page fault on first touch of an anonymous page, zeroing included. */
  pageFault: number;
  /** Kernel work per page made resident by MAP_POPULATE (zeroing, no trap). */
  populatePerPage: number;
  /** Base cost of each system call by kind. */
  syscall: Record<SyscallKind, number>;
  /**
   * Extra kernel work per page for munmap and madvise(DONTNEED/FREE) of resident pages, and per
   * resident page whose page-table entry mremap moves. (mremap's base cost has no measurement of
   * its own: it is taken equal to mmap's, the same VMA work.)
   */
  unmapPerPage: number;
  /** Switching a core from one thread to another. */
  contextSwitch: number;
  /** From a futex wake (or queue hand-off) to the woken thread running. */
  wakeLatency: number;
  /** Scheduling quantum: how long a thread keeps a shared core while others wait. */
  quantum: number;
  /** How long a lock waiter spins before sleeping on a futex. */
  spinBeforeSleep: number;
}

/**
 * The out-of-order core's widths and buffers (docs/machine.md, "The core"): what decides how much of
 * each access's latency a thread waits for.
 */
export interface CoreSpec {
  /** Simple instructions (`work`/`compute` units) per cycle the core sustains: its integer ALUs. */
  issueWidth: number;
  /** Loads the core issues per cycle (its load ports / AGUs). */
  loadsPerCycle: number;
  /** Stores the core issues, and commits from its store buffer, per cycle. */
  storesPerCycle: number;
  /** Reorder-buffer entries: how many instructions dispatch runs past the oldest unfinished load. */
  rob: number;
  /** L1d fill buffers (miss-status holding registers): L1 misses in flight at once, loads, prefetches and store RFOs together. */
  fillBuffers: number;
  /** Store-buffer entries: stores retired but not yet committed to L1. */
  storeBuffer: number;
  /** How far (in lines) the L2 stream prefetcher runs ahead of a detected stream; 0 turns it off. */
  streamerDistance: number;
}

export interface MachineSpec {
  name: string;
  description: string;
  cores: number;
  /** Clock rate used to convert cycles to seconds in reports. */
  ghz: number;
  l1: CacheGeometry;
  l2: CacheGeometry;
  llc: CacheGeometry;
  core: CoreSpec;
  costs: Costs;
}

export class MachineSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineSpecError';
  }
}

/** Most sets a cache level may have (the simulator picks sets from 26 bits of the line number, see cache-level.ts). */
export const MAX_SETS = 1 << 26;

/** Number of sets of a cache level. */
export function setsOf(g: CacheGeometry): number {
  return (g.sizeKiB * 1024) / LINE_SIZE / g.ways;
}
