/**
 * The xv6 allocator (Kernighan & Ritchie, "The C Programming Language" 2nd ed. §8.7, then xv6's
 * umalloc.c), as the CS3650 Challenge 2 kit ships it in xv6_malloc.c: "modified to use mmap and
 * add a mutex" — the fallback one-lock baseline of the challenge, as an allocsim model.
 *
 *   header (16 bytes = one unit):  [ next free block | size in units ]
 *
 *   circular free list, sorted by address, with a roving pointer (next fit):
 *     base(size 0) -> [blk] -> [blk] -> [blk] -> back to base
 *                             ^ freep: the search starts after the block where the last one ended
 *
 * - Sizes are counted in 16-byte units, the header included: nunits = ceil(n / 16) + 1.
 * - malloc searches from freep, next fit; it carves the request from the *high end* of the block it
 *   finds (the rest keeps its place in the list), or unlinks an exact fit.
 * - When it goes all the way round, morecore maps at least 4096 units (64 KiB) and frees them into
 *   the list. Memory is never returned to the OS.
 * - free walks to the block's place in the address-sorted ring and merges it with both neighbours.
 * - One mutex around malloc and free.
 * - The kit's xrealloc is deliberately broken ("TODO: implement a working realloc"); this model
 *   uses BaseModel's allocate-copy-free realloc so that it passes the checks.
 *
 * allocsim's contract asks for alignments up to a page: an aligned request takes `align` extra
 * bytes and returns an aligned pointer inside, with a marker header (size 0) pointing back.
 */
import {
  BaseModel,
  defineModel,
  ORIGIN_LINK,
  ORIGIN_META,
  type Cpu,
  type HeapRegion,
  type ModelDescription,
  type ModelEnv,
} from 'allocsim/kit';

const UNIT = 16; // sizeof(Header): a pointer and an unsigned int, padded to the alignment of long
const MIN_MORECORE = 4096; // units: morecore maps at least 64 KiB
const PTR = 0; // header.s.ptr: the next free block (free blocks only)
const SIZE = 8; // header.s.size: the block's size in units (4 bytes)

// The allocator's static data: the mutex, then `base` (a header of size 0 that starts the ring), then freep.
const LOCK = 0;
const BASE = 64;
const FREEP = 80;

class Xv6 extends BaseModel {
  private readonly globals: number;

  constructor(env: ModelEnv) {
    super(env);
    this.globals = env.machine.staticData(128, 'xv6.bss');
  }

  private next(cpu: Cpu, h: number): number {
    return cpu.load(h + PTR, 8, h === this.globals + BASE ? ORIGIN_META : ORIGIN_LINK);
  }

  private setNext(cpu: Cpu, h: number, v: number): void {
    cpu.store(h + PTR, v, 8, h === this.globals + BASE ? ORIGIN_META : ORIGIN_LINK);
  }

  private units(cpu: Cpu, h: number): number {
    return cpu.load(h + SIZE, 4);
  }

  malloc(cpu: Cpu, nbytes: number, align = 16): number {
    if (align > UNIT) return this.mallocAligned(cpu, nbytes, align);
    cpu.lock(this.globals + LOCK);
    const p = this.mallocLocked(cpu, nbytes);
    cpu.unlock(this.globals + LOCK);
    return p;
  }

  private mallocLocked(cpu: Cpu, nbytes: number): number {
    cpu.work(6);
    // xv6 gives malloc(0) a header-only block, whose pointer is one past its end; allocsim's
    // checker wants a byte behind every pointer, so a request of 0 is served as 1.
    const nunits = Math.floor((Math.max(nbytes, 1) + UNIT - 1) / UNIT) + 1;
    const base = this.globals + BASE;
    let prevp = cpu.load(this.globals + FREEP);
    if (prevp === 0) {
      this.setNext(cpu, base, base);
      cpu.store(base + SIZE, 0, 4);
      cpu.store(this.globals + FREEP, base);
      prevp = base;
    }
    for (let p = this.next(cpu, prevp); ; prevp = p, p = this.next(cpu, p)) {
      const size = this.units(cpu, p);
      if (size >= nunits) {
        if (size === nunits) {
          this.setNext(cpu, prevp, this.next(cpu, p));
        } else {
          cpu.store(p + SIZE, size - nunits, 4); // carve from the high end
          p += (size - nunits) * UNIT;
          cpu.store(p + SIZE, nunits, 4);
          this.counters.add('splits');
        }
        cpu.store(this.globals + FREEP, prevp);
        return p + UNIT;
      }
      if (p === cpu.load(this.globals + FREEP)) {
        p = this.morecore(cpu, nunits);
        if (p === 0) return 0;
      }
    }
  }

  /** Maps at least 64 KiB and frees it into the ring; returns freep. */
  private morecore(cpu: Cpu, nu: number): number {
    const units = Math.max(nu, MIN_MORECORE);
    const hp = cpu.mmap(units * UNIT);
    this.counters.add('morecore');
    cpu.store(hp + SIZE, units, 4);
    this.freeLocked(cpu, hp + UNIT);
    return cpu.load(this.globals + FREEP);
  }

  free(cpu: Cpu, ap: number): void {
    if (ap === 0) return;
    if (this.units(cpu, ap - UNIT) === 0) {
      // A marker header of an aligned block: free the block it was carved from.
      this.free(cpu, cpu.load(ap - UNIT + PTR));
      return;
    }
    cpu.lock(this.globals + LOCK);
    this.freeLocked(cpu, ap);
    cpu.unlock(this.globals + LOCK);
  }

  /** xfree_helper: insert at the address-sorted place, merging with the upper and lower neighbours. */
  private freeLocked(cpu: Cpu, ap: number): void {
    cpu.work(6);
    const bp = ap - UNIT;
    let p = cpu.load(this.globals + FREEP);
    for (;;) {
      const pn = this.next(cpu, p);
      if (bp > p && bp < pn) break;
      if (p >= pn && (bp > p || bp < pn)) break; // at the end of the ring
      p = pn;
    }
    const pn = this.next(cpu, p);
    const bsize = this.units(cpu, bp);
    if (bp + bsize * UNIT === pn) {
      cpu.store(bp + SIZE, bsize + this.units(cpu, pn), 4);
      this.setNext(cpu, bp, this.next(cpu, pn));
      this.counters.add('coalesces');
    } else {
      this.setNext(cpu, bp, pn);
    }
    const psize = this.units(cpu, p);
    if (p + psize * UNIT === bp) {
      cpu.store(p + SIZE, psize + this.units(cpu, bp), 4);
      this.setNext(cpu, p, this.next(cpu, bp));
      this.counters.add('coalesces');
    } else {
      this.setNext(cpu, p, bp);
    }
    cpu.store(this.globals + FREEP, p);
  }

  usableSize(cpu: Cpu, ap: number): number {
    const units = this.units(cpu, ap - UNIT);
    if (units === 0) {
      const orig = cpu.load(ap - UNIT + PTR);
      return this.usableSize(cpu, orig) - (ap - orig);
    }
    return (units - 1) * UNIT;
  }

  /** An aligned block: allocate `align` bytes more, return the aligned address inside, marked to lead back. */
  private mallocAligned(cpu: Cpu, nbytes: number, align: number): number {
    const orig = this.malloc(cpu, nbytes + align);
    if (orig === 0) return 0;
    const p = Math.ceil(orig / align) * align;
    if (p !== orig) {
      cpu.store(p - UNIT + PTR, orig);
      cpu.store(p - UNIT + SIZE, 0, 4);
    }
    return p;
  }

  heapWalk(cpu: Cpu): HeapRegion[] {
    const base = this.globals + BASE;
    const out: HeapRegion[] = [];
    if (cpu.load(this.globals + FREEP) === 0) return out;
    for (let p = cpu.load(base + PTR); p !== base; p = cpu.load(p + PTR))
      out.push({ addr: p, size: cpu.load(p + SIZE, 4) * UNIT, kind: 'free' });
    return out;
  }

  describe(): ModelDescription {
    return {
      name: 'xv6 (K&R) next fit',
      summary: 'circular address-sorted free list, next fit with a roving pointer, carving from the high end, 64 KiB morecore, one mutex',
      sizeClasses: [],
      constants: {
        unitBytes: UNIT,
        morecoreMinBytes: MIN_MORECORE * UNIT,
        search: 'next fit',
        listOrder: 'address',
        coalescing: 'immediate',
        lock: 'one global mutex',
        returnsMemory: false,
      },
      sources: ['CS3650 Spring 2020 ch02 starter xv6_malloc.c (K&R 2nd ed. §8.7 via xv6 umalloc.c)'],
    };
  }
}

export default defineModel({
  name: 'my-xv6',
  summary: 'xv6/K&R next-fit free list with one mutex (the challenge baseline)',
  create: (env) => new Xv6(env),
});
