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
 * Bit sets of cores use `words` 32-bit words per line.
 */
export const NO_CORE = -1;
export const LINES_PER_PAGE = 64;
/** log2(LINES_PER_PAGE): a line slot's page slot is `slot >> LINE_SLOT_BITS`. */
const LINE_SLOT_BITS = 6;

export class Directory {
  readonly words: number;
  owner: Int16Array = new Int16Array(0);
  sharers: Uint32Array = new Uint32Array(0);
  ever: Uint32Array = new Uint32Array(0);
  invalidated: Uint32Array = new Uint32Array(0);
  lastWriteTime: Float64Array = new Float64Array(0);
  lastWriter: Int16Array = new Int16Array(0);
  busyUntil: Float64Array = new Float64Array(0);
  /** For a lock word on this line: Infinity while held, else the time it was last released. */
  lockUntil: Float64Array = new Float64Array(0);
  /** For a held lock: how far its holder's clock runs ahead of the lock's timeline (a woken sleeper; see Cpu.lock). */
  lockSkew: Float64Array = new Float64Array(0);
  /**
   * Where the shared LLC holds the line: its way index + 1, or 0 (not there). Kept by the cache
   * hierarchy on every LLC fill and drop, so finding a line in the LLC needs no set scan.
   */
  llcWay: Int32Array = new Int32Array(0);
  /** Per page slot: the key (see lineKey) of the page's first line; its line k has key + k. */
  pageKey: Int32Array = new Int32Array(0);
  private capacity = 0;

  constructor(cores: number) {
    this.words = Math.ceil(cores / 32);
    this.ensurePages(256);
  }

  /** Makes room for page slots [0, n). */
  ensurePages(n: number): void {
    const lines = n * LINES_PER_PAGE;
    if (lines <= this.capacity) return;
    let cap = Math.max(this.capacity, 1024);
    while (cap < lines) cap *= 2;
    const w = this.words;
    const old = this.capacity;
    this.owner = grow(this.owner, cap, Int16Array);
    this.lastWriter = grow(this.lastWriter, cap, Int16Array);
    this.lastWriteTime = grow(this.lastWriteTime, cap, Float64Array);
    this.busyUntil = grow(this.busyUntil, cap, Float64Array);
    this.lockUntil = grow(this.lockUntil, cap, Float64Array);
    this.lockSkew = grow(this.lockSkew, cap, Float64Array);
    this.llcWay = grow(this.llcWay, cap, Int32Array);
    this.pageKey = grow(this.pageKey, cap / LINES_PER_PAGE, Int32Array);
    this.sharers = grow(this.sharers, cap * w, Uint32Array);
    this.ever = grow(this.ever, cap * w, Uint32Array);
    this.invalidated = grow(this.invalidated, cap * w, Uint32Array);
    this.owner.fill(NO_CORE, old);
    this.lastWriter.fill(NO_CORE, old);
    this.lastWriteTime.fill(-Infinity, old);
    this.capacity = cap;
  }

  /** Clears the 64 entries of a page slot, which now holds the page whose first line has key `firstKey`. */
  resetPage(pageSlot: number, firstKey: number): void {
    this.ensurePages(pageSlot + 1);
    const a = pageSlot * LINES_PER_PAGE;
    const b = a + LINES_PER_PAGE;
    const w = this.words;
    this.owner.fill(NO_CORE, a, b);
    this.lastWriter.fill(NO_CORE, a, b);
    this.lastWriteTime.fill(-Infinity, a, b);
    this.busyUntil.fill(0, a, b);
    this.lockUntil.fill(0, a, b);
    this.lockSkew.fill(0, a, b);
    this.llcWay.fill(0, a, b);
    this.pageKey[pageSlot] = firstKey;
    this.sharers.fill(0, a * w, b * w);
    this.ever.fill(0, a * w, b * w);
    this.invalidated.fill(0, a * w, b * w);
  }

  /** The key (see lineKey) of the line in slot `s`. */
  keyOf(s: number): number {
    return (this.pageKey[s >> LINE_SLOT_BITS] as number) + (s & (LINES_PER_PAGE - 1));
  }

  has(bits: Uint32Array, s: number, core: number): boolean {
    return ((bits[s * this.words + (core >> 5)] as number) & (1 << (core & 31))) !== 0;
  }

  setBit(bits: Uint32Array, s: number, core: number): void {
    const i = s * this.words + (core >> 5);
    bits[i] = (bits[i] as number) | (1 << (core & 31));
  }

  clearBit(bits: Uint32Array, s: number, core: number): void {
    const i = s * this.words + (core >> 5);
    bits[i] = (bits[i] as number) & ~(1 << (core & 31));
  }

  clearAll(bits: Uint32Array, s: number): void {
    const w = this.words;
    if (w === 1) bits[s] = 0;
    else bits.fill(0, s * w, s * w + w);
  }

  /** True if any core other than `core` is in the bit set. */
  anyOther(bits: Uint32Array, s: number, core: number): boolean {
    const w = this.words;
    for (let i = 0; i < w; i++) {
      let m = bits[s * w + i] as number;
      if (i === core >> 5) m &= ~(1 << (core & 31));
      if (m !== 0) return true;
    }
    return false;
  }
}

type TypedCtor<T> = new (n: number) => T;

function grow<T extends Int16Array | Int32Array | Float64Array | Uint32Array>(old: T, n: number, ctor: TypedCtor<T>): T {
  const a = new ctor(n);
  (a as unknown as { set(x: ArrayLike<number>): void }).set(old);
  return a;
}
