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

export function dealloc(S: Ctx, cpu: Cpu, a: number, p: number): void {
  cpu.work(3);
  const e = S.pagemap.entry(cpu, p);
  const ras = S.pagemap.loadRas(cpu, e);
  if (Pagemap.remoteOf(ras) === S.remoteOf(a)) {
    cpu.path(S.P.deallocLocal);
    deallocLocalObject(S, cpu, a, p, e, ras);
    return;
  }
  cpu.path(S.P.deallocRemote);
  deallocRemote(S, cpu, a, p, e, ras);
}

/** sanity_checks: is_start_of_object (check builds). */
function checkStart(S: Ctx, cpu: Cpu, p: number, sizeclass: number): void {
  if (!S.cfg.mit.sanityChecks) return;
  cpu.work(3);
  const size = S.table.sizeOfFull(sizeclass);
  const slab = sizeclass >= 64 ? S.table.slabSize(sizeclass - 64) : size;
  if (size === 0 || !isStartOfObject(p, size, slab)) throw new AllocatorAbort('Not deallocating start of an object', p);
}

/** dealloc_local_object: the fast local free. */
export function deallocLocalObject(S: Ctx, cpu: Cpu, a: number, p: number, e: number, ras: number): void {
  const meta = S.pagemap.loadMeta(cpu, e);
  checkStart(S, cpu, p, Pagemap.sizeclassOf(ras));
  const index = S.M.fq.queues === 2 ? nextBit(cpu, a + S.L.entropy) : 0;
  S.fl.builderAdd(cpu, meta + S.M.freeQueue, S.M.fq, p, S.statics.keyRoot, keyTweak(meta), index);
  const needed = cpu.load(meta + S.M.needed, 2) - 1;
  cpu.store(meta + S.M.needed, needed, 2);
  if (needed !== 0) return;
  cpu.path(S.P.deallocLocalSlow);
  deallocLocalObjectSlow(S, cpu, a, ras, meta, p);
}

/** dealloc_local_object_slow: a large object goes back to the backend; a slab updates its state. */
export function deallocLocalObjectSlow(S: Ctx, cpu: Cpu, a: number, ras: number, meta: number, p: number): void {
  if (cpu.load(meta + S.M.large, 1) === 1) {
    seqRemove(cpu, meta);
    S.counters.add('largeFrees');
    cpu.path(S.P.backend);
    S.backend.deallocChunk(cpu, S.localState(a), meta, p, 2 ** (64 - Pagemap.sizeclassOf(ras)));
    cpu.path(S.P.deallocLocalSlow);
    return;
  }
  deallocLocalObjectMeta(S, cpu, a, Pagemap.sizeclassOf(ras) - 64, meta);
}

/**
 * dealloc_local_object_meta: a sleeping slab wakes (needed = capacity - threshold, into
 * `available`); otherwise the slab is completely free: count it, and return the class's free slabs
 * when there are more than 2 and more than a quarter of the available ones.
 */
export function deallocLocalObjectMeta(S: Ctx, cpu: Cpu, a: number, sc: number, meta: number): void {
  const ac = allocClass(S, a, sc);
  if (cpu.load(meta + S.M.sleeping, 1) === 1) {
    const slow = S.table.slowAddr(fullSmall(sc));
    cpu.store(meta + S.M.needed, cpu.load(slow, 2) - cpu.load(slow + 2, 2), 2);
    cpu.store(meta + S.M.sleeping, 0, 1);
    seqRemove(cpu, meta);
    seqInsert(cpu, ac, meta);
    cpu.store(ac + AC_LENGTH, cpu.load(ac + AC_LENGTH, 2) + 1, 2);
    S.counters.add('slabs.woken');
    return;
  }
  const unused = cpu.load(ac + AC_UNUSED, 2) + 1;
  cpu.store(ac + AC_UNUSED, unused, 2);
  if (unused > S.cfg.returnMinUnused && unused > cpu.load(ac + AC_LENGTH, 2) >> S.cfg.returnLengthShift) {
    deallocLocalSlabs(S, cpu, a, sc, false);
  }
}

/** dealloc_local_slabs: every fully free available slab of the class goes back to the backend. */
export function deallocLocalSlabs(S: Ctx, cpu: Cpu, a: number, sc: number, checkSlabs: boolean): void {
  const ac = allocClass(S, a, sc);
  if (!checkSlabs && cpu.load(ac + AC_UNUSED, 2) === 0) return;
  seqIterate(cpu, ac, (meta) => {
    if (cpu.load(meta + S.M.needed, 2) !== 0) {
      if (checkSlabs) validateQueue(S, cpu, meta);
      return;
    }
    cpu.store(ac + AC_LENGTH, cpu.load(ac + AC_LENGTH, 2) - 1, 2);
    cpu.store(ac + AC_UNUSED, cpu.load(ac + AC_UNUSED, 2) - 1, 2);
    seqRemove(cpu, meta);
    const start = clearSlab(S, cpu, meta, sc);
    S.counters.add('slabs.returned');
    cpu.path(S.P.backend);
    S.backend.deallocChunk(cpu, S.localState(a), meta, start, S.table.slabSize(sc));
    cpu.path(S.P.deallocLocalSlow);
  });
}

/**
 * Takes objects off a closed queue the way Iter::take does (signature check, clear_meta): the first
 * only, or all of them (`all`, freelist_teardown_validate). Returns how many were taken.
 */
function takeAll(S: Ctx, cpu: Cpu, head: number, prev: bigint, tweak: number, all: boolean): number {
  const key = S.statics.keyRoot;
  let expected = prev;
  let count = 0;
  for (let c = head; c !== 0; ) {
    const next = S.fl.loadNext(cpu, c, key, tweak);
    if (S.cfg.mit.backwardEdge) {
      S.fl.checkPrev(cpu, c, expected);
      expected = S.fl.signedPrev(cpu, c, next, key, tweak);
    }
    if (S.cfg.mit.clearMeta) S.fl.initNode(cpu, c);
    count++;
    if (!all) break;
    c = next;
  }
  return count;
}

/** clear_slab: close the free queue and take one object (all of them, counted, in check builds). */
function clearSlab(S: Ctx, cpu: Cpu, meta: number, sc: number): number {
  const tweak = keyTweak(meta);
  const all = S.cfg.mit.teardownValidate || S.cfg.mit.clearMeta;
  const { head, prev, remaining } = S.fl.builderClose(cpu, meta + S.M.freeQueue, S.M.fq, S.statics.keyRoot, tweak);
  let count = takeAll(S, cpu, head, prev, tweak, all);
  if (all) {
    if (remaining > 0) {
      const rest = S.fl.builderClose(cpu, meta + S.M.freeQueue, S.M.fq, S.statics.keyRoot, tweak);
      count += takeAll(S, cpu, rest.head, rest.prev, tweak, true);
    }
    if (count !== S.table.capacity[sc]) throw new AllocatorAbort('Heap corruption - free list corrupted!', head);
  }
  const slab = S.table.slabSize(sc);
  return head - (head % slab);
}

/** freelist_teardown_validate: walk a slab's free queue(s) without changing them. */
export function validateQueue(S: Ctx, cpu: Cpu, meta: number): void {
  if (!S.cfg.mit.teardownValidate) return;
  const fq = meta + S.M.freeQueue;
  const key = S.statics.keyRoot;
  const tweak = keyTweak(meta);
  for (let i = 0; i < S.M.fq.queues; i++) {
    const end = cpu.load(fq + S.M.fq.end(i));
    if (end === fq + S.M.fq.head(i)) continue;
    let c = S.fl.builderReadHead(cpu, fq, S.M.fq, i, key, tweak);
    for (let n = 0; c !== end && n < 1 << 16; n++) {
      const next = S.fl.loadNext(cpu, c, key, tweak);
      if (S.cfg.mit.backwardEdge) S.fl.checkPrev(cpu, next, S.fl.signedPrev(cpu, c, next, key, tweak));
      c = next;
    }
  }
}

/** dealloc_remote: budget check, then the outbox (or the slow path). */
function deallocRemote(S: Ctx, cpu: Cpu, a: number, p: number, e: number, ras: number): void {
  if (Pagemap.remoteOf(ras) !== 0) {
    if (S.cfg.mit.sanityChecks && Pagemap.isBackendOwned(ras)) throw new AllocatorAbort('Memory corruption detected', p);
    if (S.outbox.reserveSpace(cpu, a, Pagemap.sizeclassOf(ras))) {
      S.counters.add('remoteFrees');
      S.outbox.dealloc(cpu, a, S.pagemap.loadMeta(cpu, e), p);
      return;
    }
    deallocRemoteSlow(S, cpu, a, p, e);
    return;
  }
  if (p === 0) return;
  // DefaultSecondaryAllocator::deallocate: not snmalloc's memory.
  if (S.cfg.mit.sanityChecks) throw new AllocatorAbort('Not allocated by snmalloc.', p);
}

/**
 * dealloc_remote_slow: on the dummy allocator, acquire one and restart the free (it may now be
 * local); otherwise cache the object anyway and post everything.
 */
function deallocRemoteSlow(S: Ctx, cpu: Cpu, a: number, p: number, e: number): void {
  if (isDefault(S, a)) {
    dealloc(S, cpu, checkInitSlow(S, cpu), p);
    return;
  }
  S.counters.add('remoteFrees');
  S.outbox.dealloc(cpu, a, S.pagemap.loadMeta(cpu, e), p);
  post(S, cpu, a);
  cpu.path(S.P.deallocRemote);
}

/** Allocator::post. */
export function post(S: Ctx, cpu: Cpu, a: number): boolean {
  cpu.path(S.P.post);
  return S.outbox.post(cpu, a, S.remoteOf(a));
}
