/**
 * The intervals [start, end) during which the core's fill-buffer records are busy (core-timing.ts),
 * kept sorted so that the two questions of a miss, "which record do I take?" and "from when are
 * fewer than n in flight?", cost a few steps instead of scans of every record per record that frees.
 *
 * Only intervals that end after the floor `w` are kept in the window: the caller promises never to
 * ask about a time before `w` (the floor only rises), and an interval over by then counts for
 * nothing from then on; its record is marked done in a bit set instead. The ends are kept with
 * their records. The starts are kept as a multiset that counts right for every time at or after
 * `w`: those above `w` exactly, and as many at or below `w` as there are kept intervals that start
 * there (which ones does not matter, since they all count alike). Both arrays share one window
 * [head, tail) of a buffer four times the records, compacted when the tail reaches its end.
 */
export class FillIntervals {
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  /** The record of each end. */
  private readonly recs: Int32Array;
  /** Records whose interval ended by the floor, a bit each. */
  private readonly done: Uint32Array;
  private head = 0;
  private tail = 0;
  private w = 0;
  /** The latest end in the window. */
  private maxEnd = 0;

  /** `records` records, all done at first (each begins as [0, 0)). */
  constructor(records: number) {
    this.starts = new Float64Array(4 * records);
    this.ends = new Float64Array(4 * records);
    this.recs = new Int32Array(4 * records);
    this.done = new Uint32Array((records + 31) >> 5);
    this.allDone();
  }

  /** No question will be about a time before `w`: intervals ended by then leave the window. */
  raiseFloor(w: number): void {
    if (w <= this.w) return;
    this.w = w;
    if (w >= this.maxEnd) {
      // Everything is over: an empty window (the common case of a miss with none in flight).
      this.allDone();
      return;
    }
    const ends = this.ends;
    let k = this.head;
    while (k < this.tail && (ends[k] as number) <= w) {
      const r = this.recs[k] as number;
      this.done[r >> 5] = ((this.done[r >> 5] as number) | (1 << (r & 31))) >>> 0;
      k++;
    }
    // The same number of starts goes: the smallest, all at or below w (those intervals started by then).
    this.head = k;
  }

  /**
   * The record a miss at `t` (at or after the floor) takes: the highest-numbered one done by `t`,
   * else the lowest-numbered of those that end first.
   */
  choose(t: number): number {
    let best = -1;
    for (let j = this.done.length - 1; j >= 0 && best < 0; j--) {
      const word = this.done[j] as number;
      if (word !== 0) best = (j << 5) + 31 - Math.clz32(word);
    }
    const ends = this.ends;
    const recs = this.recs;
    const head = this.head;
    let k = head;
    for (; k < this.tail && (ends[k] as number) <= t; k++) if ((recs[k] as number) > best) best = recs[k] as number;
    if (best >= 0 || k === this.tail) return best;
    const first = ends[head] as number;
    best = recs[head] as number;
    for (k = head + 1; k < this.tail && ends[k] === first; k++) if ((recs[k] as number) < best) best = recs[k] as number;
    return best;
  }

  /** Record `r`'s interval [oldStart, oldEnd) becomes [start, end), with the floor ≤ start < end. */
  replace(r: number, oldStart: number, oldEnd: number, start: number, end: number): void {
    if (oldEnd > this.w) {
      const ends = this.ends;
      const recs = this.recs;
      const starts = this.starts;
      const h = this.head;
      // Close the gaps by moving the entries before them up one; the window then starts one later.
      let p = this.lowerBound(ends, oldEnd);
      while (p < this.tail && recs[p] !== r) p++;
      if (p === this.tail) throw new Error(`fill-buffer record ${r} is missing from the window`);
      for (; p > h; p--) {
        ends[p] = ends[p - 1] as number;
        recs[p] = recs[p - 1] as number;
      }
      if (oldStart > this.w) for (p = this.lowerBound(starts, oldStart); p > h; p--) starts[p] = starts[p - 1] as number;
      this.head = h + 1;
    } else {
      this.done[r >> 5] = ((this.done[r >> 5] as number) & ~(1 << (r & 31))) >>> 0;
    }
    if (this.tail === this.ends.length) this.compact();
    this.insertEnd(end, r);
    if (end > this.maxEnd) this.maxEnd = end;
    this.insertStart(start);
    this.tail++;
  }

  /**
   * The first time from `t` (≥ the floor) on when fewer than `n` intervals are in flight: `t`, or
   * the end of an interval, since the count only falls when one ends.
   */
  firstBelow(t: number, n: number): number {
    const ends = this.ends;
    const starts = this.starts;
    const tail = this.tail;
    const done = this.firstAbove(ends, t);
    // Fewer than n end after t: at most n - 1 are in flight at t.
    if (tail - done < n) return t;
    const started = this.firstAbove(starts, t);
    // In flight at s: the intervals started by s less those ended by s (each ends after it starts).
    if (started - done < n) return t;
    // At the end at index j, at least j + 1 - head have ended, so fewer than n are in flight if at
    // most j + n - head have started: if the start at index j + n (when there is one) comes after
    // that end. Ends before index started - n cannot do (started - head intervals started by t),
    // so the walk begins there; a store stream's RFOs, each starting as an earlier one ends, make
    // it step about one end at a time, one comparison each.
    let j = started - n;
    while (j + n < tail && (starts[j + n] as number) <= (ends[j] as number)) j++;
    return ends[j] as number;
  }

  private allDone(): void {
    const n = this.recs.length >> 2;
    this.done.fill(0xffffffff, 0, n >> 5);
    if ((n & 31) !== 0) this.done[n >> 5] = (1 << (n & 31)) - 1;
    this.head = 0;
    this.tail = 0;
  }

  private insertEnd(v: number, r: number): void {
    const a = this.ends;
    const recs = this.recs;
    let p = this.tail;
    while (p > this.head && (a[p - 1] as number) > v) {
      a[p] = a[p - 1] as number;
      recs[p] = recs[p - 1] as number;
      p--;
    }
    a[p] = v;
    recs[p] = r;
  }

  private insertStart(v: number): void {
    const a = this.starts;
    let p = this.tail;
    while (p > this.head && (a[p - 1] as number) > v) {
      a[p] = a[p - 1] as number;
      p--;
    }
    a[p] = v;
  }

  private compact(): void {
    this.ends.copyWithin(0, this.head, this.tail);
    this.recs.copyWithin(0, this.head, this.tail);
    this.starts.copyWithin(0, this.head, this.tail);
    this.tail -= this.head;
    this.head = 0;
  }

  /** Index of the first entry in the window that is at least `v`. */
  private lowerBound(a: Float64Array, v: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((a[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first entry in the window above `t`. */
  private firstAbove(a: Float64Array, t: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((a[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
