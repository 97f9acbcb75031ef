/**
 * The coherence directory: per cache line, which cores hold it and how (MESI-style).
 *
 * A line is owned (Modified or Exclusive) by at most one core, or shared by a set of cores. The
 * directory also remembers, per core, whether it ever held the line (to tell cold misses) and
 * whether its copy was taken away by another core's write (to tell coherence misses); and per line,
 * when another core last took it for writing (failed-CAS detection), until when it is busy with
 * an atomic, and until when a lock word on it is held.
 *
 * Entries are addressed by "line slot" = page slot * 64 + line index within the page: the page
 * table already found the page slot for the access, so the directory needs no lookup of its own.
 * A page slot is reset when a page becomes mapped in it (a new physical page has no cached state).
 *
 * A line's entry is one record (array of structures, not one array per field): a miss reads and
 * writes most of its fields, and with one array per field each would be a separate host cache
 * miss. The record is `stride` Int32 of `line`: owner, last writer, LLC way, then three bit sets
 * of cores of `words` 32-bit words each (at the offsets `sharers`, `ever` and `invalidated`), and
 * in its last 8 bytes the last write time, read through `lineTime`, a Float64 view of the same
 * memory. The times only atomics and locks use (busy until, lock until, lock skew) sit apart, in
 * one block of three Float64 per line for a whole page, made when a line of the page first sets
 * one: until then they all read 0. Most pages never see an atomic or a lock, and a block for every
 * page (1.5 KiB, cleared at every page mapped) was a fifth of the host memory of a run whose
 * simulated process touches many pages (docs/performance.md).
 */
export const NO_CORE = -1;
export const LINES_PER_PAGE = 64;
/** log2(LINES_PER_PAGE): a line slot's page slot is `slot >> LINE_SLOT_BITS`. */
const LINE_SLOT_BITS = 6;

const OWNER = 0;
const LAST_WRITER = 1;
/** The LLC way that last held the line, + 1 (0: none since the page was mapped); see llcWay. */
const LLC_WAY = 2;
const BITS = 3;

const BUSY_UNTIL = 0;
const LOCK_UNTIL = 1;
const LOCK_SKEW = 2;
const TIMES = 3;

export class Directory {
  /** 32-bit words per bit set of cores. */
  readonly words: number;
  /** Int32 fields per line slot in `line`: a power of two, so records do not straddle host cache lines. */
  readonly stride: number;
  /** Offset in a slot's record of the cores holding the line. */
  readonly sharers: number;
  /** Offset in a slot's record of the cores that ever held the line (since its page was mapped). */
  readonly ever: number;
  /** Offset in a slot's record of the cores whose copy another core's write took away. */
  readonly invalidated: number;
  /** Per line slot, `stride` Int32 fields (see the file comment). */
  line: Int32Array = new Int32Array(0);
  /** The same memory as `line`, as Float64: a slot's last write time is at (s + 1) * stride / 2 - 1. */
  lineTime: Float64Array = new Float64Array(0);
  /** Per page slot, its lines' atomic and lock times (TIMES Float64 per line), or null while all are 0. */
  private times: Array<Float64Array | null> = [];
  /** stride / 2: Float64 per record. */
  private readonly half: number;
  /** Per page slot: the key (see lineKey) of the page's first line; its line k has key + k. */
  pageKey: Int32Array = new Int32Array(0);
  /** Line slots there is room for. Slots are initialised by resetPage, never read before. */
  private capacity = 0;

  constructor(cores: number) {
    const w = Math.ceil(cores / 32);
    this.words = w;
    let stride = 1;
    while (stride < BITS + 3 * w + 2) stride *= 2;
    this.stride = stride;
    this.half = stride / 2;
    this.sharers = BITS;
    this.ever = BITS + w;
    this.invalidated = BITS + 2 * w;
    this.ensurePages(256);
  }

  /** Makes room for page slots [0, n). */
  ensurePages(n: number): void {
    const lines = n * LINES_PER_PAGE;
    if (lines <= this.capacity) return;
    let cap = Math.max(this.capacity, 1024);
    while (cap < lines) cap *= 2;
    this.line = grow(this.line, cap * this.stride, Int32Array);
    this.lineTime = new Float64Array(this.line.buffer);
    this.pageKey = grow(this.pageKey, cap / LINES_PER_PAGE, Int32Array);
    this.capacity = cap;
  }

  /** Clears the 64 entries of a page slot, which now holds the page whose first line has key `firstKey`. */
  resetPage(pageSlot: number, firstKey: number): void {
    this.ensurePages(pageSlot + 1);
    const a = pageSlot * LINES_PER_PAGE;
    const b = a + LINES_PER_PAGE;
    const st = this.stride;
    const line = this.line;
    line.fill(0, a * st, b * st);
    if (pageSlot < this.times.length) this.times[pageSlot] = null;
    const lineTime = this.lineTime;
    for (let s = a; s < b; s++) {
      line[s * st + OWNER] = NO_CORE;
      line[s * st + LAST_WRITER] = NO_CORE;
      lineTime[this.timeAt(s)] = -Infinity;
    }
    this.pageKey[pageSlot] = firstKey;
  }

  /** Index in `lineTime` of slot `s`'s last write time: the last 8 bytes of its record. */
  private timeAt(s: number): number {
    return (s + 1) * this.half - 1;
  }

  /** The key (see lineKey) of the line in slot `s`. */
  keyOf(s: number): number {
    return (this.pageKey[s >> LINE_SLOT_BITS] as number) + (s & ((1 << LINE_SLOT_BITS) - 1));
  }

  /** The core owning the line (holding it Modified or Exclusive), or NO_CORE. */
  owner(s: number): number {
    return this.line[s * this.stride + OWNER] as number;
  }

  setOwner(s: number, core: number): void {
    this.line[s * this.stride + OWNER] = core;
  }

  /** The core that last took the line for writing, or NO_CORE. */
  lastWriter(s: number): number {
    return this.line[s * this.stride + LAST_WRITER] as number;
  }

  /** When the line was last taken for writing (-Infinity: never). */
  lastWriteTime(s: number): number {
    return this.lineTime[this.timeAt(s)] as number;
  }

  /** Records a write by `core` taking effect at `time`. */
  noteWrite(s: number, core: number, time: number): void {
    this.line[s * this.stride + LAST_WRITER] = core;
    this.lineTime[this.timeAt(s)] = time;
  }

  /**
   * The LLC way that last held the line, or -1: the line is in the LLC if that way's tag is still
   * this slot (an LLC eviction does not come back here to clear it, which would cost a host cache
   * miss on the evicted line's record). Set by the cache hierarchy on every LLC fill.
   */
  llcWay(s: number): number {
    return (this.line[s * this.stride + LLC_WAY] as number) - 1;
  }

  setLlcWay(s: number, way: number): void {
    this.line[s * this.stride + LLC_WAY] = way + 1;
  }

  /** Until when the line is busy with an atomic. */
  busyUntil(s: number): number {
    return this.getTime(s, BUSY_UNTIL);
  }

  setBusyUntil(s: number, time: number): void {
    this.setTime(s, BUSY_UNTIL, time);
  }

  /** For a lock word on this line: Infinity while held, else the time it was last released. */
  lockUntil(s: number): number {
    return this.getTime(s, LOCK_UNTIL);
  }

  setLockUntil(s: number, time: number): void {
    this.setTime(s, LOCK_UNTIL, time);
  }

  /** For a held lock: how far its holder's clock runs ahead of the lock's timeline (a woken sleeper; see Cpu.lock). */
  lockSkew(s: number): number {
    return this.getTime(s, LOCK_SKEW);
  }

  setLockSkew(s: number, skew: number): void {
    this.setTime(s, LOCK_SKEW, skew);
  }

  /** Field `f` of slot `s`'s atomic and lock times (0 while its page has none). */
  private getTime(s: number, f: number): number {
    const block = this.times[s >> LINE_SLOT_BITS];
    return block === null || block === undefined ? 0 : (block[(s & (LINES_PER_PAGE - 1)) * TIMES + f] as number);
  }

  private setTime(s: number, f: number, v: number): void {
    const p = s >> LINE_SLOT_BITS;
    let block = this.times[p];
    if (block === null || block === undefined) {
      // Grown one slot at a time with nulls (never holes), so the array keeps its elements' kind.
      while (this.times.length <= p) this.times.push(null);
      block = new Float64Array(LINES_PER_PAGE * TIMES);
      this.times[p] = block;
    }
    block[(s & (LINES_PER_PAGE - 1)) * TIMES + f] = v;
  }

  /** Word `wi` of the bit set at offset `bits` (sharers, ever, invalidated) of slot `s`. */
  word(bits: number, s: number, wi: number): number {
    return this.line[s * this.stride + bits + wi] as number;
  }

  has(bits: number, s: number, core: number): boolean {
    return ((this.line[s * this.stride + bits + (core >> 5)] as number) & (1 << (core & 31))) !== 0;
  }

  setBit(bits: number, s: number, core: number): void {
    const i = s * this.stride + bits + (core >> 5);
    this.line[i] = (this.line[i] as number) | (1 << (core & 31));
  }

  clearBit(bits: number, s: number, core: number): void {
    const i = s * this.stride + bits + (core >> 5);
    this.line[i] = (this.line[i] as number) & ~(1 << (core & 31));
  }

  clearAll(bits: number, s: number): void {
    const w = this.words;
    const i = s * this.stride + bits;
    if (w === 1) this.line[i] = 0;
    else this.line.fill(0, i, i + w);
  }

  /** True if any core other than `core` is in the bit set. */
  anyOther(bits: number, s: number, core: number): boolean {
    const w = this.words;
    const at = s * this.stride + bits;
    for (let i = 0; i < w; i++) {
      let m = this.line[at + i] as number;
      if (i === core >> 5) m &= ~(1 << (core & 31));
      if (m !== 0) return true;
    }
    return false;
  }
}

type TypedCtor<T> = new (n: number) => T;

function grow<T extends Int32Array>(old: T, n: number, ctor: TypedCtor<T>): T {
  const a = new ctor(n);
  (a as unknown as { set(x: ArrayLike<number>): void }).set(old);
  return a;
}
