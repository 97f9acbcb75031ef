/**
 * The kernel's event queue: a binary min-heap of integer payloads ordered by (time, priority, seq).
 *
 * As in SimPy, ties on time are broken by priority (lower first) and then by insertion sequence, so
 * the order of events, and hence every run, is fully deterministic. Keys and payloads live in typed
 * arrays; push and pop allocate nothing.
 */
export class EventQueue {
  private times: Float64Array;
  private prios: Int32Array;
  private seqs: Float64Array;
  private items: Int32Array;
  private n = 0;
  private nextSeq = 0;

  constructor(capacity = 64) {
    this.times = new Float64Array(capacity);
    this.prios = new Int32Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.items = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  push(time: number, prio: number, item: number): void {
    if (this.n === this.items.length) this.grow();
    let i = this.n++;
    const seq = this.nextSeq++;
    // sift up
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(time, prio, seq, p)) break;
      this.move(p, i);
      i = p;
    }
    this.times[i] = time;
    this.prios[i] = prio;
    this.seqs[i] = seq;
    this.items[i] = item;
  }

  /** Time of the first event (Infinity when empty). */
  peekTime(): number {
    return this.n === 0 ? Infinity : (this.times[0] as number);
  }

  /** Removes and returns the first event's payload; -1 when empty. */
  pop(): number {
    if (this.n === 0) return -1;
    const top = this.items[0] as number;
    const last = --this.n;
    if (last > 0) {
      const t = this.times[last] as number;
      const pr = this.prios[last] as number;
      const sq = this.seqs[last] as number;
      const it = this.items[last] as number;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        const c = r < last && this.lessIdx(r, l) ? r : l;
        if (!this.less(this.times[c] as number, this.prios[c] as number, this.seqs[c] as number, -1, t, pr, sq)) break;
        this.move(c, i);
        i = c;
      }
      this.times[i] = t;
      this.prios[i] = pr;
      this.seqs[i] = sq;
      this.items[i] = it;
    }
    return top;
  }

  /**
   * (t, p, s) < key at index j; or, when j < 0, (t, p, s) < (t2, p2, s2).
   */
  private less(t: number, p: number, s: number, j: number, t2 = 0, p2 = 0, s2 = 0): boolean {
    if (j >= 0) {
      t2 = this.times[j] as number;
      p2 = this.prios[j] as number;
      s2 = this.seqs[j] as number;
    }
    if (t !== t2) return t < t2;
    if (p !== p2) return p < p2;
    return s < s2;
  }

  private lessIdx(a: number, b: number): boolean {
    return this.less(this.times[a] as number, this.prios[a] as number, this.seqs[a] as number, b);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.prios[to] = this.prios[from] as number;
    this.seqs[to] = this.seqs[from] as number;
    this.items[to] = this.items[from] as number;
  }

  private grow(): void {
    const cap = this.items.length * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
    const p = new Int32Array(cap);
    p.set(this.prios);
    this.prios = p;
    const s = new Float64Array(cap);
    s.set(this.seqs);
    this.seqs = s;
    const it = new Int32Array(cap);
    it.set(this.items);
    this.items = it;
  }
}
