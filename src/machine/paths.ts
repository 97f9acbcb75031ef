/**
 * Per-path profile: which allocator code path spent the accesses, misses, atomics and cycles.
 *
 * A model (or the driver, per operation) names the path it is in with `cpu.path(id)`; everything the
 * machine counts between two switches is attributed to the path that was current. Switching takes
 * a snapshot of a few global counters, so the hot access path pays nothing. Reports turn the
 * profile into Cachegrind-format files (fn=path) that cg_annotate reads.
 */
import * as A from './atomic-stats.ts';
import { K_DRAIN_STALL, K_ROB_STALL, K_STORE_BUFFER_STALL } from './core-stats.ts';
import { C_ACCESS, C_COHERENCE, C_L1_MISS, C_LLC_MISS, COUNTERS_PER_ORIGIN } from './cache-hierarchy.ts';

/**
 * Calls, line accesses, L1 misses, LLC misses, coherence misses, atomics, cycles, and of the cycles
 * those the core stalled on a full reorder buffer (Rob), a full store buffer (SB) and on
 * serialising events waiting for earlier loads and stores (Drain): docs/machine.md, "The core".
 */
export const PATH_EVENTS = ['Calls', 'Acc', 'L1m', 'LLm', 'Coh', 'Atom', 'Cyc', 'Rob', 'SB', 'Drain'] as const;
const K = PATH_EVENTS.length;
const ORIGINS = 3;

export class PathProfile {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  private counts = new Float64Array(64 * K);
  private current = -1;
  private snap = new Float64Array(K);
  private cur = new Float64Array(K);
  /** Off by default: a run that does not ask for a profile pays nothing for path switches. */
  enabled = false;

  constructor(
    private readonly cacheCounts: Float64Array,
    private readonly atomics: Float64Array,
    private readonly core: Float64Array,
  ) {}

  /** The id of a path name (created on first use). */
  id(name: string): number {
    let i = this.ids.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.ids.set(name, i);
      if ((i + 1) * K > this.counts.length) {
        const c = new Float64Array(this.counts.length * 2);
        c.set(this.counts);
        this.counts = c;
      }
    }
    return i;
  }

  private sum(k: number): number {
    let s = 0;
    for (let o = 0; o < ORIGINS; o++) s += this.cacheCounts[o * COUNTERS_PER_ORIGIN + k] as number;
    return s;
  }

  private read(out: Float64Array, now: number): void {
    out[1] = this.sum(C_ACCESS);
    out[2] = this.sum(C_L1_MISS);
    out[3] = this.sum(C_LLC_MISS);
    out[4] = this.sum(C_COHERENCE);
    out[5] = this.atomics[A.A_TOTAL] as number;
    out[6] = now;
    out[7] = this.core[K_ROB_STALL] as number;
    out[8] = this.core[K_STORE_BUFFER_STALL] as number;
    out[9] = this.core[K_DRAIN_STALL] as number;
  }

  /** Makes `id` the current path at time `now` (of the running thread); `call` counts an entry. */
  switchTo(id: number, now: number, call: boolean): void {
    if (!this.enabled) return;
    const cur = this.cur;
    this.read(cur, now);
    if (this.current >= 0) {
      const b = this.current * K;
      for (let k = 1; k < K; k++) this.counts[b + k]! += Math.max(0, (cur[k] as number) - (this.snap[k] as number));
    }
    // Swap the buffers: the reading just taken becomes the snapshot.
    this.cur = this.snap;
    this.snap = cur;
    this.current = id;
    if (call && id >= 0) this.counts[id * K]! += 1;
  }

  /** Ends attribution (the running thread left the allocator) at time `now`. */
  leave(now: number): void {
    this.switchTo(-1, now, false);
  }

  /** Per path: the PATH_EVENTS counts. */
  table(): Array<{ path: string; events: number[] }> {
    return this.names.map((path, i) => ({ path, events: Array.from(this.counts.subarray(i * K, i * K + K)) }));
  }
}
