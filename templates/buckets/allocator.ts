/**
 * A bucket allocator, as the CS3650 notes describe it ("Advanced Buckets", 18-advanced-malloc):
 * a fixed list of sizes (powers of two and the half points between them); each bucket gets whole
 * pages of objects of one size; the size and a "free" bitmap sit at the beginning of the page, so
 * free finds them by rounding the pointer down; a page that becomes entirely free is unmapped.
 *
 *   page (4096 bytes):  [ header: size | slots | next page | used | bitmap ][ obj ][ obj ][ obj ] ...
 *                       ^ page start: free rounds the pointer down to here
 *
 *   bucket 16:  head -> [page with free slots] -> [page with free slots] -> 0   (full pages leave the list)
 *
 * - Sizes 16 ... 1024 (multiples of 16, so every object stays 16-byte aligned; the notes list
 *   4, 8, 12, ... for 4-byte alignment). Bigger requests, and alignments over 16, get a mapping
 *   of their own with the same header at its start.
 * - malloc takes the first free slot of the first page on its bucket's list: O(1) in the number
 *   of blocks (a scan of a 32-byte bitmap).
 * - No coalescing is needed: a 64-byte slot is always a 64-byte slot. A page whose objects are all
 *   free is unmapped, unless it is the bucket's last page.
 * - One global lock, as the baseline; making it per bucket, per thread or per arena is the next step.
 */
import {
  BaseModel,
  defineModel,
  PAGE_SIZE,
  type Cpu,
  type HeapRegion,
  type ModelDescription,
  type ModelEnv,
  type SizeClass,
} from 'allocsim/kit';

const SIZES = [16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024];
const PAGE_HEADER = 64; // objects start here
const LARGE = 0; // the size field of a mapping of its own

// Page header fields.
const H_SIZE = 0; // object size (4 bytes), or LARGE
const H_SLOTS = 4; // objects per page (4 bytes)
const H_NEXT = 8; // next page of the bucket with a free slot; for LARGE: the mapping's start
const H_USED = 16; // objects in use (4 bytes); for LARGE: the mapping's length (8 bytes)
const H_BITMAP = 32; // 8 x 32-bit words: bit set = slot in use

// Static data: the lock on its own line, then each bucket's list head.
const LOCK = 0;
const HEADS = 64;

const slotsOf = (size: number): number => Math.floor((PAGE_SIZE - PAGE_HEADER) / size);
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

class Buckets extends BaseModel {
  private readonly globals: number;

  constructor(env: ModelEnv) {
    super(env);
    this.globals = env.machine.staticData(HEADS + 8 * SIZES.length, 'buckets.bss');
  }

  /** The page header of a block: the page its pointer falls in (payloads never start a page). */
  private static pageOf(ptr: number): number {
    return Math.floor((ptr - 1) / PAGE_SIZE) * PAGE_SIZE;
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    cpu.work(4);
    const bucket = SIZES.findIndex((s) => s >= Math.max(size, 1));
    if (bucket < 0 || align > 16) return this.mallocLarge(cpu, size, align);
    cpu.lock(this.globals + LOCK);
    const head = this.globals + HEADS + 8 * bucket;
    let page = cpu.load(head);
    if (page === 0) {
      page = this.newPage(cpu, SIZES[bucket] as number);
      cpu.store(head, page);
    }
    const slot = this.takeSlot(cpu, page);
    const used = cpu.load(page + H_USED, 4) + 1;
    cpu.store(page + H_USED, used, 4);
    if (used === cpu.load(page + H_SLOTS, 4)) cpu.store(head, cpu.load(page + H_NEXT)); // full: off the list
    cpu.unlock(this.globals + LOCK);
    return page + PAGE_HEADER + slot * cpu.load(page + H_SIZE, 4);
  }

  /** Finds a clear bit in the page's bitmap, sets it and returns its slot number. */
  private takeSlot(cpu: Cpu, page: number): number {
    const slots = cpu.load(page + H_SLOTS, 4);
    for (let w = 0; w * 32 < slots; w++) {
      const word = cpu.load(page + H_BITMAP + 4 * w, 4);
      if (word === 0xffffffff) continue;
      const bit = 31 - Math.clz32(~word & (word + 1)); // lowest clear bit
      const slot = w * 32 + bit;
      if (slot >= slots) break;
      cpu.store(page + H_BITMAP + 4 * w, (word | (1 << bit)) >>> 0, 4);
      return slot;
    }
    throw new Error('a page on a bucket list has no free slot');
  }

  private newPage(cpu: Cpu, size: number): number {
    const page = cpu.mmap(PAGE_SIZE);
    this.counters.add('pagesMapped');
    cpu.store(page + H_SIZE, size, 4);
    cpu.store(page + H_SLOTS, slotsOf(size), 4);
    cpu.store(page + H_NEXT, 0);
    return page;
  }

  free(cpu: Cpu, ptr: number): void {
    cpu.work(4);
    if (ptr === 0) return;
    const page = Buckets.pageOf(ptr);
    const size = cpu.load(page + H_SIZE, 4);
    if (size === LARGE) {
      cpu.munmap(cpu.load(page + H_NEXT), cpu.load(page + H_USED));
      this.counters.add('largeUnmapped');
      return;
    }
    cpu.lock(this.globals + LOCK);
    const slot = (ptr - page - PAGE_HEADER) / size;
    const w = page + H_BITMAP + 4 * Math.floor(slot / 32);
    cpu.store(w, (cpu.load(w, 4) & ~(1 << (slot % 32))) >>> 0, 4);
    const slots = cpu.load(page + H_SLOTS, 4);
    const used = cpu.load(page + H_USED, 4) - 1;
    cpu.store(page + H_USED, used, 4);
    const head = this.globals + HEADS + 8 * SIZES.indexOf(size);
    if (used === slots - 1) {
      // It was full: back on its bucket's list.
      cpu.store(page + H_NEXT, cpu.load(head));
      cpu.store(head, page);
    } else if (used === 0) {
      this.releaseIfSpare(cpu, head, page);
    }
    cpu.unlock(this.globals + LOCK);
  }

  /** Unmaps an entirely free page, unless it is the bucket's only page. */
  private releaseIfSpare(cpu: Cpu, head: number, page: number): void {
    let link = head;
    let cur = cpu.load(head);
    while (cur !== page) {
      link = cur + H_NEXT;
      cur = cpu.load(link);
    }
    const next = cpu.load(page + H_NEXT);
    if (link === head && next === 0) return; // the last page of this bucket stays
    cpu.store(link, next);
    cpu.munmap(page, PAGE_SIZE);
    this.counters.add('pagesUnmapped');
  }

  /** A mapping of its own, the payload at max(64, align); the header in the page the payload starts in. */
  private mallocLarge(cpu: Cpu, size: number, align: number): number {
    const offset = Math.max(PAGE_HEADER, align);
    const len = roundUp(offset + Math.max(size, 1), PAGE_SIZE);
    const base = cpu.mmap(len, align > PAGE_SIZE ? { align } : undefined);
    const ptr = base + offset;
    const header = Buckets.pageOf(ptr);
    cpu.store(header + H_SIZE, LARGE, 4);
    cpu.store(header + H_NEXT, base);
    cpu.store(header + H_USED, len);
    this.counters.add('largeMapped');
    return ptr;
  }

  usableSize(cpu: Cpu, ptr: number): number {
    const page = Buckets.pageOf(ptr);
    const size = cpu.load(page + H_SIZE, 4);
    if (size !== LARGE) return size;
    return cpu.load(page + H_NEXT) + cpu.load(page + H_USED) - ptr;
  }

  heapWalk(cpu: Cpu): HeapRegion[] {
    const out: HeapRegion[] = [];
    SIZES.forEach((size, b) => {
      for (let page = cpu.load(this.globals + HEADS + 8 * b); page !== 0; page = cpu.load(page + H_NEXT)) {
        out.push({ addr: page, size: PAGE_HEADER, kind: 'metadata' });
        for (let s = 0; s < slotsOf(size); s++) {
          const word = cpu.load(page + H_BITMAP + 4 * Math.floor(s / 32), 4);
          if ((word & (1 << (s % 32))) === 0) out.push({ addr: page + PAGE_HEADER + s * size, size, kind: 'free' });
        }
      }
    });
    return out;
  }

  describe(): ModelDescription {
    const sizeClasses: SizeClass[] = SIZES.map((size, index) => ({ index, size, slotsPerPage: slotsOf(size) }));
    return {
      name: 'buckets',
      summary: 'a page per size class, header and bitmap at the page start, empty pages unmapped, one lock',
      sizeClasses,
      constants: {
        pageBytes: PAGE_SIZE,
        pageHeaderBytes: PAGE_HEADER,
        largestBucket: SIZES[SIZES.length - 1] as number,
        coalescing: 'none',
        lock: 'one global mutex',
      },
      sources: [
        'CS3650 notes 18-advanced-malloc "Advanced Buckets" (NatTuck/khoury-ntuck courses/2020/01/cs3650/notes/18-advanced-malloc/notes.md)',
      ],
    };
  }
}

export default defineModel({
  name: 'my-buckets',
  summary: 'size-class buckets with a page header and bitmap (the course notes)',
  create: (env) => new Buckets(env),
});
