/**
 * How a thread gets its Allocator (src/snmalloc/global/threadalloc.h ThreadAlloc, CheckInitBase;
 * src/snmalloc/ds/pool.h Pool; mem/corealloc.h ConstructAllocator; backend/globalconfig.h
 * ensure_init_slow).
 *
 * A thread-local pointer (word 0 of the thread's TLS block) starts at a constant-initialised dummy,
 * `default_alloc`, whose fast lists are empty and whose outbox budget is 0, so a thread's first
 * allocation or free reaches a slow path that calls check_init_slow: AllocPool::acquire takes an
 * allocator from the pool's FIFO under a spin FlagWord, or makes one: global init once (entropy,
 * the two free-list keys, the pagemap reservation) under its own FlagWord, then a 16 KiB block from
 * the global metadata range (behind the global lock) for the 9 KiB Allocator, whose spare tail seeds
 * its own metadata range. Thread exit flushes the allocator and returns it to the back of the pool.
 */
import { ORIGIN_META } from '../../machine/cache-hierarchy.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { NUM_SMALL_SIZECLASSES, nextPow2 } from './config.ts';
import type { Ctx } from './context.ts';
import { allocClass } from './corealloc.ts';
import { entropyInit } from './entropy.ts';
import { flush } from './inbox.ts';
import { seqInit } from './seqset.ts';

/** ThreadAlloc::get: the allocator this thread uses (the dummy until the first slow path). */
export function currentAlloc(ctx: Ctx, cpu: Cpu): number {
  const a = cpu.load(cpu.tls);
  return a === 0 ? ctx.statics.defaultAlloc : a;
}

export function isDefault(ctx: Ctx, a: number): boolean {
  return a === ctx.statics.defaultAlloc;
}

/** CheckInitBase::check_init_slow: acquire an allocator and install it in TLS. */
export function checkInitSlow(ctx: Ctx, cpu: Cpu): number {
  cpu.path(ctx.paths.init);
  const a = poolAcquire(ctx, cpu);
  cpu.store(cpu.tls, a);
  return a;
}

/** ThreadAlloc::teardown: flush, release to the pool, back to the dummy. */
export function teardown(ctx: Ctx, cpu: Cpu): void {
  const a = cpu.load(cpu.tls);
  if (a === 0) return;
  flush(ctx, cpu, a);
  cpu.path(ctx.paths.init);
  poolRelease(ctx, cpu, a);
  cpu.store(cpu.tls, 0);
}

function poolAcquire(ctx: Ctx, cpu: Cpu): number {
  const st = ctx.statics;
  cpu.lock(st.poolLock);
  const front = cpu.load(st.poolFront);
  if (front !== 0) {
    const next = cpu.load(front + ctx.layout.poolNext);
    if (next === 0) cpu.store(st.poolBack, 0);
    cpu.store(st.poolFront, next);
    cpu.store(front + ctx.layout.poolInUse, 1);
  }
  cpu.unlock(st.poolLock);
  if (front !== 0) {
    ctx.counters.add('allocators.reused');
    return front;
  }
  const a = makeAllocator(ctx, cpu);
  cpu.lock(st.poolLock);
  cpu.store(a + ctx.layout.poolListNext, cpu.load(st.poolList));
  cpu.store(st.poolList, a);
  cpu.store(a + ctx.layout.poolInUse, 1);
  cpu.unlock(st.poolLock);
  return a;
}

function poolRelease(ctx: Ctx, cpu: Cpu, a: number): void {
  const st = ctx.statics;
  cpu.store(a + ctx.layout.poolInUse, 0);
  cpu.store(a + ctx.layout.poolNext, 0);
  cpu.lock(st.poolLock);
  if (cpu.load(st.poolFront) === 0) cpu.store(st.poolFront, a);
  else cpu.store(cpu.load(st.poolBack) + ctx.layout.poolNext, a);
  cpu.store(st.poolBack, a);
  cpu.unlock(st.poolLock);
}

/** Config::ensure_init: once per process, under the initialisation FlagWord. */
function ensureInit(ctx: Ctx, cpu: Cpu): void {
  const st = ctx.statics;
  if (cpu.atomicLoad(st.initialised) === 1) return;
  cpu.lock(st.initLock);
  if (cpu.load(st.initialised) === 0) {
    ctx.counters.add('globalInit');
    // LocalEntropy::init (two getrandom), then make_free_list_key for key_global and key_root.
    cpu.getrandom();
    cpu.getrandom();
    for (const key of [st.keyGlobal, st.keyRoot]) {
      for (let w = 0; w < 3; w++) cpu.store64(key + w * 8, cpu.random32(), cpu.random32());
    }
    ctx.pagemap.init(cpu);
    cpu.atomicStore(st.initialised, 1);
  }
  cpu.unlock(st.initLock);
}

/** ConstructAllocator::make and the Allocator constructor (corealloc.h init). */
function makeAllocator(ctx: Ctx, cpu: Cpu): number {
  ensureInit(ctx, cpu);
  const size = ctx.cfg.allocatorSize;
  const request = nextPow2(size);
  const a = ctx.backend.allocMetaGlobal(cpu, request);
  cpu.path(ctx.paths.init);
  if (a === 0) throw new Error('snmalloc: Failed to initialise thread local allocator.');
  ctx.counters.add('allocators.created');
  // Placement new: every member is value-initialised, then init() runs.
  cpu.fill(a, ctx.layout.bytes, 0, ORIGIN_META);
  for (let sc = 0; sc < NUM_SMALL_SIZECLASSES; sc++) seqInit(cpu, allocClass(ctx, a, sc));
  seqInit(cpu, a + ctx.layout.laden);
  ctx.queue.init(cpu, ctx.remoteOf(a));
  entropyInit(cpu, a + ctx.layout.entropy);
  ctx.outbox.init(cpu, a);
  // The spare tail of the 16 KiB block seeds this allocator's metadata range.
  if (request > size) ctx.backend.deallocMeta(cpu, ctx.localState(a), a + size, request - size);
  return a;
}

/** Every allocator ever made (the pool's `list`), for heap walks. */
export function allAllocators(ctx: Ctx, cpu: Cpu): number[] {
  const out: number[] = [];
  for (let a = cpu.load(ctx.statics.poolList); a !== 0 && out.length < 1 << 16; a = cpu.load(a + ctx.layout.poolListNext)) out.push(a);
  return out;
}
