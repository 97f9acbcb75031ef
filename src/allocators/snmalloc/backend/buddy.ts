/**
 * The buddy allocator of snmalloc's backend (src/snmalloc/backend_helpers/buddy.h).
 *
 * Blocks are powers of two, naturally aligned, between 2^minBits (inclusive) and 2^maxBits
 * (exclusive). Each level keeps a 3-entry cache and an ordered set of free blocks; `empty_at_or_above`
 * skips empty levels. Adding a block looks for its buddy (addr XOR size) and merges recursively; a
 * merged block of 2^maxBits is returned as overflow for the parent range. Removing a block takes the
 * lowest address of the level (swapped against the cache), splitting a larger block if the level
 * is empty.
 *
 * Simplification: snmalloc's ordered set is a red-black tree (ds_core/redblacktree.h) whose nodes
 * are the same words this model uses (pagemap entries for large buddies, the free block itself for
 * the small buddy); here it is an ordered singly linked list through those words. The lines touched
 * are of the same kind; a search visits a number of nodes linear (not logarithmic) in the level's
 * population, which stays small (a handful of blocks per level) in the workloads modelled.
 *
 * State at `st` (in the owner's memory): per level `cache[3]` and the list head (32 B), then
 * `empty_at_or_above` (8 B).
 */
import type { Cpu } from '../../../machine/cpu.ts';
import { buddyBytes } from '../layout.ts';
import { hex } from '../../../sim/hex.ts';
import { Invariant } from '../../shared/invariants.ts';

/** Where a buddy keeps its node links (buddy.h's `Rep`). */
export interface BuddyRep {
  getNext(cpu: Cpu, block: number): number;
  setNext(cpu: Cpu, block: number, next: number): void;
  /** Rep::can_consolidate (reads the boundary bit of the larger block for pagemap-backed buddies). */
  canConsolidate(cpu: Cpu, block: number, size: number): boolean;
}

const LEVEL = 32;
const ROOT = 24;

export function buddyOf(addr: number, size: number): number {
  return Math.floor(addr / size) % 2 === 1 ? addr - size : addr + size;
}

export function alignDown(addr: number, size: number): number {
  return addr - (addr % size);
}

export class Buddy {
  readonly levels: number;
  readonly bytes: number;
  /**
   * buddy.h `invariant()`: every level at or above `empty_at_or_above` has an empty tree; with the
   * ordering that redblacktree.h `invariant()` checks (here: each level's list strictly ascending)
   * and buddy.h `validate_block` (every block, cached or in the tree, aligned to its level's size).
   * Checked where buddy.h calls invariant(): entering remove_block, when it finds nothing, and
   * after add_block inserts into a tree or returns an overflowing block.
   */
  readonly invariant: Invariant;

  constructor(
    readonly minBits: number,
    readonly maxBits: number,
    private readonly rep: BuddyRep,
  ) {
    this.levels = maxBits - minBits;
    this.bytes = buddyBytes(this.levels);
    this.invariant = new Invariant(`snmalloc buddy 2^${minBits}..2^${maxBits}`, (cpu, st) => this.problem(cpu, st));
  }

  /** What breaks the invariant of the buddy at `st` (null: nothing); see `invariant`. */
  private problem(cpu: Cpu, st: number): string | null {
    const eaa = cpu.load(this.eaa(st));
    if (eaa > this.levels) return `empty_at_or_above is ${eaa}, past the ${this.levels} levels`;
    for (let idx = 0; idx < this.levels; idx++) {
      const lv = st + idx * LEVEL;
      const size = 2 ** (idx + this.minBits);
      for (let i = 0; i < 3; i++) {
        const e = cpu.load(lv + i * 8);
        if (e % size !== 0) return `cache[${i}] of the ${size}-byte level holds ${hex(e)}, not aligned to the level's size`;
      }
      const root = cpu.load(lv + ROOT);
      if (idx >= eaa && root !== 0) return `the ${size}-byte level holds ${hex(root)} at or above empty_at_or_above (${eaa})`;
      for (let cur = root, prev = 0; cur !== 0; prev = cur, cur = this.rep.getNext(cpu, cur)) {
        if (cur <= prev) return `the ${size}-byte level's tree is out of order: ${hex(cur)} after ${hex(prev)}`;
        if (cur % size !== 0) return `the ${size}-byte level holds ${hex(cur)}, not aligned to the level's size`;
      }
    }
    return null;
  }

  private index(size: number): number {
    return Math.round(Math.log2(size)) - this.minBits;
  }

  private eaa(st: number): number {
    return st + this.levels * LEVEL;
  }

  // ---- the per-level ordered set (see the simplification above) ----

  private setRemoveMin(cpu: Cpu, lv: number): number {
    const root = cpu.load(lv + ROOT);
    if (root !== 0) cpu.store(lv + ROOT, this.rep.getNext(cpu, root));
    return root;
  }

  private setInsert(cpu: Cpu, lv: number, addr: number): void {
    let prev = 0;
    let cur = cpu.load(lv + ROOT);
    while (cur !== 0 && cur < addr) {
      prev = cur;
      cur = this.rep.getNext(cpu, cur);
    }
    this.rep.setNext(cpu, addr, cur);
    if (prev === 0) cpu.store(lv + ROOT, addr);
    else this.rep.setNext(cpu, prev, addr);
  }

  /** Finds `addr`; when present and `canTake(addr)` holds, unlinks it. */
  private setTake(cpu: Cpu, lv: number, addr: number, canTake: () => boolean): boolean {
    let prev = 0;
    let cur = cpu.load(lv + ROOT);
    while (cur !== 0 && cur < addr) {
      prev = cur;
      cur = this.rep.getNext(cpu, cur);
    }
    if (cur !== addr || !canTake()) return false;
    const next = this.rep.getNext(cpu, cur);
    if (prev === 0) cpu.store(lv + ROOT, next);
    else this.rep.setNext(cpu, prev, next);
    return true;
  }

  private removeBuddy(cpu: Cpu, st: number, addr: number, size: number): boolean {
    const idx = this.index(size);
    if (idx >= cpu.load(this.eaa(st))) return false;
    const lv = st + idx * LEVEL;
    const buddy = buddyOf(addr, size);
    for (let i = 0; i < 3; i++) {
      if (cpu.load(lv + i * 8) === buddy) {
        if (!this.rep.canConsolidate(cpu, addr, size)) return false;
        cpu.store(lv + i * 8, this.setRemoveMin(cpu, lv));
        return true;
      }
    }
    return this.setTake(cpu, lv, buddy, () => this.rep.canConsolidate(cpu, addr, size));
  }

  /** add_block: returns 0, or the merged 2^maxBits block that overflows this buddy. */
  addBlock(cpu: Cpu, st: number, addr: number, size: number): number {
    let a = addr;
    let s = size;
    while (this.removeBuddy(cpu, st, a, s)) {
      s *= 2;
      a = alignDown(a, s);
      if (s === 2 ** this.maxBits) {
        this.invariant.check(cpu, st);
        return a;
      }
    }
    const idx = this.index(s);
    const eaa = cpu.load(this.eaa(st));
    if (idx + 1 > eaa) cpu.store(this.eaa(st), idx + 1);
    const lv = st + idx * LEVEL;
    for (let i = 0; i < 3; i++) {
      if (cpu.load(lv + i * 8) === 0) {
        cpu.store(lv + i * 8, a);
        return 0;
      }
    }
    this.setInsert(cpu, lv, a);
    this.invariant.check(cpu, st);
    return 0;
  }

  /** remove_block: a block of `size`, splitting a larger one if needed; 0 if none. */
  removeBlock(cpu: Cpu, st: number, size: number): number {
    this.invariant.check(cpu, st);
    const idx = this.index(size);
    if (idx >= cpu.load(this.eaa(st))) return 0;
    const lv = st + idx * LEVEL;
    let addr = this.setRemoveMin(cpu, lv);
    for (let i = 0; i < 3; i++) {
      const e = cpu.load(lv + i * 8);
      if (addr === 0 || e > addr) {
        cpu.store(lv + i * 8, addr);
        addr = e;
      }
    }
    if (addr !== 0) return addr;
    if (size * 2 === 2 ** this.maxBits) return 0;
    const bigger = this.removeBlock(cpu, st, size * 2);
    if (bigger === 0) {
      cpu.store(this.eaa(st), idx);
      this.invariant.check(cpu, st);
      return 0;
    }
    this.addBlock(cpu, st, bigger + size, size);
    return bigger;
  }

  /** Free blocks held (for heap walks; read with a quiet Cpu). */
  blocks(cpu: Cpu, st: number): Array<{ addr: number; size: number }> {
    const out: Array<{ addr: number; size: number }> = [];
    for (let idx = 0; idx < this.levels; idx++) {
      const lv = st + idx * LEVEL;
      const size = 2 ** (idx + this.minBits);
      for (let i = 0; i < 3; i++) {
        const e = cpu.load(lv + i * 8);
        if (e !== 0) out.push({ addr: e, size });
      }
      for (let cur = cpu.load(lv + ROOT), n = 0; cur !== 0 && n < 1 << 20; cur = this.rep.getNext(cpu, cur), n++) {
        out.push({ addr: cur, size });
      }
    }
    return out;
  }
}
