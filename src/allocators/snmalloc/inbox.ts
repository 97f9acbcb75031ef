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
export function handleMessageQueue(ctx: Ctx, cpu: Cpu, a: number): void {
  if (ctx.queue.canDequeue(cpu, ctx.remoteOf(a))) handleMessageQueueSlow(ctx, cpu, a);
}

/** handle_message_queue_slow: one bounded pass over the inbox. */
export function handleMessageQueueSlow(ctx: Ctx, cpu: Cpu, a: number): void {
  cpu.path(ctx.paths.inbox);
  ctx.counters.add('inbox.drains');
  const st: PassState = { needPost: false, bytes: 0 };
  const bound = ctx.cfg.inboxBound;
  const n = ctx.queue.dequeue(cpu, ctx.remoteOf(a), (link) => {
    const msg = ctx.msgs.fromLink(link);
    const e = ctx.pagemap.entry(cpu, msg);
    handleDeallocRemote(ctx, cpu, a, e, ctx.pagemap.loadRas(cpu, e), msg, st);
    cpu.path(ctx.paths.inbox);
    return bound === 0 || st.bytes < bound;
  });
  ctx.counters.add('queue.elementsProcessed', n);
  if (st.needPost) post(ctx, cpu, a);
}

/** handle_dealloc_remote: free a message's objects here, or forward it to its owner. */
function handleDeallocRemote(ctx: Ctx, cpu: Cpu, a: number, e: number, ras: number, msg: number, st: PassState): void {
  if (Pagemap.remoteOf(ras) === ctx.remoteOf(a)) {
    deallocLocalObjectsFast(ctx, cpu, a, e, ras, msg, st);
    return;
  }
  ctx.counters.add('queue.elementsForwarded');
  const meta = ctx.pagemap.loadMeta(cpu, e);
  const n = ctx.msgs.ringSize(cpu, msg, keyTweak(meta));
  if (!st.needPost && !ctx.outbox.reserveSpace(cpu, a, Pagemap.sizeclassOf(ras), n)) st.needPost = true;
  ctx.outbox.forward(cpu, a, Pagemap.remoteOf(ras), msg);
}

/**
 * dealloc_local_objects_fast + the ReturnObjectsIterator loop: splice the ring onto the slab's free
 * queue and subtract its length from `needed`, running the slow path at each threshold crossed.
 */
function deallocLocalObjectsFast(ctx: Ctx, cpu: Cpu, a: number, e: number, ras: number, msg: number, st: PassState): void {
  const meta = ctx.pagemap.loadMeta(cpu, e);
  const sizeclass = Pagemap.sizeclassOf(ras);
  if (ctx.cfg.mit.sanityChecks) {
    cpu.work(3);
    const size = ctx.table.sizeOfFull(sizeclass);
    const slab = sizeclass >= 64 ? ctx.table.slabSize(sizeclass - 64) : size;
    if (!isStartOfObject(msg, size, slab)) throw new AllocatorAbort('Not deallocating start of an object', msg);
  }
  const objsize = cpu.load(ctx.table.fastAddr(sizeclass));
  const tweak = keyTweak(meta);
  const { first, length } = ctx.msgs.openRing(cpu, msg, tweak);
  st.bytes += objsize * length;
  ctx.counters.add('inbox.objectsFreed', length);
  const index = ctx.metaLayout.fq.queues === 2 ? nextBit(cpu, a + ctx.layout.entropy) : 0;
  ctx.freeList.builderAppend(
    cpu,
    meta + ctx.metaLayout.freeQueue,
    ctx.metaLayout.fq,
    first,
    msg,
    length,
    ctx.statics.keyRoot,
    tweak,
    index,
  );
  // ReturnObjectsIterator: step<true>, then step<false> until the batch is used up.
  let batch = length;
  let needed = cpu.load(meta + ctx.metaLayout.needed, 2);
  if (batch < needed) {
    cpu.store(meta + ctx.metaLayout.needed, needed - batch, 2);
    return;
  }
  batch -= needed;
  cpu.store(meta + ctx.metaLayout.needed, 0, 2);
  deallocLocalObjectSlow(ctx, cpu, a, ras, meta, msg);
  while (batch !== 0) {
    needed = cpu.load(meta + ctx.metaLayout.needed, 2);
    if (batch < needed) {
      cpu.store(meta + ctx.metaLayout.needed, needed - batch, 2);
      return;
    }
    batch -= needed;
    cpu.store(meta + ctx.metaLayout.needed, 0, 2);
    deallocLocalObjectMeta(ctx, cpu, a, sizeclass - 64, meta);
  }
}

/**
 * flush (thread teardown): drain the inbox (the newest message stays), return the fast free lists
 * to their slabs, post the outbox, return free slabs, zero the budget so the next free posts.
 */
export function flush(ctx: Ctx, cpu: Cpu, a: number): void {
  cpu.path(ctx.paths.flush);
  while (ctx.queue.canDequeue(cpu, ctx.remoteOf(a))) {
    handleMessageQueueSlow(ctx, cpu, a);
    cpu.path(ctx.paths.flush);
  }
  for (let sc = 0; sc < NUM_SMALL_SIZECLASSES; sc++) {
    const it = fastList(ctx, a, sc);
    if (ctx.freeList.iterEmpty(cpu, it, ctx.layout.iter)) continue;
    const e = ctx.pagemap.entry(cpu, cpu.load(it + ctx.layout.iter.curr));
    const ras = ctx.pagemap.loadRas(cpu, e);
    do {
      const p = ctx.freeList.iterTake(cpu, it, ctx.layout.iter, ctx.statics.keyRoot, ctx.cfg.mit.clearMeta);
      deallocLocalObject(ctx, cpu, a, p, e, ras);
      cpu.path(ctx.paths.flush);
    } while (!ctx.freeList.iterEmpty(cpu, it, ctx.layout.iter));
  }
  post(ctx, cpu, a);
  cpu.path(ctx.paths.flush);
  for (let sc = 0; sc < NUM_SMALL_SIZECLASSES; sc++) deallocLocalSlabs(ctx, cpu, a, sc, ctx.cfg.mit.teardownValidate);
  if (ctx.cfg.mit.teardownValidate) {
    for (const meta of seqList(cpu, a + ctx.layout.laden))
      if (cpu.load(meta + ctx.metaLayout.large, 1) === 0) validateQueue(ctx, cpu, meta);
  }
  cpu.store(a + ctx.layout.capacity, 0);
}
