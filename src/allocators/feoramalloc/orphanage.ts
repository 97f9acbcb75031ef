/**
 * The superpage orphanage (heap_allocator_implementation.odin heap_push_orphan, heap_pop_orphan
 * and the thread-local cleaner of setup_superpage_orphanage): a global lock-free Treiber stack of
 * superpages no thread owns, with an approximate count. A cleanly exiting thread merges its
 * pending remote frees, frees its empty slabs and orphans every superpage (empty ones beyond the
 * count limit are unmapped); a thread needing memory adopts an orphan before mapping a new one.
 */
import { ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { knownRaceWrites } from '../shared/benign-race.ts';
import { treiberPop, treiberPush } from '../shared/odin-runtime/tagged-pointer.ts';
import { count, threadId, type FeoraCtx } from './context.ts';
import {
  C_IN_USE,
  CACHE_BLOCK_SIZE,
  G_ORPHANAGE,
  G_ORPHANAGE_COUNT,
  P_CACHE_BLOCK,
  P_FREE_SLABS,
  P_MASTER_CACHE_BLOCK,
  P_NEXT,
  P_OWNER,
  P_PREV,
  SLAB_COUNT,
  T_LOCAL_HEAP,
  T_LOCAL_HEAP_CACHE,
  T_LOCAL_HEAP_TAIL,
} from './layout.ts';
import { releaseEmptySuperpage, takeStock } from './superpage.ts';

/** heap_push_orphan: drop the cache block (zeroing it if it hosted one), disown, push. The caller counts. */
export function pushOrphan(ctx: FeoraCtx, cpu: Cpu, sp: number): void {
  cpu.path(ctx.paths.orphanage);
  cpu.atomicStore(sp + P_MASTER_CACHE_BLOCK, 0, true);
  // A race of the design, found by the race detector: a remote free that read master_cache_block
  // before it was cleared may still CAS an entry or add to remote_free_count in this cache block
  // while it is zeroed (plain writes). Kept as the source has it; docs/models/feoramalloc.md.
  if (cpu.load(sp + P_CACHE_BLOCK + C_IN_USE, 1) === 1)
    knownRaceWrites(cpu, () => cpu.fill(sp + P_CACHE_BLOCK, CACHE_BLOCK_SIZE, 0, ORIGIN_META));
  cpu.store(sp + P_PREV, 0);
  cpu.atomicStore(sp + P_OWNER, 0);
  treiberPush(cpu, ctx.globals + G_ORPHANAGE, sp, P_NEXT);
  count(ctx, cpu, 'orphanPushes');
}

/** heap_pop_orphan: take the head and own it. */
export function popOrphan(ctx: FeoraCtx, cpu: Cpu): number {
  const sp = treiberPop(cpu, ctx.globals + G_ORPHANAGE, P_NEXT);
  if (sp === 0) return 0;
  cpu.path(ctx.paths.orphanage);
  cpu.atomicStore(sp + P_OWNER, threadId(cpu));
  cpu.fetchAdd(ctx.globals + G_ORPHANAGE_COUNT, -1);
  return sp;
}

/**
 * The thread-local cleaner. It frees empty slabs without updating the dying heap's cache (the
 * comment in the real code says the cache is ignored; its heap_free_slab calls would otherwise
 * write into a cache block that may already be orphaned or unmapped).
 */
export function threadExitCleaner(ctx: FeoraCtx, cpu: Cpu): void {
  for (let sp = cpu.load(cpu.tls + T_LOCAL_HEAP); sp !== 0;) {
    const next = cpu.load(sp + P_NEXT);
    takeStock(ctx, cpu, 0, sp);
    if (cpu.load(sp + P_FREE_SLABS) === SLAB_COUNT) {
      releaseEmptySuperpage(ctx, cpu, sp);
    } else {
      cpu.fetchAdd(ctx.globals + G_ORPHANAGE_COUNT, 1);
      pushOrphan(ctx, cpu, sp);
    }
    sp = next;
  }
  cpu.store(cpu.tls + T_LOCAL_HEAP, 0);
  cpu.store(cpu.tls + T_LOCAL_HEAP_TAIL, 0);
  cpu.store(cpu.tls + T_LOCAL_HEAP_CACHE, 0);
}
