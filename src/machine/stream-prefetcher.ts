/**
 * A core's L2 stream prefetcher, after Intel's description of its "streamer" (Intel 64 and IA-32
 * Architectures Optimization Reference Manual, "Data Prefetching"): it watches the L1d's misses,
 * detects ascending or descending sequences of lines within a 4 KiB page, and fetches the lines
 * ahead of them into L2, two per miss it sees, up to `distance` lines ahead of the miss. It keeps
 * up to 32 streams (one per page, the least recently started replaced). AMD's Zen 3 has an L2
 * stream prefetcher of the same kind (Software Optimization Guide for AMD Family 19h, "L2 Stream
 * Prefetcher"). This class decides which lines; the Cpu fetches them (cpu-memory.ts).
 */

const STREAMS = 32;
const LINES_PER_PAGE = 64;
/** Prefetch requests per miss seen ("can issue two prefetch requests on every L2 lookup"). */
const PER_MISS = 2;

export class StreamPrefetcher {
  private readonly page = new Int32Array(STREAMS).fill(-1);
  private readonly last = new Int8Array(STREAMS);
  private readonly dir = new Int8Array(STREAMS);
  private readonly ahead = new Int8Array(STREAMS);
  private next = 0;
  /** Lines to prefetch after the last miss (line indices within its page); count in `count`. */
  readonly lines = new Int8Array(PER_MISS);
  count = 0;

  constructor(private readonly distance: number) {}

  /** An L1 miss on line `line` (0..63) of the page in slot `page`: sets `lines`/`count` to prefetch. */
  miss(page: number, line: number): void {
    this.count = 0;
    let e = -1;
    for (let i = 0; i < STREAMS; i++) {
      if (this.page[i] === page) {
        e = i;
        break;
      }
    }
    if (e < 0) {
      e = this.next;
      this.next = (e + 1) % STREAMS;
      this.page[e] = page;
      this.last[e] = line;
      this.dir[e] = 0;
      this.ahead[e] = line;
      return;
    }
    const d = line - (this.last[e] as number);
    if (d === 0) return;
    const dir = d > 0 ? 1 : -1;
    this.last[e] = line;
    if (dir !== this.dir[e]) {
      // A first step, or a turn: the direction must be seen twice before anything is fetched.
      this.dir[e] = dir;
      this.ahead[e] = line;
      return;
    }
    let a = this.ahead[e] as number;
    if ((a - line) * dir < 0) a = line;
    for (let k = 0; k < PER_MISS; k++) {
      const n = a + dir;
      if (n < 0 || n >= LINES_PER_PAGE || (n - line) * dir > this.distance) break;
      this.lines[this.count++] = n;
      a = n;
    }
    this.ahead[e] = a;
  }
}
