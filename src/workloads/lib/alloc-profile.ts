/**
 * Replay of a measured single-threaded allocation profile (tools/alloc-profile): each allocation
 * draws (size, lifetime, how it ends) from the program's joint histogram; the block is freed, or
 * reallocated to a size drawn from the realloc-born histogram, once `lifetime` further allocations
 * have been made. Lifetimes are measured in allocations, so the replay keeps the program's live
 * set (its peak object count and bytes) whatever the machine's speed.
 */
import type { Rng } from '../../sim/rng.ts';
import type { Op } from '../../sim/thread.ts';
import { compute, free, malloc, realloc, touch } from '../ops.ts';

export interface AllocProfile {
  program: string;
  /** The measured command line. */
  command: string;
  /** Totals printed by the profiler (malloc, calloc, memalign, realloc, free, peak_live_objects, peak_live_bytes). */
  measured: Record<string, number>;
  /** `born size bucket end count` records separated by ';' (see tools/alloc-profile/alloc-profile.c). */
  rows: string;
}

export interface ProfileRow {
  size: number;
  /** Lifetime bucket: 0 is L = 0, b ≥ 1 is 2^(b−1) ≤ L < 2^b; 127 is "still live at exit". */
  bucket: number;
  end: 'f' | 'r' | 'l';
  count: number;
}

export const LIVE_AT_EXIT = 127;

/** Rows drawn with probability proportional to their counts (binary search over cumulative counts). */
export class ProfileDistribution {
  private readonly cum: number[] = [];
  readonly total: number;

  constructor(readonly rows: readonly ProfileRow[]) {
    let acc = 0;
    for (const r of rows) this.cum.push((acc += r.count));
    this.total = acc;
  }

  draw(rng: Rng): ProfileRow {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cum[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.rows[lo] as ProfileRow;
  }
}

export function parseProfile(p: AllocProfile): { mallocBorn: ProfileDistribution; reallocBorn: ProfileDistribution } {
  const m: ProfileRow[] = [];
  const r: ProfileRow[] = [];
  for (const rec of p.rows.split(';')) {
    if (rec === '') continue;
    const [born, size, bucket, end, count] = rec.split(' ');
    const row: ProfileRow = { size: Number(size), bucket: Number(bucket), end: end as ProfileRow['end'], count: Number(count) };
    (born === 'r' ? r : m).push(row);
  }
  return { mallocBorn: new ProfileDistribution(m), reallocBorn: new ProfileDistribution(r) };
}

/** Allocation events of the measured run (each malloc-like call and each realloc). */
export function profileEvents(p: AllocProfile): number {
  const t = p.measured;
  return (t.malloc ?? 0) + (t.calloc ?? 0) + (t.memalign ?? 0) + (t.realloc ?? 0);
}

/** A lifetime from a bucket: uniform within its power-of-two range. */
export function lifetimeOf(bucket: number, rng: Rng): number {
  if (bucket === 0) return 0;
  const lo = 2 ** (bucket - 1);
  return lo + Math.floor(rng.float() * lo);
}

/** Mean of lifetimeOf(bucket). */
function meanLifetime(bucket: number): number {
  return bucket === 0 ? 0 : (2 ** (bucket - 1) + 2 ** bucket - 1) / 2;
}

/**
 * The objects live at a random moment of a long run (a renewal process at one allocation per
 * tick): a row is live with weight count × mean lifetime; live-at-exit rows are always there.
 * Returns the expected number of such objects and the length-biased distribution to draw them from.
 */
export function stationaryPopulation(d: ProfileDistribution): { expected: number; live: ProfileDistribution; forever: ProfileRow[] } {
  const weighted: ProfileRow[] = [];
  const forever: ProfileRow[] = [];
  let expected = 0;
  for (const r of d.rows) {
    if (r.end === 'l') {
      forever.push(r);
      continue;
    }
    const w = r.count * meanLifetime(r.bucket);
    if (w === 0) continue;
    weighted.push({ ...r, count: w });
    expected += w / d.total;
  }
  return { expected, live: new ProfileDistribution(weighted), forever };
}

export interface ReplayOptions {
  events: number;
  /** Start from the run's stationary live set instead of an empty heap (see stationaryPopulation). */
  warmStart: boolean;
  /** Application work between allocations, in compute units. */
  computePerAlloc: number;
  /** Write every byte of each new block (and the grown part of a reallocated one). */
  touchBlocks: boolean;
}

interface Pending {
  p: number;
  size: number;
  end: ProfileRow['end'];
}

/** The replay as one thread body. Blocks still pending at the end are freed then; live-at-exit ones are left. */
export function* replayProfile(profile: AllocProfile, rng: Rng, o: ReplayOptions): Generator<Op, void, unknown> {
  const { mallocBorn, reallocBorn } = parseProfile(profile);
  const due = new Map<number, Pending[]>();
  let tick = 0;
  const schedule = (p: number, size: number, row: ProfileRow): void => {
    if (row.end === 'l' || p === 0) return;
    const at = tick + lifetimeOf(row.bucket, rng);
    const list = due.get(at);
    const item = { p, size, end: row.end };
    if (list === undefined) due.set(at, [item]);
    else list.push(item);
  };
  const allocate = function* (size: number): Generator<Op, number, unknown> {
    const p = (yield malloc(size)) as number;
    if (o.touchBlocks && size > 0) yield touch(p, size, true);
    return p;
  };
  if (o.warmStart) {
    const st = stationaryPopulation(mallocBorn);
    for (let i = Math.round(st.expected); i > 0; i--) {
      const row = st.live.draw(rng);
      const p = yield* allocate(row.size);
      // Already part-way through its life: the rest of it is uniform over what remains.
      const at = Math.floor(rng.float() * lifetimeOf(row.bucket, rng));
      const list = due.get(at);
      if (list === undefined) due.set(at, [{ p, size: row.size, end: row.end }]);
      else list.push({ p, size: row.size, end: row.end });
    }
    for (const row of st.forever) for (let i = 0; i < row.count; i++) yield* allocate(row.size);
  }
  let processed = 0;
  while (tick < o.events) {
    // Deaths due by now (a realloc is an allocation event too, so it moves the clock on).
    for (; processed <= tick; processed++) {
      const dying = due.get(processed);
      if (dying === undefined) continue;
      due.delete(processed);
      for (const d of dying) {
        if (d.end === 'f' || tick >= o.events) {
          yield free(d.p);
          continue;
        }
        const row = reallocBorn.total > 0 ? reallocBorn.draw(rng) : mallocBorn.draw(rng);
        const q = (yield realloc(d.p, row.size)) as number;
        tick++;
        if (o.touchBlocks && row.size > d.size) yield touch(q + d.size, row.size - d.size, true);
        schedule(q, row.size, row);
      }
    }
    const row = mallocBorn.draw(rng);
    const p = yield* allocate(row.size);
    tick++;
    if (o.computePerAlloc > 0) yield compute(o.computePerAlloc);
    schedule(p, row.size, row);
  }
  for (const at of [...due.keys()].sort((a, b) => a - b)) for (const d of due.get(at) as Pending[]) yield free(d.p);
}
