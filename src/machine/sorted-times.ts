/**
 * A fixed-size multiset of times kept in ascending order, for the core's fill buffers (core-timing.ts):
 * one entry per record, replaced in place when a record is reused, so "how many records start (or
 * end) by time s" is a position in the array rather than a scan of every record.
 */
export class SortedTimes {
  readonly at: Float64Array;

  /** `n` entries, all 0 (every record starts idle at time 0). */
  constructor(n: number) {
    this.at = new Float64Array(n);
  }

  /** Replaces one entry equal to `old` (it must be present) by `v`, keeping the order. */
  replace(old: number, v: number): void {
    const a = this.at;
    let p = this.firstAbove(old) - 1;
    if (v >= old) {
      // Move the later entries below v one step down, over the removed one.
      while (p + 1 < a.length && (a[p + 1] as number) < v) {
        a[p] = a[p + 1] as number;
        p++;
      }
    } else {
      while (p > 0 && (a[p - 1] as number) > v) {
        a[p] = a[p - 1] as number;
        p--;
      }
    }
    a[p] = v;
  }

  /** How many entries are at most `t`: the index of the first entry above it. */
  firstAbove(t: number): number {
    const a = this.at;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((a[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
