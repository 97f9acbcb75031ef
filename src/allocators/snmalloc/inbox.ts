/**
 * Inbox processing (src/snmalloc/mem/corealloc.h handle_message_queue_slow, handle_dealloc_remote,
 * dealloc_local_objects_fast) and the teardown flush.
 *
 * Triggered only by allocation: an empty fast free list (small_alloc), every allocation over 64 KiB,
 * and flush(). A thread that only frees never drains its own inbox.
 *
 * Per message: one pagemap lookup. Owned here: open the ring (length 1 without BatchIt), splice it
 * onto the slab's free queue with one store into the slab's previous tail object, needed -= n
 * (crossing the waking and the all-free thresholds, possibly both). Not owned: charge the ring's
 * bytes to the outbox budget and forward it; a post follows the pass if the budget ran out.
 * A pass stops at the `back` snapshot (the newest message always stays) or once REMOTE_BATCH_LIMIT
 * bytes of owned objects were freed (0.7.1+; `inboxBound`=0 is 0.7.0's unbounded pass).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { AllocatorAbort } from '../kit/contract.ts';
import { fastList } from './corealloc.ts';
import type { Ctx } from './context.ts';
import { deallocLocalObject, deallocLocalObjectMeta, deallocLocalObjectSlow, deallocLocalSlabs, post, validateQueue } from './dealloc.ts';
import { nextBit } from './entropy.ts';
import { Pagemap } from './pagemap.ts';
import { seqList } from './seqset.ts';
import { isStartOfObject } from './sizeclasstable.ts';
import { NUM_SMALL_SIZECLASSES } from './config.ts';
import { keyTweak } from './layout.ts';

interface PassState {
  needPost: boolean;
  bytes: number;
}

/** handle_message_queue: the cheap emptiness test, then the slow path. */
export function handleMessageQueue(S: Ctx, cpu: Cpu, a: number): void {
  if (S.queue.canDequeue(cpu, S.remoteOf(a))) handleMessageQueueSlow(S, cpu, a);
}

/** handle_message_queue_slow: one bounded pass over the inbox. */
export function handleMessageQueueSlow(S: Ctx, cpu: Cpu, a: number): void {
  cpu.path(S.P.inbox);
  S.counters.add('inbox.drains');
  const st: PassState = { needPost: false, bytes: 0 };
  const bound = S.cfg.inboxBound;
  const n = S.queue.dequeue(cpu, S.remoteOf(a), (link) => {
    const msg = S.msgs.fromLink(link);
    const e = S.pagemap.entry(cpu, msg);
    handleDeallocRemote(S, cpu, a, e, S.pagemap.loadRas(cpu, e), msg, st);
    cpu.path(S.P.inbox);
    return bound === 0 || st.bytes < bound;
  });
  S.counters.add('queue.elementsProcessed', n);
  if (st.needPost) post(S, cpu, a);
}

/** handle_dealloc_remote: free a message's objects here, or forward it to its owner. */
function handleDeallocRemote(S: Ctx, cpu: Cpu, a: number, e: number, ras: number, msg: number, st: PassState): void {
  if (Pagemap.remoteOf(ras) === S.remoteOf(a)) {
    deallocLocalObjectsFast(S, cpu, a, e, ras, msg, st);
    return;
  }
  S.counters.add('queue.elementsForwarded');
  const meta = S.pagemap.loadMeta(cpu, e);
  const n = S.msgs.ringSize(cpu, msg, keyTweak(meta));
  if (!st.needPost && !S.outbox.reserveSpace(cpu, a, Pagemap.sizeclassOf(ras), n)) st.needPost = true;
  S.outbox.forward(cpu, a, Pagemap.remoteOf(ras), msg);
}

/**
 * dealloc_local_objects_fast + the ReturnObjectsIterator loop: splice the ring onto the slab's free
 * queue and subtract its length from `needed`, running the slow path at each threshold crossed.
 */
function deallocLocalObjectsFast(S: Ctx, cpu: Cpu, a: number, e: number, ras: number, msg: number, st: PassState): void {
  const meta = S.pagemap.loadMeta(cpu, e);
  const sizeclass = Pagemap.sizeclassOf(ras);
  if (S.cfg.mit.sanityChecks) {
    cpu.work(3);
    const size = S.table.sizeOfFull(sizeclass);
    const slab = sizeclass >= 64 ? S.table.slabSize(sizeclass - 64) : size;
    if (!isStartOfObject(msg, size, slab)) throw new AllocatorAbort('Not deallocating start of an object', msg);
  }
  const objsize = cpu.load(S.table.fastAddr(sizeclass));
  const tweak = keyTweak(meta);
  const { first, length } = S.msgs.openRing(cpu, msg, tweak);
  st.bytes += objsize * length;
  S.counters.add('inbox.objectsFreed', length);
  const index = S.M.fq.queues === 2 ? nextBit(cpu, a + S.L.entropy) : 0;
  S.fl.builderAppend(cpu, meta + S.M.freeQueue, S.M.fq, first, msg, length, S.statics.keyRoot, tweak, index);
  // ReturnObjectsIterator: step<true>, then step<false> until the batch is used up.
  let batch = length;
  let needed = cpu.load(meta + S.M.needed, 2);
  if (batch < needed) {
    cpu.store(meta + S.M.needed, needed - batch, 2);
    return;
  }
  batch -= needed;
  cpu.store(meta + S.M.needed, 0, 2);
  deallocLocalObjectSlow(S, cpu, a, ras, meta, msg);
  while (batch !== 0) {
    needed = cpu.load(meta + S.M.needed, 2);
    if (batch < needed) {
      cpu.store(meta + S.M.needed, needed - batch, 2);
      return;
    }
    batch -= needed;
    cpu.store(meta + S.M.needed, 0, 2);
    deallocLocalObjectMeta(S, cpu, a, sizeclass - 64, meta);
  }
}

/**
 * flush (thread teardown): drain the inbox (the newest message stays), return the fast free lists
 * to their slabs, post the outbox, return free slabs, zero the budget so the next free posts.
 */
export function flush(S: Ctx, cpu: Cpu, a: number): void {
  cpu.path(S.P.flush);
  while (S.queue.canDequeue(cpu, S.remoteOf(a))) {
    handleMessageQueueSlow(S, cpu, a);
    cpu.path(S.P.flush);
  }
  for (let sc = 0; sc < NUM_SMALL_SIZECLASSES; sc++) {
    const it = fastList(S, a, sc);
    if (S.fl.iterEmpty(cpu, it, S.L.iter)) continue;
    const e = S.pagemap.entry(cpu, cpu.load(it + S.L.iter.curr));
    const ras = S.pagemap.loadRas(cpu, e);
    do {
      const p = S.fl.iterTake(cpu, it, S.L.iter, S.statics.keyRoot, S.cfg.mit.clearMeta);
      deallocLocalObject(S, cpu, a, p, e, ras);
      cpu.path(S.P.flush);
    } while (!S.fl.iterEmpty(cpu, it, S.L.iter));
  }
  post(S, cpu, a);
  cpu.path(S.P.flush);
  for (let sc = 0; sc < NUM_SMALL_SIZECLASSES; sc++) deallocLocalSlabs(S, cpu, a, sc, S.cfg.mit.teardownValidate);
  if (S.cfg.mit.teardownValidate) {
    for (const meta of seqList(cpu, a + S.L.laden)) if (cpu.load(meta + S.M.large, 1) === 0) validateQueue(S, cpu, meta);
  }
  cpu.store(a + S.L.capacity, 0);
}
