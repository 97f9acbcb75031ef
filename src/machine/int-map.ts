/**
 * A hash map from non-negative integer keys (below 2^53) to dense slot numbers, on typed arrays.
 *
 * The page table (page number -> page slot) and the coherence directory (line number -> line slot)
 * are looked up on every cache miss; a JS Map with large non-Smi keys costs a heap number per key.
 * This map uses open addressing with linear probing and backward-shift deletion, so lookups
 * allocate nothing. Slots are handed out densely and recycled after deletion; callers keep their
 * per-entry data in typed arrays indexed by slot.
 */
const EMPTY = -1;

export class IntMap {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private count = 0;
  private nextSlot = 0;
  private readonly freeSlots: number[] = [];

  constructor(capacityPow2 = 1024) {
    this.keys = new Float64Array(capacityPow2).fill(EMPTY);
    this.vals = new Int32Array(capacityPow2);
    this.mask = capacityPow2 - 1;
  }

  get size(): number {
    return this.count;
  }

  private static hash(key: number): number {
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
    h ^= h >>> 15;
    return h;
  }

  /** The slot of `key`, or -1. */
  get(key: number): number {
    const keys = this.keys;
    let i = IntMap.hash(key) & this.mask;
    for (;;) {
      const k = keys[i] as number;
      if (k === key) return this.vals[i] as number;
      if (k === EMPTY) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** The slot of `key`, inserting it with a fresh slot if absent. `created` tells which happened. */
  getOrInsert(key: number): number {
    const keys = this.keys;
    let i = IntMap.hash(key) & this.mask;
    for (;;) {
      const k = keys[i] as number;
      if (k === key) {
        this.created = false;
        return this.vals[i] as number;
      }
      if (k === EMPTY) break;
      i = (i + 1) & this.mask;
    }
    const slot = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.nextSlot++;
    keys[i] = key;
    this.vals[i] = slot;
    this.created = true;
    if (++this.count * 2 > this.keys.length) this.grow();
    return slot;
  }

  /** Set by getOrInsert: whether the last call created the entry. */
  created = false;

  /** Removes `key`; returns its slot (now free for reuse) or -1. */
  delete(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let i = IntMap.hash(key) & mask;
    for (;;) {
      const k = keys[i] as number;
      if (k === EMPTY) return -1;
      if (k === key) break;
      i = (i + 1) & mask;
    }
    const slot = this.vals[i] as number;
    // Backward-shift deletion keeps probe chains intact without tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const kj = keys[j] as number;
      if (kj === EMPTY) break;
      const home = IntMap.hash(kj) & mask;
      // Move entry j into hole i if its home is not cyclically in (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        keys[i] = kj;
        this.vals[i] = this.vals[j] as number;
        i = j;
      }
    }
    keys[i] = EMPTY;
    this.count--;
    this.freeSlots.push(slot);
    return slot;
  }

  /** Calls fn(key, slot) for every entry (order unspecified; do not mutate during iteration). */
  forEach(fn: (key: number, slot: number) => void): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      if (k !== EMPTY) fn(k, this.vals[i] as number);
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = oldKeys.length * 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i] as number;
      if (k === EMPTY) continue;
      let j = IntMap.hash(k) & this.mask;
      while (this.keys[j] !== EMPTY) j = (j + 1) & this.mask;
      this.keys[j] = k;
      this.vals[j] = oldVals[i] as number;
    }
  }
}
