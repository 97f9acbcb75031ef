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
function chain(S: Ctx, cpu: Cpu, head: number, tweak: number, last = -1): number[] {
  const out: number[] = [];
  for (let p = head; p !== 0 && out.length < LIMIT; p = S.fl.loadNext(cpu, p, S.statics.keyRoot, tweak)) {
    out.push(p);
    if (p === last) break;
  }
  return out;
}

function slabQueue(S: Ctx, cpu: Cpu, meta: number): number[] {
  const fq = meta + S.M.freeQueue;
  const out: number[] = [];
  for (let i = 0; i < S.M.fq.queues; i++) {
    const end = cpu.load(fq + S.M.fq.end(i));
    if (end === fq + S.M.fq.head(i)) continue;
    out.push(...chain(S, cpu, S.fl.builderReadHead(cpu, fq, S.M.fq, i, S.statics.keyRoot, keyTweak(meta)), keyTweak(meta), end));
  }
  return out;
}

export function heapWalk(S: Ctx, cpu: Cpu): HeapRegion[] {
  const out: HeapRegion[] = [];
  /** Slabs seen (start -> small sizeclass), for their tails. */
  const slabs = new Map<number, number>();
  const push = (objs: number[], kind: 'free' | 'cached', owner?: number): void => {
    for (const p of objs) {
      const raw = Pagemap.sizeclassOf(S.pagemap.loadRas(cpu, S.pagemap.entry(cpu, p)));
      out.push({ addr: p, size: S.table.sizeOfFull(raw), kind, ...(owner !== undefined ? { owner } : {}) });
      if (raw >= SIZECLASS_TAG) {
        const sc = raw - SIZECLASS_TAG;
        slabs.set(p - (p % S.table.slabSize(sc)), sc);
      }
    }
  };
  const allocs = allAllocators(S, cpu);
  for (const a of allocs) {
    for (let sc = 0; sc < NUM_SMALL_SIZECLASSES; sc++) {
      const it = fastList(S, a, sc);
      const head = cpu.load(it + S.L.iter.curr);
      if (head !== 0) {
        const tweak = S.L.iter.tweak >= 0 ? cpu.load(it + S.L.iter.tweak) : 0;
        push(chain(S, cpu, head, tweak), 'cached');
      }
      for (const meta of seqList(cpu, allocClass(S, a, sc))) push(slabQueue(S, cpu, meta), 'free');
    }
    for (const meta of seqList(cpu, a + S.L.laden)) if (cpu.load(meta + S.M.large, 1) === 0) push(slabQueue(S, cpu, meta), 'free');
    const { messages, rings } = S.outbox.pending(cpu, a);
    for (const m of messages) push(S.msgs.objects(cpu, m, keyTweak(S.pagemap.loadMeta(cpu, S.pagemap.entry(cpu, m)))), 'cached');
    for (const r of rings) push(chain(S, cpu, r.head, keyTweak(r.key), r.tail), 'cached');
    for (const link of S.queue.elements(cpu, S.remoteOf(a))) {
      const m = S.msgs.fromLink(link);
      push(S.msgs.objects(cpu, m, keyTweak(S.pagemap.loadMeta(cpu, S.pagemap.entry(cpu, m)))), 'cached');
    }
  }
  for (const b of S.backend.freeBlocks(cpu, allocs.map((a) => S.localState(a)))) out.push({ addr: b.addr, size: b.size, kind: 'free' });
  // A slab's tail past its last object (slab size - capacity x object size: 16 bytes for 48-byte
  // objects in 16 KiB) belongs to no object; it is the allocator's, like metadata.
  for (const [start, sc] of slabs) {
    const used = (S.table.capacity[sc] as number) * (S.table.sizes[sc] as number);
    const slab = S.table.slabSize(sc);
    if (used < slab) out.push({ addr: start + used, size: slab - used, kind: 'metadata' });
  }
  return out;
}
