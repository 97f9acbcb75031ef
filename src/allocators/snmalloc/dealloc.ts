/**
 * The deallocation paths of snmalloc's Allocator (src/snmalloc/mem/corealloc.h).
 *
 *   dealloc(p): one pagemap lookup; the owner is this allocator?
 *     local:  dealloc_local_object: append to the slab's free queue (one store through `end`, into
 *             the previous tail object), --needed; reaching 0 is the slow path: wake a sleeping slab,
 *             or count a fully free one and perhaps return slabs to the backend (large objects go
 *             back to the backend at once)
 *     remote: dealloc_remote: charge the outbox budget and put the object in the outbox (with
 *             BatchIt: its ring); over budget -> dealloc_remote_slow: cache it anyway and post()
 */
import type { Cpu } from '../../machine/cpu.ts';
import { AllocatorAbort } from '../kit/contract.ts';
import { allocClass } from './corealloc.ts';
import type { Ctx } from './context.ts';
import { nextBit } from './entropy.ts';
import { AC_LENGTH, AC_UNUSED, keyTweak } from './layout.ts';
import { Pagemap } from './pagemap.ts';
import { seqInsert, seqIterate, seqRemove } from './seqset.ts';
import { fullSmall, isStartOfObject } from './sizeclasstable.ts';
import { checkInitSlow, isDefault } from './threadalloc.ts';

export function dealloc(ctx: Ctx, cpu: Cpu, a: number, p: number): void {
  cpu.work(3);
  const e = ctx.pagemap.entry(cpu, p);
  const ras = ctx.pagemap.loadRas(cpu, e);
  if (Pagemap.remoteOf(ras) === ctx.remoteOf(a)) {
    cpu.path(ctx.paths.deallocLocal);
    deallocLocalObject(ctx, cpu, a, p, e, ras);
    return;
  }
  cpu.path(ctx.paths.deallocRemote);
  deallocRemote(ctx, cpu, a, p, e, ras);
}

/** sanity_checks: is_start_of_object (check builds). */
function checkStart(ctx: Ctx, cpu: Cpu, p: number, sizeclass: number): void {
  if (!ctx.cfg.mit.sanityChecks) return;
  cpu.work(3);
  const size = ctx.table.sizeOfFull(sizeclass);
  const slab = sizeclass >= 64 ? ctx.table.slabSize(sizeclass - 64) : size;
  if (size === 0 || !isStartOfObject(p, size, slab)) throw new AllocatorAbort('Not deallocating start of an object', p);
}

/** dealloc_local_object: the fast local free. */
export function deallocLocalObject(ctx: Ctx, cpu: Cpu, a: number, p: number, e: number, ras: number): void {
  const meta = ctx.pagemap.loadMeta(cpu, e);
  checkStart(ctx, cpu, p, Pagemap.sizeclassOf(ras));
  const index = ctx.metaLayout.fq.queues === 2 ? nextBit(cpu, a + ctx.layout.entropy) : 0;
  ctx.freeList.builderAdd(cpu, meta + ctx.metaLayout.freeQueue, ctx.metaLayout.fq, p, ctx.statics.keyRoot, keyTweak(meta), index);
  const needed = cpu.load(meta + ctx.metaLayout.needed, 2) - 1;
  cpu.store(meta + ctx.metaLayout.needed, needed, 2);
  if (needed !== 0) return;
  cpu.path(ctx.paths.deallocLocalSlow);
  deallocLocalObjectSlow(ctx, cpu, a, ras, meta, p);
}

/** dealloc_local_object_slow: a large object goes back to the backend; a slab updates its state. */
export function deallocLocalObjectSlow(ctx: Ctx, cpu: Cpu, a: number, ras: number, meta: number, p: number): void {
  if (cpu.load(meta + ctx.metaLayout.large, 1) === 1) {
    seqRemove(cpu, meta);
    ctx.counters.add('largeFrees');
    cpu.path(ctx.paths.backend);
    ctx.backend.deallocChunk(cpu, ctx.localState(a), meta, p, 2 ** (64 - Pagemap.sizeclassOf(ras)));
    cpu.path(ctx.paths.deallocLocalSlow);
    return;
  }
  deallocLocalObjectMeta(ctx, cpu, a, Pagemap.sizeclassOf(ras) - 64, meta);
}

/**
 * dealloc_local_object_meta: a sleeping slab wakes (needed = capacity - threshold, into
 * `available`); otherwise the slab is completely free: count it, and return the class's free slabs
 * when there are more than 2 and more than a quarter of the available ones.
 */
export function deallocLocalObjectMeta(ctx: Ctx, cpu: Cpu, a: number, sc: number, meta: number): void {
  const ac = allocClass(ctx, a, sc);
  if (cpu.load(meta + ctx.metaLayout.sleeping, 1) === 1) {
    const slow = ctx.table.slowAddr(fullSmall(sc));
    cpu.store(meta + ctx.metaLayout.needed, cpu.load(slow, 2) - cpu.load(slow + 2, 2), 2);
    cpu.store(meta + ctx.metaLayout.sleeping, 0, 1);
    seqRemove(cpu, meta);
    seqInsert(cpu, ac, meta);
    cpu.store(ac + AC_LENGTH, cpu.load(ac + AC_LENGTH, 2) + 1, 2);
    ctx.counters.add('slabs.woken');
    return;
  }
  const unused = cpu.load(ac + AC_UNUSED, 2) + 1;
  cpu.store(ac + AC_UNUSED, unused, 2);
  if (unused > ctx.cfg.returnMinUnused && unused > cpu.load(ac + AC_LENGTH, 2) >> ctx.cfg.returnLengthShift) {
    deallocLocalSlabs(ctx, cpu, a, sc, false);
  }
}

/** dealloc_local_slabs: every fully free available slab of the class goes back to the backend. */
export function deallocLocalSlabs(ctx: Ctx, cpu: Cpu, a: number, sc: number, checkSlabs: boolean): void {
  const ac = allocClass(ctx, a, sc);
  if (!checkSlabs && cpu.load(ac + AC_UNUSED, 2) === 0) return;
  seqIterate(cpu, ac, (meta) => {
    if (cpu.load(meta + ctx.metaLayout.needed, 2) !== 0) {
      if (checkSlabs) validateQueue(ctx, cpu, meta);
      return;
    }
    cpu.store(ac + AC_LENGTH, cpu.load(ac + AC_LENGTH, 2) - 1, 2);
    cpu.store(ac + AC_UNUSED, cpu.load(ac + AC_UNUSED, 2) - 1, 2);
    seqRemove(cpu, meta);
    const start = clearSlab(ctx, cpu, meta, sc);
    ctx.counters.add('slabs.returned');
    cpu.path(ctx.paths.backend);
    ctx.backend.deallocChunk(cpu, ctx.localState(a), meta, start, ctx.table.slabSize(sc));
    cpu.path(ctx.paths.deallocLocalSlow);
  });
}

/**
 * Takes objects off a closed queue the way Iter::take does (signature check, clear_meta): the first
 * only, or all of them (`all`, freelist_teardown_validate). Returns how many were taken.
 */
function takeAll(ctx: Ctx, cpu: Cpu, head: number, prev: bigint, tweak: number, all: boolean): number {
  const key = ctx.statics.keyRoot;
  let expected = prev;
  let count = 0;
  for (let c = head; c !== 0;) {
    const next = ctx.freeList.loadNext(cpu, c, key, tweak);
    if (ctx.cfg.mit.backwardEdge) {
      ctx.freeList.checkPrev(cpu, c, expected);
      expected = ctx.freeList.signedPrev(cpu, c, next, key, tweak);
    }
    if (ctx.cfg.mit.clearMeta) ctx.freeList.initNode(cpu, c);
    count++;
    if (!all) break;
    c = next;
  }
  return count;
}

/** clear_slab: close the free queue and take one object (all of them, counted, in check builds). */
function clearSlab(ctx: Ctx, cpu: Cpu, meta: number, sc: number): number {
  const tweak = keyTweak(meta);
  const all = ctx.cfg.mit.teardownValidate || ctx.cfg.mit.clearMeta;
  const { head, prev, remaining } = ctx.freeList.builderClose(
    cpu,
    meta + ctx.metaLayout.freeQueue,
    ctx.metaLayout.fq,
    ctx.statics.keyRoot,
    tweak,
  );
  let count = takeAll(ctx, cpu, head, prev, tweak, all);
  if (all) {
    if (remaining > 0) {
      const rest = ctx.freeList.builderClose(cpu, meta + ctx.metaLayout.freeQueue, ctx.metaLayout.fq, ctx.statics.keyRoot, tweak);
      count += takeAll(ctx, cpu, rest.head, rest.prev, tweak, true);
    }
    if (count !== ctx.table.capacity[sc]) throw new AllocatorAbort('Heap corruption - free list corrupted!', head);
  }
  const slab = ctx.table.slabSize(sc);
  return head - (head % slab);
}

/** freelist_teardown_validate: walk a slab's free queue(s) without changing them. */
export function validateQueue(ctx: Ctx, cpu: Cpu, meta: number): void {
  if (!ctx.cfg.mit.teardownValidate) return;
  const fq = meta + ctx.metaLayout.freeQueue;
  const key = ctx.statics.keyRoot;
  const tweak = keyTweak(meta);
  for (let i = 0; i < ctx.metaLayout.fq.queues; i++) {
    const end = cpu.load(fq + ctx.metaLayout.fq.end(i));
    if (end === fq + ctx.metaLayout.fq.head(i)) continue;
    let c = ctx.freeList.builderReadHead(cpu, fq, ctx.metaLayout.fq, i, key, tweak);
    for (let n = 0; c !== end && n < 1 << 16; n++) {
      const next = ctx.freeList.loadNext(cpu, c, key, tweak);
      if (ctx.cfg.mit.backwardEdge) ctx.freeList.checkPrev(cpu, next, ctx.freeList.signedPrev(cpu, c, next, key, tweak));
      c = next;
    }
  }
}

/** dealloc_remote: budget check, then the outbox (or the slow path). */
function deallocRemote(ctx: Ctx, cpu: Cpu, a: number, p: number, e: number, ras: number): void {
  if (Pagemap.remoteOf(ras) !== 0) {
    if (ctx.cfg.mit.sanityChecks && Pagemap.isBackendOwned(ras)) throw new AllocatorAbort('Memory corruption detected', p);
    if (ctx.outbox.reserveSpace(cpu, a, Pagemap.sizeclassOf(ras))) {
      ctx.counters.add('remoteFrees');
      ctx.outbox.dealloc(cpu, a, ctx.pagemap.loadMeta(cpu, e), p);
      return;
    }
    deallocRemoteSlow(ctx, cpu, a, p, e);
    return;
  }
  if (p === 0) return;
  // DefaultSecondaryAllocator::deallocate: not snmalloc's memory.
  if (ctx.cfg.mit.sanityChecks) throw new AllocatorAbort('Not allocated by snmalloc.', p);
}

/**
 * dealloc_remote_slow: on the dummy allocator, acquire one and restart the free (it may now be
 * local); otherwise cache the object anyway and post everything.
 */
function deallocRemoteSlow(ctx: Ctx, cpu: Cpu, a: number, p: number, e: number): void {
  if (isDefault(ctx, a)) {
    dealloc(ctx, cpu, checkInitSlow(ctx, cpu), p);
    return;
  }
  ctx.counters.add('remoteFrees');
  ctx.outbox.dealloc(cpu, a, ctx.pagemap.loadMeta(cpu, e), p);
  post(ctx, cpu, a);
  cpu.path(ctx.paths.deallocRemote);
}

/** Allocator::post. */
export function post(ctx: Ctx, cpu: Cpu, a: number): boolean {
  cpu.path(ctx.paths.post);
  return ctx.outbox.post(cpu, a, ctx.remoteOf(a));
}
