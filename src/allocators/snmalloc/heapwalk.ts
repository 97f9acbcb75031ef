/**
 * The heap walk of the snmalloc model (for the lost-object check and heap pictures), read with a
 * quiet Cpu. Free: objects in slab free queues and backend free blocks. Cached: objects in a
 * thread's fast free lists, in outbox slots and open BatchIt rings, and in inbox messages (the
 * newest message of every queue stays there by design). Metadata: the tail of each slab seen,
 * past its last object (it belongs to no object).
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { HeapRegion } from '../kit/contract.ts';
import { NUM_SMALL_SIZECLASSES, SIZECLASS_TAG } from './config.ts';
import type { Ctx } from './context.ts';
import { allocClass, fastList } from './corealloc.ts';
import { Pagemap } from './pagemap.ts';
import { seqList } from './seqset.ts';
import { allAllocators } from './threadalloc.ts';
import { keyTweak } from './layout.ts';

const LIMIT = 1 << 20;

/** Objects on a free list starting at `head`, stopping after `last` (if given) or at null. */
function chain(ctx: Ctx, cpu: Cpu, head: number, tweak: number, last = -1): number[] {
  const out: number[] = [];
  for (let p = head; p !== 0 && out.length < LIMIT; p = ctx.freeList.loadNext(cpu, p, ctx.statics.keyRoot, tweak)) {
    out.push(p);
    if (p === last) break;
  }
  return out;
}

function slabQueue(ctx: Ctx, cpu: Cpu, meta: number): number[] {
  const fq = meta + ctx.metaLayout.freeQueue;
  const out: number[] = [];
  for (let i = 0; i < ctx.metaLayout.fq.queues; i++) {
    const end = cpu.load(fq + ctx.metaLayout.fq.end(i));
    if (end === fq + ctx.metaLayout.fq.head(i)) continue;
    out.push(
      ...chain(
        ctx,
        cpu,
        ctx.freeList.builderReadHead(cpu, fq, ctx.metaLayout.fq, i, ctx.statics.keyRoot, keyTweak(meta)),
        keyTweak(meta),
        end,
      ),
    );
  }
  return out;
}

export function heapWalk(ctx: Ctx, cpu: Cpu): HeapRegion[] {
  const out: HeapRegion[] = [];
  /** Slabs seen (start -> small sizeclass), for their tails. */
  const slabs = new Map<number, number>();
  const push = (objs: number[], kind: 'free' | 'cached', owner?: number): void => {
    for (const p of objs) {
      const raw = Pagemap.sizeclassOf(ctx.pagemap.loadRas(cpu, ctx.pagemap.entry(cpu, p)));
      out.push({ addr: p, size: ctx.table.sizeOfFull(raw), kind, ...(owner !== undefined ? { owner } : {}) });
      if (raw >= SIZECLASS_TAG) {
        const sc = raw - SIZECLASS_TAG;
        slabs.set(p - (p % ctx.table.slabSize(sc)), sc);
      }
    }
  };
  const allocs = allAllocators(ctx, cpu);
  for (const a of allocs) {
    for (let sc = 0; sc < NUM_SMALL_SIZECLASSES; sc++) {
      const it = fastList(ctx, a, sc);
      const head = cpu.load(it + ctx.layout.iter.curr);
      if (head !== 0) {
        const tweak = ctx.layout.iter.tweak >= 0 ? cpu.load(it + ctx.layout.iter.tweak) : 0;
        push(chain(ctx, cpu, head, tweak), 'cached');
      }
      for (const meta of seqList(cpu, allocClass(ctx, a, sc))) push(slabQueue(ctx, cpu, meta), 'free');
    }
    for (const meta of seqList(cpu, a + ctx.layout.laden))
      if (cpu.load(meta + ctx.metaLayout.large, 1) === 0) push(slabQueue(ctx, cpu, meta), 'free');
    const { messages, rings } = ctx.outbox.pending(cpu, a);
    for (const m of messages) push(ctx.msgs.objects(cpu, m, keyTweak(ctx.pagemap.loadMeta(cpu, ctx.pagemap.entry(cpu, m)))), 'cached');
    for (const r of rings) push(chain(ctx, cpu, r.head, keyTweak(r.key), r.tail), 'cached');
    for (const link of ctx.queue.elements(cpu, ctx.remoteOf(a))) {
      const m = ctx.msgs.fromLink(link);
      push(ctx.msgs.objects(cpu, m, keyTweak(ctx.pagemap.loadMeta(cpu, ctx.pagemap.entry(cpu, m)))), 'cached');
    }
  }
  for (const b of ctx.backend.freeBlocks(
    cpu,
    allocs.map((a) => ctx.localState(a)),
  ))
    out.push({ addr: b.addr, size: b.size, kind: 'free' });
  // A slab's tail past its last object (slab size - capacity x object size: 16 bytes for 48-byte
  // objects in 16 KiB) belongs to no object; it is the allocator's, like metadata.
  for (const [start, sc] of slabs) {
    const used = (ctx.table.capacity[sc] as number) * (ctx.table.sizes[sc] as number);
    const slab = ctx.table.slabSize(sc);
    if (used < slab) out.push({ addr: start + used, size: slab - used, kind: 'metadata' });
  }
  return out;
}
