/**
 * The free-space allocator of OSTEP's homework simulator vm-freespace/malloc.py
 * (github:remzi-arpacidusseau/ostep-homework), reproduced operation for operation so that
 * `allocsim ostep-freespace` prints what malloc.py prints.
 *
 * One fixed heap of `size` bytes at `base`; the free list is a list of (addr, size) pairs. A request
 * is rounded up to the alignment *before* the header is added. BEST and WORST scan the whole list;
 * FIRST stops at the first fit; every element looked at counts as "searched". The chosen block is
 * split at its low end and the remainder keeps its list slot. A free puts the block back according
 * to the list order and then, with coalescing, merges list neighbours whose addresses touch (only
 * fully effective under ADDRSORT, as in malloc.py). A failed request returns -1.
 */

export const POLICIES = ['BEST', 'WORST', 'FIRST'] as const;
export const ORDERS = ['ADDRSORT', 'SIZESORT+', 'SIZESORT-', 'INSERT-FRONT', 'INSERT-BACK'] as const;
export type Policy = (typeof POLICIES)[number];
export type ListOrder = (typeof ORDERS)[number];

export interface FreeBlock {
  addr: number;
  size: number;
}

export interface FreeSpaceConfig {
  size: number;
  base: number;
  headerSize: number;
  policy: Policy;
  order: ListOrder;
  coalesce: boolean;
  /** -1 for none. */
  align: number;
}

/** What one allocation did, beyond its result: for the picture and the cost summary. */
export interface AllocDetail {
  /** Bytes asked for. */
  requested: number;
  /** Bytes added by rounding to the alignment (before the header). */
  padding: number;
  /** Whether a free block was split (false for a perfect fit or a failure). */
  split: boolean;
}

export class FreeSpace {
  freelist: FreeBlock[];
  /** Allocated block address -> block size (header included), as malloc.py's sizemap. */
  readonly sizemap = new Map<number, number>();
  /** Requested size and padding of each allocated block (for pictures; not in malloc.py). */
  readonly details = new Map<number, AllocDetail>();
  /** Number of merges done by the last free (0 without coalescing). */
  lastMerges = 0;

  constructor(readonly cfg: FreeSpaceConfig) {
    this.freelist = [{ addr: cfg.base, size: cfg.size }];
  }

  /** malloc.py `malloc`: returns [address or -1, elements searched]. */
  malloc(request: number): [number, number] {
    let size = request;
    let padding = 0;
    if (this.cfg.align !== -1) {
      // Python's % takes the sign of the divisor; requests here are the numbers malloc.py computes.
      const left = pyMod(size, this.cfg.align);
      padding = left !== 0 ? this.cfg.align - left : 0;
      size += padding;
    }
    size += this.cfg.headerSize;
    const policy = this.cfg.policy;
    let bestIdx = -1;
    let bestSize = policy === 'BEST' ? this.cfg.size + 1 : -1;
    let bestAddr = 0;
    let count = 0;
    for (let i = 0; i < this.freelist.length; i++) {
      const e = this.freelist[i] as FreeBlock;
      count += 1;
      if (e.size >= size && ((policy === 'BEST' && e.size < bestSize) || (policy === 'WORST' && e.size > bestSize) || policy === 'FIRST')) {
        bestAddr = e.addr;
        bestSize = e.size;
        bestIdx = i;
        if (policy === 'FIRST') break;
      }
    }
    if (bestIdx === -1) return [-1, count];
    if (bestSize > size) this.freelist[bestIdx] = { addr: bestAddr + size, size: bestSize - size };
    else this.freelist.splice(bestIdx, 1);
    this.sizemap.set(bestAddr, size);
    this.details.set(bestAddr, { requested: request, padding, split: bestSize > size });
    return [bestAddr, count];
  }

  /** malloc.py `free`: 0, or -1 for an address that is not allocated. */
  free(addr: number): number {
    const size = this.sizemap.get(addr);
    this.lastMerges = 0;
    if (size === undefined) return -1;
    const block = { addr, size };
    switch (this.cfg.order) {
      case 'INSERT-BACK':
        this.freelist.push(block);
        break;
      case 'INSERT-FRONT':
        this.freelist.unshift(block);
        break;
      case 'ADDRSORT':
        this.freelist.push(block);
        this.freelist = stableSort(this.freelist, (a, b) => a.addr - b.addr);
        break;
      case 'SIZESORT+':
        this.freelist.push(block);
        this.freelist = stableSort(this.freelist, (a, b) => a.size - b.size);
        break;
      case 'SIZESORT-':
        this.freelist.push(block);
        // Python's sorted(reverse=True) keeps equal elements in their original order, as here.
        this.freelist = stableSort(this.freelist, (a, b) => b.size - a.size);
        break;
    }
    if (this.cfg.coalesce) this.coalesceList();
    this.sizemap.delete(addr);
    this.details.delete(addr);
    return 0;
  }

  /** malloc.py's "ridiculous full-list coalesce": merge list neighbours whose addresses touch. */
  private coalesceList(): void {
    const out: FreeBlock[] = [];
    let curr = this.freelist[0] as FreeBlock;
    for (let i = 1; i < this.freelist.length; i++) {
      const e = this.freelist[i] as FreeBlock;
      if (e.addr === curr.addr + curr.size) {
        curr = { addr: curr.addr, size: curr.size + e.size };
        this.lastMerges++;
      } else {
        out.push(curr);
        curr = e;
      }
    }
    out.push(curr);
    this.freelist = out;
  }

  /** malloc.py `dump`. */
  dump(): string {
    return `Free List [ Size ${this.freelist.length} ]: ${this.freelist.map((e) => `[ addr:${e.addr} sz:${e.size} ]`).join('')}`;
  }
}

function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** Python's sorted() is stable; so is Array.prototype.sort (ES2019). */
function stableSort<T>(xs: readonly T[], cmp: (a: T, b: T) => number): T[] {
  return [...xs].sort(cmp);
}
