/**
 * Where abandoned segments wait to be reclaimed. Two designs, by version:
 *
 * - v2.1.2 (src/segment.c "Abandonment"): a global lock-free list with a tagged head against A-B-A
 *   and a reader count against purging a segment being read; segments visited without being
 *   reclaimed go to a second `visited` list, swapped back in whenever the main list runs dry — so
 *   one pass (up to 1024 pops in `_mi_abandoned_collect`) can visit the same segments again and again.
 * - v2.1.4+, including 2cca58 (src/arena.c "Abandoned segments"): a `blocks_abandoned` bitmap per
 *   arena and a global count; a pass is a cursor over the arenas (from a random one) that claims
 *   each set bit once; segments set aside are marked again. Segments outside arenas are only
 *   counted (they can be reclaimed on a free, by a CAS on their thread id).
 */
import type { Cpu } from '../../machine/cpu.ts';
import { A_BLOCKS_ABANDONED, A_FIELD_COUNT, A_START, ARENA_BLOCK_SIZE } from './arena.ts';
import { bitmapClaim, bitmapTest, bitmapUnclaim, FIELD_BITS } from './bitmap.ts';
import {
  G_ABANDONED,
  G_ABANDONED_COUNT,
  G_ABANDONED_READERS,
  G_ABANDONED_VISITED,
  G_ABANDONED_VISITED_COUNT,
  G_ARENAS,
  G_ARENA_COUNT,
  heapRandomNext,
  type Mi,
} from './internal.ts';
import { MEMID_ARENA_ID, MEMID_BLOCK_INDEX, MEMID_KIND, MEM_ARENA, SEGMENT_SIZE } from './types.ts';

// ---- v2.1.2: the tagged lock-free list and the visited list ----

/** segment.c MI_TAGGED_MASK: the tag lives in the low (segment-alignment) bits of the pointer. */
function taggedPtr(ts: number): number {
  return ts - (ts % SEGMENT_SIZE);
}

function tagged(segment: number, ts: number): number {
  return segment + (((ts % SEGMENT_SIZE) + 1) % SEGMENT_SIZE);
}

function nextOf(m: Mi, cpu: Cpu, segment: number): number {
  return cpu.atomicLoad(segment + m.layout.segment.abandonedNext);
}

function setNext(m: Mi, cpu: Cpu, segment: number, next: number): void {
  cpu.atomicStore(segment + m.layout.segment.abandonedNext, next);
}

/** segment.c mi_abandoned_visited_push. */
function visitedPush(m: Mi, cpu: Cpu, segment: number): void {
  const head = m.statics + G_ABANDONED_VISITED;
  for (;;) {
    const anext = cpu.atomicLoad(head);
    setNext(m, cpu, segment, anext);
    if (cpu.cas(head, anext, segment)) break;
  }
  cpu.fetchAdd(m.statics + G_ABANDONED_VISITED_COUNT, 1);
}

/** segment.c mi_abandoned_visited_revisit: move the visited list back to the abandoned list. */
function visitedRevisit(m: Mi, cpu: Cpu): boolean {
  const visited = m.statics + G_ABANDONED_VISITED;
  const abandoned = m.statics + G_ABANDONED;
  if (cpu.load(visited) === 0) return false;
  const first = cpu.exchange(visited, 0);
  if (first === 0) return false;
  let ts = cpu.atomicLoad(abandoned);
  const count = cpu.load(m.statics + G_ABANDONED_VISITED_COUNT);
  if (taggedPtr(ts) === 0 && cpu.cas(abandoned, ts, tagged(first, ts))) {
    cpu.fetchAdd(m.statics + G_ABANDONED_COUNT, count);
    cpu.fetchAdd(m.statics + G_ABANDONED_VISITED_COUNT, -count);
    return true;
  }
  let last = first;
  for (let next = nextOf(m, cpu, last); next !== 0; next = nextOf(m, cpu, last)) last = next;
  for (;;) {
    ts = cpu.atomicLoad(abandoned);
    setNext(m, cpu, last, taggedPtr(ts));
    if (cpu.cas(abandoned, ts, tagged(first, ts))) break;
  }
  cpu.fetchAdd(m.statics + G_ABANDONED_COUNT, count);
  cpu.fetchAdd(m.statics + G_ABANDONED_VISITED_COUNT, -count);
  return true;
}

/** segment.c mi_abandoned_push. */
function listPush(m: Mi, cpu: Cpu, segment: number): void {
  const head = m.statics + G_ABANDONED;
  for (;;) {
    const ts = cpu.atomicLoad(head);
    setNext(m, cpu, segment, taggedPtr(ts));
    if (cpu.cas(head, ts, tagged(segment, ts))) break;
  }
  cpu.fetchAdd(m.statics + G_ABANDONED_COUNT, 1);
}

/** segment.c mi_abandoned_pop: the reader count is held while `abandoned_next` is read. */
function listPop(m: Mi, cpu: Cpu): number {
  const head = m.statics + G_ABANDONED;
  if (taggedPtr(cpu.load(head)) === 0 && !visitedRevisit(m, cpu)) return 0;
  cpu.fetchAdd(m.statics + G_ABANDONED_READERS, 1);
  let ts = cpu.atomicLoad(head);
  let segment = taggedPtr(ts);
  while (segment !== 0 && !cpu.cas(head, ts, tagged(nextOf(m, cpu, segment), ts))) {
    ts = cpu.atomicLoad(head);
    segment = taggedPtr(ts);
  }
  cpu.fetchAdd(m.statics + G_ABANDONED_READERS, -1);
  if (segment !== 0) {
    setNext(m, cpu, segment, 0);
    cpu.fetchAdd(m.statics + G_ABANDONED_COUNT, -1);
  }
  return segment;
}

// ---- v2.1.4+: the arenas' abandoned bitmaps ----

function arenaOf(m: Mi, cpu: Cpu, segment: number): { arena: number; idx: number } | null {
  if (cpu.load(segment + MEMID_KIND, 4) !== MEM_ARENA) return null;
  const arena = cpu.atomicLoad(m.statics + G_ARENAS + (cpu.load(segment + MEMID_ARENA_ID, 4) - 1) * 8);
  return { arena, idx: cpu.load(segment + MEMID_BLOCK_INDEX) };
}

/** arena.c _mi_arena_segment_mark_abandoned. */
function bitmapMark(m: Mi, cpu: Cpu, segment: number): void {
  cpu.atomicStore(segment + m.layout.segment.threadId, 0);
  const a = arenaOf(m, cpu, segment);
  if (a === null || bitmapClaim(cpu, cpu.load(a.arena + A_BLOCKS_ABANDONED), a.idx, 1)) cpu.fetchAdd(m.statics + G_ABANDONED_COUNT, 1);
}

/** A pass over the abandoned segments (arena.c mi_arena_field_cursor_t). */
export interface Cursor {
  start: number;
  count: number;
  bit: number;
}

// ---- the interface segment.c uses ----

/** Abandons a segment whose thread id is already cleared (list) or clears it (bitmap). */
export function abandonedMark(m: Mi, cpu: Cpu, segment: number): void {
  if (m.cfg.abandonedCursor) {
    bitmapMark(m, cpu, segment);
    return;
  }
  cpu.atomicStore(segment + m.layout.segment.threadId, 0);
  setNext(m, cpu, segment, 0);
  listPush(m, cpu, segment);
}

/** A visited segment that was not reclaimed is set aside (v2.1.2: the visited list; later: marked again). */
export function abandonedSetAside(m: Mi, cpu: Cpu, segment: number): void {
  if (m.cfg.abandonedCursor) bitmapMark(m, cpu, segment);
  else visitedPush(m, cpu, segment);
}

/** arena.c _mi_arena_segment_clear_abandoned: take a specific segment (reclaim on free); sets our thread id. */
export function abandonedClear(m: Mi, cpu: Cpu, segment: number): boolean {
  const a = arenaOf(m, cpu, segment);
  if (a === null) {
    if (!cpu.cas(segment + m.layout.segment.threadId, 0, cpu.tls)) return false;
    cpu.fetchAdd(m.statics + G_ABANDONED_COUNT, -1);
    return true;
  }
  if (!bitmapUnclaim(cpu, cpu.load(a.arena + A_BLOCKS_ABANDONED), a.idx, 1)) return false;
  cpu.fetchAdd(m.statics + G_ABANDONED_COUNT, -1);
  cpu.atomicStore(segment + m.layout.segment.threadId, cpu.tls);
  return true;
}

export function abandonedCount(m: Mi, cpu: Cpu): number {
  return cpu.atomicLoad(m.statics + G_ABANDONED_COUNT);
}

/** arena.c _mi_arena_field_cursor_init: from a random arena. */
export function cursorInit(m: Mi, cpu: Cpu, heap: number): Cursor {
  if (!m.cfg.abandonedCursor) return { start: 0, count: 0, bit: -1 };
  const n = cpu.atomicLoad(m.statics + G_ARENA_COUNT);
  return { start: n === 0 ? 0 : heapRandomNext(m, cpu, heap) % n, count: 0, bit: -1 };
}

/** The next abandoned segment of a pass (claimed: no other thread gets it), or 0. */
export function cursorNext(m: Mi, cpu: Cpu, c: Cursor): number {
  if (!m.cfg.abandonedCursor) return listPop(m, cpu);
  const n = cpu.atomicLoad(m.statics + G_ARENA_COUNT);
  if (n <= 0 || abandonedCount(m, cpu) === 0) return 0;
  for (; c.count < n; c.count++, c.bit = -1) {
    const arena = cpu.atomicLoad(m.statics + G_ARENAS + ((c.start + c.count) % n) * 8);
    if (arena === 0) continue;
    const bitmap = cpu.load(arena + A_BLOCKS_ABANDONED);
    const bits = cpu.load(arena + A_FIELD_COUNT) * FIELD_BITS;
    for (let b = c.bit + 1; b < bits; b++) {
      if (b % 32 === 0 && cpu.atomicLoad(bitmap + (b / 32) * 4, 4) === 0) {
        b += 31; // skip an empty word quickly
        continue;
      }
      if (bitmapTest(cpu, bitmap, b) && bitmapUnclaim(cpu, bitmap, b, 1)) {
        cpu.fetchAdd(m.statics + G_ABANDONED_COUNT, -1);
        c.bit = b;
        return cpu.load(arena + A_START) + b * ARENA_BLOCK_SIZE;
      }
    }
  }
  return 0;
}
