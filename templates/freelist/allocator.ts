/**
 * A first-fit free-list allocator with a header, made thread-safe with one lock: the course's first
 * assignment (CS3650 HW08 "Husky Malloc", hw07.txt in the course kit) as an allocsim model.
 *
 *   allocated block:  [ size | tag ][ payload ..................... ]
 *                     ^ block       ^ pointer returned (block + 16)
 *   free block:       [ size | next ][ (unused) ................... ]
 *
 *   free list (sorted by address):  head -> [blk] -> [blk] -> [blk] -> 0
 *
 * - A request of `size` bytes needs a block of size + 16 (the header), rounded up to 16 so every
 *   payload stays 16-byte aligned. HW08 uses an 8-byte size_t header; allocsim's contract asks for
 *   16-byte alignment, so this header is 16 bytes.
 * - Blocks under a page: first fit on the address-sorted free list; if nothing fits, map one more
 *   4096-byte page and put it on the list. A block is split when the rest can still be a free block.
 * - Free inserts the block at its sorted position and coalesces it with the neighbours it touches.
 *   Small memory is never returned to the OS.
 * - Blocks of a page or more: their own mapping (mmap), returned with munmap on free.
 * - One global lock around the free list ("exactly one mutex", as the challenge's baseline).
 *
 * All the allocator's state is in simulated memory: the lock word and the list head in its static
 * data, the headers and links inside the blocks. Read and write them with cpu.load / cpu.store.
 */
import {
  BaseModel,
  defineModel,
  ORIGIN_LINK,
  ORIGIN_META,
  PAGE_SIZE,
  type Cpu,
  type HeapRegion,
  type ModelDescription,
  type ModelEnv,
} from 'allocsim/kit';

const HEADER = 16; // bytes before each payload: the block's size, then a tag (allocated) or the next link (free)
const MIN_BLOCK = 32; // smallest block: a header plus 16 bytes of payload
const MAPPED = 1; // low bit of the size word: the block has its own mapping

// Offsets in the allocator's static data. The lock gets a cache line of its own.
const LOCK = 0;
const HEAD = 64;

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

class FirstFit extends BaseModel {
  private readonly globals: number;

  constructor(env: ModelEnv) {
    super(env);
    this.globals = env.machine.staticData(128, 'allocator.bss');
  }

  malloc(cpu: Cpu, size: number, align = 16): number {
    cpu.work(4);
    this.counters.add('allocs');
    const need = Math.max(MIN_BLOCK, roundUp(size + HEADER, 16));
    if (align > 16 || need >= PAGE_SIZE) return this.mallocMapped(cpu, size, align);
    cpu.lock(this.globals + LOCK);
    let block = this.takeFirstFit(cpu, need);
    if (block === 0) {
      this.addPage(cpu);
      block = this.takeFirstFit(cpu, need);
    }
    cpu.unlock(this.globals + LOCK);
    return block + HEADER;
  }

  free(cpu: Cpu, ptr: number): void {
    cpu.work(4);
    if (ptr === 0) return;
    this.counters.add('frees');
    const block = ptr - HEADER;
    const size = cpu.load(block);
    if ((size & MAPPED) !== 0) {
      const offset = cpu.load(ptr - 8);
      cpu.munmap(ptr - offset, size - MAPPED);
      this.counters.add('unmapped', (size - MAPPED) / PAGE_SIZE);
      return;
    }
    cpu.lock(this.globals + LOCK);
    this.insertFree(cpu, block, size);
    cpu.unlock(this.globals + LOCK);
  }

  usableSize(cpu: Cpu, ptr: number): number {
    const size = cpu.load(ptr - HEADER);
    if ((size & MAPPED) !== 0) return size - MAPPED - cpu.load(ptr - 8);
    return size - HEADER;
  }

  /** Removes the first free block of at least `need` bytes from the list (splitting it) and returns it, or 0. */
  private takeFirstFit(cpu: Cpu, need: number): number {
    let link = this.globals + HEAD; // the word that points at `cur`
    let cur = cpu.load(link);
    while (cur !== 0) {
      const size = cpu.load(cur);
      const next = cpu.load(cur + 8, 8, ORIGIN_LINK);
      if (size >= need) {
        if (size - need >= MIN_BLOCK) {
          // Split: keep the front, the rest stays on the list in the same place.
          const rest = cur + need;
          cpu.store(rest, size - need);
          cpu.store(rest + 8, next, 8, ORIGIN_LINK);
          this.setLink(cpu, link, rest);
          cpu.store(cur, need);
          this.counters.add('splits');
        } else {
          this.setLink(cpu, link, next);
        }
        return cur;
      }
      link = cur + 8;
      cur = next;
    }
    return 0;
  }

  /** Puts a block on the address-sorted free list, merging it with the free blocks it touches. */
  private insertFree(cpu: Cpu, block: number, size: number): void {
    let prev = 0;
    let link = this.globals + HEAD;
    let cur = cpu.load(link);
    while (cur !== 0 && cur < block) {
      prev = cur;
      link = cur + 8;
      cur = cpu.load(cur + 8, 8, ORIGIN_LINK);
    }
    let merged = size;
    let next = cur;
    if (cur !== 0 && block + size === cur) {
      merged += cpu.load(cur);
      next = cpu.load(cur + 8, 8, ORIGIN_LINK);
      this.counters.add('coalesces');
    }
    if (prev !== 0 && prev + cpu.load(prev) === block) {
      cpu.store(prev, cpu.load(prev) + merged);
      cpu.store(prev + 8, next, 8, ORIGIN_LINK);
      this.counters.add('coalesces');
      return;
    }
    cpu.store(block, merged);
    cpu.store(block + 8, next, 8, ORIGIN_LINK);
    this.setLink(cpu, link, block);
  }

  /** Writes a list link: the head is the allocator's metadata, the others live inside free blocks. */
  private setLink(cpu: Cpu, link: number, value: number): void {
    cpu.store(link, value, 8, link === this.globals + HEAD ? ORIGIN_META : ORIGIN_LINK);
  }

  /** Maps one more page for small blocks and frees it onto the list. */
  private addPage(cpu: Cpu): void {
    const page = cpu.mmap(PAGE_SIZE);
    this.counters.add('mapped');
    this.insertFree(cpu, page, PAGE_SIZE);
  }

  /** A block with its own mapping: big requests, and alignments over 16 (the payload sits `align` bytes in). */
  private mallocMapped(cpu: Cpu, size: number, align: number): number {
    const offset = Math.max(HEADER, align);
    const len = roundUp(offset + Math.max(size, 1), PAGE_SIZE);
    const base = cpu.mmap(len, align > PAGE_SIZE ? { align } : undefined);
    const ptr = base + offset;
    cpu.store(ptr - HEADER, len + MAPPED);
    cpu.store(ptr - 8, offset);
    this.counters.add('mapped', len / PAGE_SIZE);
    return ptr;
  }

  /** The free list, for `allocsim check` (lost objects), `run --steps` and `--heapmap`. */
  heapWalk(cpu: Cpu): HeapRegion[] {
    const out: HeapRegion[] = [];
    for (let cur = cpu.load(this.globals + HEAD); cur !== 0; cur = cpu.load(cur + 8)) {
      out.push({ addr: cur, size: cpu.load(cur), kind: 'free' });
    }
    return out;
  }

  describe(): ModelDescription {
    return {
      name: 'first-fit free list',
      summary: 'first fit on an address-sorted free list with a 16-byte header, splitting and coalescing, one lock',
      sizeClasses: [],
      constants: {
        headerBytes: HEADER,
        minBlockBytes: MIN_BLOCK,
        pageBytes: PAGE_SIZE,
        search: 'first fit',
        listOrder: 'address',
        coalescing: 'immediate',
        lock: 'one global mutex',
      },
      sources: ['CS3650 HW08 hw07.txt (NatTuck/khoury-ntuck courses/2018/09/cs3650/draft-hw/hw07/)'],
    };
  }
}

export default defineModel({
  name: 'my-freelist',
  summary: 'first-fit free list with a header, coalescing, one lock (the first assignment)',
  create: (env) => new FirstFit(env),
});
