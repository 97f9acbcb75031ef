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

export function fastList(ctx: Ctx, a: number, sc: number): number {
  return a + ctx.layout.fastLists + sc * ctx.layout.iter.bytes;
}

export function allocClass(ctx: Ctx, a: number, sc: number): number {
  return a + ctx.layout.allocClasses + sc * ALLOC_CLASS_BYTES;
}

/** Allocator::alloc, with DefaultConts success (zeroing round_size bytes for calloc). */
export function alloc(ctx: Ctx, cpu: Cpu, a: number, size: number, zero: boolean): number {
  cpu.path(ctx.paths.allocFast);
  const p = size >= 1 && size <= MAX_SMALL_SIZE ? smallAlloc(ctx, cpu, a, size) : allocNotSmall(ctx, cpu, a, size);
  if (p !== 0 && zero) cpu.fill(p, ctx.table.roundSize(size), 0, ORIGIN_APP);
  return p;
}

/** small_alloc: the fast path, or the message queue and a refill when the class's list is empty. */
function smallAlloc(ctx: Ctx, cpu: Cpu, a: number, size: number): number {
  cpu.work(4);
  const sc = cpu.load(ctx.table.lookupAddr(size), 1);
  const it = fastList(ctx, a, sc);
  if (!ctx.freeList.iterEmpty(cpu, it, ctx.layout.iter))
    return ctx.freeList.iterTake(cpu, it, ctx.layout.iter, ctx.statics.keyRoot, ctx.cfg.mit.clearMeta);
  cpu.path(ctx.paths.allocRefill);
  handleMessageQueue(ctx, cpu, a);
  cpu.path(ctx.paths.allocRefill);
  return smallRefill(ctx, cpu, a, sc, size);
}

/** metadata.h set_sleeping: a slab with fewer free objects than the waking threshold sleeps. */
export function setSleeping(ctx: Ctx, cpu: Cpu, meta: number, sc: number, remaining: number): boolean {
  const slow = ctx.table.slowAddr(fullSmall(sc));
  const threshold = cpu.load(slow + 2, 2);
  if (remaining >= threshold) {
    cpu.store(meta + ctx.metaLayout.needed, cpu.load(slow, 2) - remaining, 2);
    cpu.store(meta + ctx.metaLayout.sleeping, 0, 1);
    return false;
  }
  cpu.store(meta + ctx.metaLayout.sleeping, 1, 1);
  cpu.store(meta + ctx.metaLayout.needed, threshold - remaining, 2);
  return true;
}

/**
 * FrontendSlabMetadata::alloc_free_list: close the slab's free queue, hand the first object out and
 * make the rest the class's fast free list; the slab sleeps unless enough objects remain queued.
 */
function allocFreeList(ctx: Ctx, cpu: Cpu, a: number, meta: number, sc: number): { p: number; active: boolean } {
  const tweak = keyTweak(meta);
  const { head, prev, remaining } = ctx.freeList.builderClose(
    cpu,
    meta + ctx.metaLayout.freeQueue,
    ctx.metaLayout.fq,
    ctx.statics.keyRoot,
    tweak,
  );
  const it = fastList(ctx, a, sc);
  ctx.freeList.iterSet(cpu, it, ctx.layout.iter, head, prev, tweak);
  const p = ctx.freeList.iterTake(cpu, it, ctx.layout.iter, ctx.statics.keyRoot, ctx.cfg.mit.clearMeta);
  if (ctx.cfg.mit.randomPreserve) refreshBits(cpu, a + ctx.layout.entropy);
  const sleeping = setSleeping(ctx, cpu, meta, sc, remaining);
  if (sleeping) ctx.counters.add('slabs.slept');
  return { p, active: !sleeping };
}

/** small_refill: reuse an available slab of the class, or open a new one. */
function smallRefill(ctx: Ctx, cpu: Cpu, a: number, sc: number, size: number): number {
  const ac = allocClass(ctx, a, sc);
  const length = cpu.load(ac + AC_LENGTH, 2);
  if (length > 0) {
    if (ctx.cfg.mit.randomExtraSlab && length === 1 && nextBit(cpu, a + ctx.layout.entropy) === 0) {
      return smallRefillSlow(ctx, cpu, a, sc, size);
    }
    ctx.counters.add('slabs.reused');
    const meta = seqPop(cpu, ac, !ctx.cfg.mit.reuseLifo);
    cpu.store(ac + AC_LENGTH, length - 1, 2);
    if (cpu.load(meta + ctx.metaLayout.needed, 2) === 0) cpu.store(ac + AC_UNUSED, cpu.load(ac + AC_UNUSED, 2) - 1, 2);
    const { p, active } = allocFreeList(ctx, cpu, a, meta, sc);
    placeSlab(ctx, cpu, a, sc, meta, active);
    return p;
  }
  return smallRefillSlow(ctx, cpu, a, sc, size);
}

/** small_refill_slow: check_init, a new slab from the backend, its free list built. */
function smallRefillSlow(ctx: Ctx, cpu: Cpu, a: number, sc: number, size: number): number {
  if (isDefault(ctx, a)) return smallAlloc(ctx, cpu, checkInitSlow(ctx, cpu), size);
  cpu.path(ctx.paths.backend);
  const rsize = ctx.table.sizes[sc] as number;
  const slabSize = ctx.table.slabSize(sc);
  const { chunk, meta } = ctx.backend.allocChunk(cpu, ctx.localState(a), slabSize, ctx.remoteOf(a) + fullSmall(sc));
  cpu.path(ctx.paths.allocNewSlab);
  if (chunk === 0) return 0;
  ctx.counters.add('slabs.opened');
  // FrontendSlabMetadata::initialise: an empty queue, sleeping with needed = threshold, not large.
  ctx.freeList.builderInit(cpu, meta + ctx.metaLayout.freeQueue, ctx.metaLayout.fq, chunk, ctx.statics.keyRoot, keyTweak(meta));
  setSleeping(ctx, cpu, meta, sc, 0);
  cpu.store(meta + ctx.metaLayout.large, 0, 1);
  allocNewList(ctx, cpu, a, chunk, meta, rsize, slabSize);
  const { p, active } = allocFreeList(ctx, cpu, a, meta, sc);
  placeSlab(ctx, cpu, a, sc, meta, active);
  return p;
}

/** After alloc_free_list: a still-active slab joins `available` (length++), a sleeping one `laden`. */
function placeSlab(ctx: Ctx, cpu: Cpu, a: number, sc: number, meta: number, active: boolean): void {
  if (!active) {
    seqInsert(cpu, a + ctx.layout.laden, meta);
    return;
  }
  const ac = allocClass(ctx, a, sc);
  cpu.store(ac + AC_LENGTH, cpu.load(ac + AC_LENGTH, 2) + 1, 2);
  seqInsert(cpu, ac, meta);
}

/**
 * alloc_new_list: a free node in every object, in address order (fast builds) or in the order of a
 * random cyclic permutation built by Sattolo's algorithm (random_initial), each appended to the
 * slab's free queue.
 */
function allocNewList(ctx: Ctx, cpu: Cpu, a: number, chunk: number, meta: number, rsize: number, slabSize: number): void {
  const slabEnd = chunk + slabSize + 1 - rsize;
  const fq = meta + ctx.metaLayout.freeQueue;
  const tweak = keyTweak(meta);
  const key = ctx.statics.keyRoot;
  const ent = a + ctx.layout.entropy;
  const add = (p: number): void => {
    ctx.freeList.initNode(cpu, p);
    ctx.freeList.builderAdd(cpu, fq, ctx.metaLayout.fq, p, key, tweak, ctx.metaLayout.fq.queues === 2 ? nextBit(cpu, ent) : 0);
  };
  if (!ctx.cfg.mit.randomInitial) {
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
function allocNotSmall(ctx: Ctx, cpu: Cpu, a: number, size: number): number {
  if (size === 0) return smallAlloc(ctx, cpu, a, 1);
  cpu.path(ctx.paths.allocLarge);
  handleMessageQueue(ctx, cpu, a);
  cpu.path(ctx.paths.allocLarge);
  if (isDefault(ctx, a)) return allocNotSmall(ctx, cpu, checkInitSlow(ctx, cpu), size);
  if (size > 2 ** 47) return 0;
  const bits = nextPow2Bits(size);
  cpu.path(ctx.paths.backend);
  const { chunk, meta } = ctx.backend.allocChunk(cpu, ctx.localState(a), 2 ** bits, ctx.remoteOf(a) + fullLarge(bits));
  cpu.path(ctx.paths.allocLarge);
  if (chunk === 0) return 0;
  ctx.counters.add('largeAllocs');
  // initialise_large: an empty queue to push to, large_, needed = 1 so the free takes the slow path.
  ctx.freeList.builderInit(cpu, meta + ctx.metaLayout.freeQueue, ctx.metaLayout.fq, chunk, ctx.statics.keyRoot, keyTweak(meta));
  cpu.store(meta + ctx.metaLayout.large, 1, 1);
  cpu.store(meta + ctx.metaLayout.needed, 1, 2);
  seqInsert(cpu, a + ctx.layout.laden, meta);
  return chunk;
}
