/**
 * The allocation paths of snmalloc's Allocator (src/snmalloc/mem/corealloc.h, mem/metadata.h).
 *
 *   alloc(size)
 *     small_alloc: class from the lookup table; take from the class's fast free list (fast path)
 *       empty -> handle_message_queue (inbox.ts), then small_refill:
 *         an available slab: pop it, close its free queue into the fast list, set it sleeping
 *         none -> small_refill_slow: check_init (first use: threadalloc.ts), a new slab from the
 *                 backend, alloc_new_list threads a free list through every object
 *     alloc_not_small (> 64 KiB, or 0): handle_message_queue, then a naturally aligned chunk with its
 *       own metadata, put in `laden`
 *
 * `a` is the address of the Allocator in simulated memory (threadalloc.ts finds it through TLS).
 */
import { ORIGIN_APP } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { MAX_SMALL_SIZE, nextPow2Bits } from './config.ts';
import type { Ctx } from './context.ts';
import { nextBit, refreshBits, sample } from './entropy.ts';
import { handleMessageQueue } from './inbox.ts';
import { AC_LENGTH, AC_UNUSED, ALLOC_CLASS_BYTES, keyTweak } from './layout.ts';
import { seqInsert, seqPop } from './seqset.ts';
import { fullLarge, fullSmall } from './sizeclasstable.ts';
import { checkInitSlow, isDefault } from './threadalloc.ts';

export function fastList(S: Ctx, a: number, sc: number): number {
  return a + S.L.fastLists + sc * S.L.iter.bytes;
}

export function allocClass(S: Ctx, a: number, sc: number): number {
  return a + S.L.allocClasses + sc * ALLOC_CLASS_BYTES;
}

/** Allocator::alloc, with DefaultConts success (zeroing round_size bytes for calloc). */
export function alloc(S: Ctx, cpu: Cpu, a: number, size: number, zero: boolean): number {
  cpu.path(S.P.allocFast);
  const p = size >= 1 && size <= MAX_SMALL_SIZE ? smallAlloc(S, cpu, a, size) : allocNotSmall(S, cpu, a, size);
  if (p !== 0 && zero) cpu.fill(p, S.table.roundSize(size), 0, ORIGIN_APP);
  return p;
}

/** small_alloc: the fast path, or the message queue and a refill when the class's list is empty. */
function smallAlloc(S: Ctx, cpu: Cpu, a: number, size: number): number {
  cpu.work(4);
  const sc = cpu.load(S.table.lookupAddr(size), 1);
  const it = fastList(S, a, sc);
  if (!S.fl.iterEmpty(cpu, it, S.L.iter)) return S.fl.iterTake(cpu, it, S.L.iter, S.statics.keyRoot, S.cfg.mit.clearMeta);
  cpu.path(S.P.allocRefill);
  handleMessageQueue(S, cpu, a);
  cpu.path(S.P.allocRefill);
  return smallRefill(S, cpu, a, sc, size);
}

/** metadata.h set_sleeping: a slab with fewer free objects than the waking threshold sleeps. */
export function setSleeping(S: Ctx, cpu: Cpu, meta: number, sc: number, remaining: number): boolean {
  const slow = S.table.slowAddr(fullSmall(sc));
  const threshold = cpu.load(slow + 2, 2);
  if (remaining >= threshold) {
    cpu.store(meta + S.M.needed, cpu.load(slow, 2) - remaining, 2);
    cpu.store(meta + S.M.sleeping, 0, 1);
    return false;
  }
  cpu.store(meta + S.M.sleeping, 1, 1);
  cpu.store(meta + S.M.needed, threshold - remaining, 2);
  return true;
}

/**
 * FrontendSlabMetadata::alloc_free_list: close the slab's free queue, hand the first object out and
 * make the rest the class's fast free list; the slab sleeps unless enough objects remain queued.
 */
function allocFreeList(S: Ctx, cpu: Cpu, a: number, meta: number, sc: number): { p: number; active: boolean } {
  const tweak = keyTweak(meta);
  const { head, prev, remaining } = S.fl.builderClose(cpu, meta + S.M.freeQueue, S.M.fq, S.statics.keyRoot, tweak);
  const it = fastList(S, a, sc);
  S.fl.iterSet(cpu, it, S.L.iter, head, prev, tweak);
  const p = S.fl.iterTake(cpu, it, S.L.iter, S.statics.keyRoot, S.cfg.mit.clearMeta);
  if (S.cfg.mit.randomPreserve) refreshBits(cpu, a + S.L.entropy);
  const sleeping = setSleeping(S, cpu, meta, sc, remaining);
  if (sleeping) S.counters.add('slabs.slept');
  return { p, active: !sleeping };
}

/** small_refill: reuse an available slab of the class, or open a new one. */
function smallRefill(S: Ctx, cpu: Cpu, a: number, sc: number, size: number): number {
  const ac = allocClass(S, a, sc);
  const length = cpu.load(ac + AC_LENGTH, 2);
  if (length > 0) {
    if (S.cfg.mit.randomExtraSlab && length === 1 && nextBit(cpu, a + S.L.entropy) === 0) {
      return smallRefillSlow(S, cpu, a, sc, size);
    }
    S.counters.add('slabs.reused');
    const meta = seqPop(cpu, ac, !S.cfg.mit.reuseLifo);
    cpu.store(ac + AC_LENGTH, length - 1, 2);
    if (cpu.load(meta + S.M.needed, 2) === 0) cpu.store(ac + AC_UNUSED, cpu.load(ac + AC_UNUSED, 2) - 1, 2);
    const { p, active } = allocFreeList(S, cpu, a, meta, sc);
    placeSlab(S, cpu, a, sc, meta, active);
    return p;
  }
  return smallRefillSlow(S, cpu, a, sc, size);
}

/** small_refill_slow: check_init, a new slab from the backend, its free list built. */
function smallRefillSlow(S: Ctx, cpu: Cpu, a: number, sc: number, size: number): number {
  if (isDefault(S, a)) return smallAlloc(S, cpu, checkInitSlow(S, cpu), size);
  cpu.path(S.P.backend);
  const rsize = S.table.sizes[sc] as number;
  const slabSize = S.table.slabSize(sc);
  const { chunk, meta } = S.backend.allocChunk(cpu, S.localState(a), slabSize, S.remoteOf(a) + fullSmall(sc));
  cpu.path(S.P.allocNewSlab);
  if (chunk === 0) return 0;
  S.counters.add('slabs.opened');
  // FrontendSlabMetadata::initialise: an empty queue, sleeping with needed = threshold, not large.
  S.fl.builderInit(cpu, meta + S.M.freeQueue, S.M.fq, chunk, S.statics.keyRoot, keyTweak(meta));
  setSleeping(S, cpu, meta, sc, 0);
  cpu.store(meta + S.M.large, 0, 1);
  allocNewList(S, cpu, a, chunk, meta, rsize, slabSize);
  const { p, active } = allocFreeList(S, cpu, a, meta, sc);
  placeSlab(S, cpu, a, sc, meta, active);
  return p;
}

/** After alloc_free_list: a still-active slab joins `available` (length++), a sleeping one `laden`. */
function placeSlab(S: Ctx, cpu: Cpu, a: number, sc: number, meta: number, active: boolean): void {
  if (!active) {
    seqInsert(cpu, a + S.L.laden, meta);
    return;
  }
  const ac = allocClass(S, a, sc);
  cpu.store(ac + AC_LENGTH, cpu.load(ac + AC_LENGTH, 2) + 1, 2);
  seqInsert(cpu, ac, meta);
}

/**
 * alloc_new_list: a free node in every object, in address order (fast builds) or in the order of a
 * random cyclic permutation built by Sattolo's algorithm (random_initial), each appended to the
 * slab's free queue.
 */
function allocNewList(S: Ctx, cpu: Cpu, a: number, chunk: number, meta: number, rsize: number, slabSize: number): void {
  const slabEnd = chunk + slabSize + 1 - rsize;
  const fq = meta + S.M.freeQueue;
  const tweak = keyTweak(meta);
  const key = S.statics.keyRoot;
  const ent = a + S.L.entropy;
  const add = (p: number): void => {
    S.fl.initNode(cpu, p);
    S.fl.builderAdd(cpu, fq, S.M.fq, p, key, tweak, S.M.fq.queues === 2 ? nextBit(cpu, ent) : 0);
  };
  if (!S.cfg.mit.randomInitial) {
    for (let p = chunk; p < slabEnd; p += rsize) add(p);
    return;
  }
  cpu.store(chunk, chunk);
  let count = 1;
  for (let curr = chunk + rsize; curr < slabEnd; curr += rsize) {
    const at = chunk + sample(cpu, ent, count) * rsize;
    cpu.store(curr, cpu.load(at));
    cpu.store(at, curr);
    count++;
  }
  const start = cpu.load(chunk + sample(cpu, ent, count) * rsize);
  let curr = start;
  do {
    const next = cpu.load(curr);
    add(curr);
    curr = next;
  } while (curr !== start);
}

/** alloc_not_small: large objects (and size 0, served as a 1-byte request). */
function allocNotSmall(S: Ctx, cpu: Cpu, a: number, size: number): number {
  if (size === 0) return smallAlloc(S, cpu, a, 1);
  cpu.path(S.P.allocLarge);
  handleMessageQueue(S, cpu, a);
  cpu.path(S.P.allocLarge);
  if (isDefault(S, a)) return allocNotSmall(S, cpu, checkInitSlow(S, cpu), size);
  if (size > 2 ** 47) return 0;
  const bits = nextPow2Bits(size);
  cpu.path(S.P.backend);
  const { chunk, meta } = S.backend.allocChunk(cpu, S.localState(a), 2 ** bits, S.remoteOf(a) + fullLarge(bits));
  cpu.path(S.P.allocLarge);
  if (chunk === 0) return 0;
  S.counters.add('largeAllocs');
  // initialise_large: an empty queue to push to, large_, needed = 1 so the free takes the slow path.
  S.fl.builderInit(cpu, meta + S.M.freeQueue, S.M.fq, chunk, S.statics.keyRoot, keyTweak(meta));
  cpu.store(meta + S.M.large, 1, 1);
  cpu.store(meta + S.M.needed, 1, 2);
  seqInsert(cpu, a + S.L.laden, meta);
  return chunk;
}
