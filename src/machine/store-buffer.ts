/**
 * A core's store buffer under x86-TSO (Sewell et al., CACM 2010): stores leave the pipeline into a
 * FIFO and commit to L1 in program order, in the background. This keeps only what timing needs:
 * the commit times of the last `entries` stores (a ring), so a store that finds the ring full waits
 * for the oldest to commit.
 */
export class StoreBuffer {
  private readonly commits: Float64Array;
  private next = 0;
  /** Commit time of the newest store: the buffer is empty from then on. */
  lastCommit = 0;
  private readonly interval: number;

  /** `entries` stores fit; at most `perCycle` commit per cycle. */
  constructor(entries: number, perCycle: number) {
    this.commits = new Float64Array(entries);
    this.interval = 1 / perCycle;
  }

  /** When an entry is free for a store dispatched at `now`: now, or when the oldest of a full buffer commits. */
  freeAt(now: number): number {
    const c = this.commits[this.next] as number;
    return c > now ? c : now;
  }

  /**
   * Places a store in the buffer. It commits in order after the previous one, and no earlier than
   * `ready` (its line owned, its data known, the instructions before it retired). Returns its commit time.
   */
  push(ready: number): number {
    let c = this.lastCommit + this.interval;
    if (c < ready) c = ready;
    this.lastCommit = c;
    this.commits[this.next] = c;
    this.next = this.next + 1 === this.commits.length ? 0 : this.next + 1;
    return c;
  }
}
