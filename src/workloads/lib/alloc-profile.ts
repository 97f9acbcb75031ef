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

/** The replay's state: the blocks due to die, by the allocation tick at which they die. */
class Replay {
  readonly due = new Map<number, Pending[]>();
  tick = 0;

  constructor(
    private readonly rng: Rng,
    private readonly o: ReplayOptions,
  ) {}

  dueAt(at: number, item: Pending): void {
    const list = this.due.get(at);
    if (list === undefined) this.due.set(at, [item]);
    else list.push(item);
  }

  schedule(p: number, size: number, row: ProfileRow): void {
    if (row.end !== 'l' && p !== 0) this.dueAt(this.tick + lifetimeOf(row.bucket, this.rng), { p, size, end: row.end });
  }

  *allocate(size: number): Generator<Op, number, unknown> {
    const p = (yield malloc(size)) as number;
    if (this.o.touchBlocks && size > 0) yield touch(p, size, true);
    return p;
  }

  /** The stationary live set of a long run, each block part-way through its life. */
  *warmStart(d: ProfileDistribution): Generator<Op, void, unknown> {
    const st = stationaryPopulation(d);
    for (let i = Math.round(st.expected); i > 0; i--) {
      const row = st.live.draw(this.rng);
      const p = yield* this.allocate(row.size);
      // The rest of its life is uniform over what remains.
      this.dueAt(Math.floor(this.rng.float() * lifetimeOf(row.bucket, this.rng)), { p, size: row.size, end: row.end });
    }
    for (const row of st.forever) for (let i = 0; i < row.count; i++) yield* this.allocate(row.size);
  }

  /** A block's death: a free, or a realloc to a size drawn from the realloc-born rows (an allocation event). */
  *die(d: Pending, reallocBorn: ProfileDistribution, fallback: ProfileDistribution): Generator<Op, void, unknown> {
    if (d.end === 'f' || this.tick >= this.o.events) {
      yield free(d.p);
      return;
    }
    const row = reallocBorn.total > 0 ? reallocBorn.draw(this.rng) : fallback.draw(this.rng);
    const q = (yield realloc(d.p, row.size)) as number;
    this.tick++;
    if (this.o.touchBlocks && row.size > d.size) yield touch(q + d.size, row.size - d.size, true);
    this.schedule(q, row.size, row);
  }
}

/** The replay as one thread body. Blocks still pending at the end are freed then; live-at-exit ones are left. */
export function* replayProfile(profile: AllocProfile, rng: Rng, o: ReplayOptions): Generator<Op, void, unknown> {
  const { mallocBorn, reallocBorn } = parseProfile(profile);
  const r = new Replay(rng, o);
  if (o.warmStart) yield* r.warmStart(mallocBorn);
  let processed = 0;
  while (r.tick < o.events) {
    // Deaths due by now (a realloc is an allocation event too, so it moves the clock on).
    for (; processed <= r.tick; processed++) {
      const dying = r.due.get(processed);
      if (dying === undefined) continue;
      r.due.delete(processed);
      for (const d of dying) yield* r.die(d, reallocBorn, mallocBorn);
    }
    const row = mallocBorn.draw(rng);
    const p = yield* r.allocate(row.size);
    r.tick++;
    if (o.computePerAlloc > 0) yield compute(o.computePerAlloc);
    r.schedule(p, row.size, row);
  }
  for (const at of [...r.due.keys()].sort((a, b) => a - b)) for (const d of r.due.get(at) as Pending[]) yield free(d.p);
}
