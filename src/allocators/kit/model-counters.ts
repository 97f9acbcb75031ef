/**
 * Named counters and histograms: the statistics every layer reports through.
 *
 * A `Counters` object is a flat bag of named numbers (`remoteFrees`, `posts`, ...). Layers keep the
 * hot counters in plain fields or typed arrays and copy them into a `Counters` snapshot when a run
 * ends; models may also increment named counters directly (`c.add('posts')`).
 *
 * A model declares its counter names as a type, as mimalloc declares its `mi_stat_*` fields, and
 * holds its counters as `Counters<ThatType>`: a misspelt name is then a type error, not a new
 * counter. The untyped `Counters` (any name) is what the contract hands every model.
 */

/** A counter's value, boxed so an increment costs one map lookup, not two. */
interface Box {
  v: number;
}

export class Counters<N extends string = string> {
  private readonly values = new Map<string, Box>();
  private readonly histograms = new Map<string, Histogram>();

  add(name: N, delta = 1): void {
    const b = this.values.get(name);
    if (b !== undefined) b.v += delta;
    else this.values.set(name, { v: delta });
  }

  set(name: N, value: number): void {
    const b = this.values.get(name);
    if (b !== undefined) b.v = value;
    else this.values.set(name, { v: value });
  }

  /** Keeps the maximum of the current and the given value. */
  max(name: N, value: number): void {
    const b = this.values.get(name);
    if (b === undefined) this.values.set(name, { v: value });
    else if (value > b.v) b.v = value;
  }

  get(name: N): number {
    return this.values.get(name)?.v ?? 0;
  }

  /** A histogram by name, created on first use (power-of-two buckets unless bounds are given). */
  histogram(name: N, bounds?: readonly number[]): Histogram {
    let h = this.histograms.get(name);
    if (h === undefined) {
      h = bounds ? Histogram.withBounds(bounds) : Histogram.log2();
      this.histograms.set(name, h);
    }
    return h;
  }

  /** Plain-object snapshot with keys sorted, so JSON output is stable. */
  toJSON(): Record<string, number | HistogramJSON> {
    const out: Record<string, number | HistogramJSON> = {};
    const keys = [...this.values.keys(), ...this.histograms.keys()].sort();
    for (const k of keys) {
      const h = this.histograms.get(k);
      out[k] = h !== undefined ? h.toJSON() : (this.values.get(k) as Box).v;
    }
    return out;
  }
}

export interface HistogramJSON {
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  /** Bucket upper bounds (inclusive) paired with counts; empty buckets omitted. */
  buckets: Array<[number, number]>;
}

/**
 * A histogram over non-negative values. `log2()` buckets are [0], [1], [2,3], [4,7], ...; explicit
 * bounds give buckets (prev, bound]. Recording is allocation-free.
 */
export class Histogram {
  private readonly counts: Float64Array;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  private constructor(
    private readonly bounds: readonly number[] | null,
    nBuckets: number,
  ) {
    this.counts = new Float64Array(nBuckets);
  }

  static log2(): Histogram {
    return new Histogram(null, 64);
  }

  static withBounds(bounds: readonly number[]): Histogram {
    return new Histogram([...bounds], bounds.length + 1);
  }

  record(value: number, times = 1): void {
    this.count += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.counts[this.bucketOf(value)]! += times;
  }

  private bucketOf(value: number): number {
    if (this.bounds === null) {
      if (value < 1) return 0;
      return Math.min(63, 1 + Math.floor(Math.log2(value)));
    }
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    return i;
  }

  private upperBound(bucket: number): number {
    if (this.bounds === null) return bucket === 0 ? 0 : 2 ** bucket - 1;
    return bucket < this.bounds.length ? (this.bounds[bucket] as number) : this.max; // overflow bucket: its largest value
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  toJSON(): HistogramJSON {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i] as number;
      if (c > 0) buckets.push([this.upperBound(i), c]);
    }
    return {
      count: this.count,
      sum: this.sum,
      min: this.count === 0 ? 0 : this.min,
      max: this.count === 0 ? 0 : this.max,
      mean: this.mean(),
      buckets,
    };
  }
}
