/**
 * Arenas (mimalloc src/arena.c): large OS reservations carved into 32 MiB blocks (one segment each)
 * with atomic bitmaps, shared by all threads.
 *
 * - `arena_reserve` (1 GiB; doubling every 8 arenas after 8) is reserved with one mmap and, as on
 *   Linux with overcommit (`arena_eager_commit` = 2), counted as committed;
 * - allocations of at least half a block (every segment) claim bits in `blocks_inuse` (a CAS, no
 *   system call); smaller ones, or ones no arena can hold, go straight to the OS;
 * - a freed block is scheduled for purge after purge_delay x arena_purge_mult (100 ms) and purged by
 *   `mi_arenas_try_purge`, which runs after every arena free.
 *
 * The arena structs live in the model's static area (arena.c mi_arena_static, 8 KiB) like the real
 * metadata allocation, or in an OS page when that is full.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { bitmapClaim, bitmapIsClaimed, bitmapTryClaim, bitmapTryFindClaim, bitmapUnclaim, FIELD_BITS } from './bitmap.ts';
import {
  ARENA_STATIC_MAX,
  G_ARENAS,
  G_ARENA_COUNT,
  G_ARENA_STATIC,
  G_ARENA_STATIC_TOP,
  G_PURGE_GUARD,
  MAX_ARENAS,
  clockNow,
  enter,
  leave,
  type Mi,
} from './internal.ts';
import { osAlloc, osCommit, osFree, osPurge } from './os.ts';
import { MEM_ARENA, MEM_OS, SEGMENT_SIZE, alignUp } from './types.ts';

/**
 * mi_arena_t offsets (the v2.1.2 struct plus v2.1.4's `blocks_abandoned`; the bitmaps follow the
 * struct: in use, dirty, abandoned, committed, purge).
 */
export const A_ID = 0;
export const A_START = 32;
export const A_BLOCK_COUNT = 40;
export const A_FIELD_COUNT = 48;
const A_PURGE_EXPIRE = 104;
const A_BLOCKS_DIRTY = 112;
const A_BLOCKS_COMMITTED = 120;
const A_BLOCKS_PURGE = 128;
export const A_BLOCKS_ABANDONED = 136;
export const A_BLOCKS_INUSE = 144;
const A_STRUCT = 152;

/** arena.c: MI_ARENA_BLOCK_SIZE = MI_SEGMENT_SIZE; MI_ARENA_MIN_OBJ_SIZE = half a block. */
export const ARENA_BLOCK_SIZE = SEGMENT_SIZE;
const ARENA_MIN_OBJ_SIZE = ARENA_BLOCK_SIZE / 2;

/** Where a piece of memory came from (mi_memid_t, the fields the model uses). */
export interface MemId {
  kind: number;
  arena: number;
  blockIndex: number;
  initiallyZero: boolean;
  initiallyCommitted: boolean;
}

function blocksOf(size: number): number {
  return Math.ceil(size / ARENA_BLOCK_SIZE);
}

/** arena.c mi_arena_try_alloc_at: claim `bcount` blocks of `arena`; fills `memid`. */
function tryAllocAt(m: Mi, cpu: Cpu, arena: number, arenaIdx: number, bcount: number, memid: MemId): number {
  const fields = cpu.load(arena + A_FIELD_COUNT);
  if (bcount > FIELD_BITS) return 0;
  const idx = bitmapTryFindClaim(cpu, arena + A_BLOCKS_INUSE, fields, bcount);
  if (idx < 0) return 0;
  const start = cpu.load(arena + A_START) + idx * ARENA_BLOCK_SIZE;
  // Claimed blocks are no longer scheduled for purge; the dirty bits tell whether they are still zero.
  bitmapUnclaim(cpu, cpu.load(arena + A_BLOCKS_PURGE), idx, bcount);
  memid.initiallyZero = bitmapClaim(cpu, cpu.load(arena + A_BLOCKS_DIRTY), idx, bcount);
  const committed = cpu.load(arena + A_BLOCKS_COMMITTED);
  memid.initiallyCommitted = bitmapIsClaimed(cpu, committed, idx, bcount);
  if (!memid.initiallyCommitted) {
    // commit requested (segments always commit eagerly here, see docs): recommit the range
    bitmapClaim(cpu, committed, idx, bcount);
    m.counters.add('arena.recommits');
    osCommit(m, cpu, start, bcount * ARENA_BLOCK_SIZE);
    memid.initiallyCommitted = true;
  }
  memid.kind = MEM_ARENA;
  memid.arena = arenaIdx;
  memid.blockIndex = idx;
  return start;
}

/** arena.c mi_arena_meta_zalloc: arena metadata from the static area, else from the OS. */
function metaZalloc(m: Mi, cpu: Cpu, size: number): number {
  const sz = alignUp(size, 64);
  const top = cpu.fetchAdd(m.statics + G_ARENA_STATIC_TOP, sz);
  if (top + sz <= ARENA_STATIC_MAX) return m.statics + G_ARENA_STATIC + top;
  return osAlloc(m, cpu, sz, 4096, 'mimalloc:arena-meta');
}

/** arena.c mi_arena_reserve + mi_reserve_os_memory_ex + mi_manage_os_memory_ex2 + mi_arena_add. */
function reserve(m: Mi, cpu: Cpu, reqSize: number): number {
  const count = cpu.atomicLoad(m.statics + G_ARENA_COUNT);
  if (count > MAX_ARENAS - 4 || m.cfg.arenaReserve === 0) return -1;
  let size = alignUp(m.cfg.arenaReserve, ARENA_BLOCK_SIZE);
  if (count >= 8 && count <= 128) size *= 2 ** Math.floor(count / 8); // scale up the arena sizes exponentially
  if (size < reqSize) return -1;
  const start = osAlloc(m, cpu, size, SEGMENT_SIZE, 'mimalloc:arena', true);
  m.counters.add('arena.reserved');
  const bcount = size / ARENA_BLOCK_SIZE;
  const fields = Math.ceil(bcount / FIELD_BITS);
  const arena = metaZalloc(m, cpu, A_STRUCT + 5 * fields * 8);
  const inuse = arena + A_BLOCKS_INUSE;
  cpu.store(arena + A_START, start);
  cpu.store(arena + A_BLOCK_COUNT, bcount);
  cpu.store(arena + A_FIELD_COUNT, fields);
  cpu.store(arena + A_BLOCKS_DIRTY, inuse + fields * 8);
  cpu.store(arena + A_BLOCKS_ABANDONED, inuse + 2 * fields * 8);
  cpu.store(arena + A_BLOCKS_COMMITTED, inuse + 3 * fields * 8);
  cpu.store(arena + A_BLOCKS_PURGE, inuse + 4 * fields * 8);
  // memory reserved on an overcommit OS counts as committed (arena_eager_commit = 2)
  cpu.fill(inuse + 3 * fields * 8, fields * 8, 0xff, 0);
  const post = fields * FIELD_BITS - bcount;
  if (post > 0) bitmapClaim(cpu, inuse, bcount, post); // never allocate in the leftover bits
  const i = cpu.fetchAdd(m.statics + G_ARENA_COUNT, 1);
  cpu.store(arena + A_ID, i + 1, 4);
  cpu.atomicStore(m.statics + G_ARENAS + i * 8, arena);
  return i;
}

/**
 * arena.c _mi_arena_alloc_aligned: from an arena (reserving a fresh one if needed), else from the
 * OS. Returns the address (segment-aligned) and fills `memid`.
 */
export function arenaAlloc(m: Mi, cpu: Cpu, size: number, memid: MemId): number {
  const prev = enter(m, cpu, m.paths.arena);
  let p = 0;
  if (size >= ARENA_MIN_OBJ_SIZE) {
    const bcount = blocksOf(size);
    const n = cpu.atomicLoad(m.statics + G_ARENA_COUNT);
    for (let i = 0; i < n && p === 0; i++) {
      const arena = cpu.atomicLoad(m.statics + G_ARENAS + i * 8);
      if (arena !== 0) p = tryAllocAt(m, cpu, arena, i, bcount, memid);
    }
    if (p === 0) {
      const i = reserve(m, cpu, size);
      if (i >= 0) p = tryAllocAt(m, cpu, cpu.atomicLoad(m.statics + G_ARENAS + i * 8), i, bcount, memid);
    }
  }
  if (p === 0) {
    p = osAlloc(m, cpu, alignUp(size, 4096), SEGMENT_SIZE, 'mimalloc:os-segment');
    memid.kind = MEM_OS;
    memid.arena = -1;
    memid.blockIndex = 0;
    memid.initiallyZero = true;
    memid.initiallyCommitted = true;
  }
  leave(m, cpu, prev);
  return p;
}

/** arena.c mi_arena_purge_delay: purge_delay x arena_purge_mult (ms). */
function purgeDelay(m: Mi): number {
  return m.cfg.purgeDelay * m.cfg.arenaPurgeMult;
}

/** arena.c mi_arena_purge: purge the blocks (they are claimed by us) and update the bitmaps. */
function purgeBlocks(m: Mi, cpu: Cpu, arena: number, idx: number, blocks: number): void {
  const start = cpu.load(arena + A_START) + idx * ARENA_BLOCK_SIZE;
  const committed = cpu.load(arena + A_BLOCKS_COMMITTED);
  const allCommitted = bitmapIsClaimed(cpu, committed, idx, blocks);
  const needsRecommit = osPurge(m, cpu, start, blocks * ARENA_BLOCK_SIZE, allCommitted);
  m.counters.add('arena.purgedBlocks', blocks);
  bitmapUnclaim(cpu, cpu.load(arena + A_BLOCKS_PURGE), idx, blocks);
  if (needsRecommit) bitmapUnclaim(cpu, committed, idx, blocks);
}

/** arena.c mi_arena_schedule_purge. */
function schedulePurge(m: Mi, cpu: Cpu, arena: number, idx: number, blocks: number): void {
  const delay = purgeDelay(m);
  if (delay < 0) return;
  if (delay === 0) {
    purgeBlocks(m, cpu, arena, idx, blocks);
    return;
  }
  const expire = cpu.atomicLoad(arena + A_PURGE_EXPIRE);
  if (expire !== 0)
    cpu.fetchAdd(arena + A_PURGE_EXPIRE, Math.floor(delay / 10)); // add smallish extra delay
  else cpu.atomicStore(arena + A_PURGE_EXPIRE, clockNow(m, cpu) + delay);
  bitmapClaim(cpu, cpu.load(arena + A_BLOCKS_PURGE), idx, blocks);
}

/** arena.c mi_arena_try_purge: purge the scheduled blocks whose in-use bits can be claimed. */
function tryPurge(m: Mi, cpu: Cpu, arena: number, now: number, force: boolean): boolean {
  const expire = cpu.atomicLoad(arena + A_PURGE_EXPIRE);
  if (expire === 0 || (!force && expire > now)) return false;
  cpu.cas(arena + A_PURGE_EXPIRE, expire, 0);
  const fields = cpu.load(arena + A_FIELD_COUNT);
  const purge = cpu.load(arena + A_BLOCKS_PURGE);
  let any = false;
  for (let f = 0; f < fields; f++) {
    let bit = 0;
    while (bit < FIELD_BITS) {
      let len = 0;
      while (bit + len < FIELD_BITS && bitmapIsClaimed(cpu, purge, f * FIELD_BITS + bit + len, 1)) len++;
      while (len > 0 && !bitmapTryClaim(cpu, arena + A_BLOCKS_INUSE, f * FIELD_BITS + bit, len)) len--;
      if (len > 0) {
        purgeBlocks(m, cpu, arena, f * FIELD_BITS + bit, len);
        bitmapUnclaim(cpu, arena + A_BLOCKS_INUSE, f * FIELD_BITS + bit, len);
        any = true;
      }
      bit += len + 1;
    }
  }
  return any;
}

/** arena.c mi_arenas_try_purge: one thread at a time (an atomic guard); `visitAll` on collect. */
export function arenasTryPurge(m: Mi, cpu: Cpu, force: boolean, visitAll: boolean): void {
  if (purgeDelay(m) <= 0) return;
  const n = cpu.atomicLoad(m.statics + G_ARENA_COUNT);
  if (n === 0) return;
  if (!cpu.cas(m.statics + G_PURGE_GUARD, 0, 1)) return;
  const now = clockNow(m, cpu);
  let budget = visitAll ? n : 1;
  for (let i = 0; i < n; i++) {
    const arena = cpu.atomicLoad(m.statics + G_ARENAS + i * 8);
    if (arena !== 0 && tryPurge(m, cpu, arena, now, force)) {
      if (budget <= 1) break;
      budget--;
    }
  }
  cpu.atomicStore(m.statics + G_PURGE_GUARD, 0);
}

/** arena.c _mi_arena_free: schedule the purge, release the blocks, purge what has expired. */
export function arenaFree(m: Mi, cpu: Cpu, p: number, size: number, memid: MemId, allCommitted: boolean): void {
  const prev = enter(m, cpu, m.paths.arena);
  if (memid.kind === MEM_OS) {
    osFree(m, cpu, p, alignUp(size, 4096));
  } else {
    const arena = cpu.atomicLoad(m.statics + G_ARENAS + memid.arena * 8);
    const blocks = blocksOf(size);
    // partly decommitted (secure purges): the whole range is recommitted on reuse
    if (!allCommitted) bitmapUnclaim(cpu, cpu.load(arena + A_BLOCKS_COMMITTED), memid.blockIndex, blocks);
    schedulePurge(m, cpu, arena, memid.blockIndex, blocks);
    bitmapUnclaim(cpu, arena + A_BLOCKS_INUSE, memid.blockIndex, blocks);
  }
  arenasTryPurge(m, cpu, false, false);
  leave(m, cpu, prev);
}
