/**
 * Arenas: the first thread to malloc gets main_arena; each further thread gets an arena of its own
 * (in a 64 MiB-aligned heap) until the limit of 8 x cores, then shares by reused_arena; a free from
 * another thread goes back to the owning arena, under that arena's lock.
 */
import { describe, expect, it } from 'vitest';
import { atomicStats } from '../../../src/machine/index.ts';
import { glibcRig, heapOf } from './helpers.ts';

describe('glibc arenas', () => {
  it('threads beyond the first get their own arena, each in its own heap', () => {
    const rig = glibcRig({}, 4);
    const ptrs = rig.cpus.map((c) => rig.model.malloc(c, 100));
    expect(ptrs[0]! < rig.machine.as.brkEnd).toBe(true); // main_arena: the brk heap
    const heaps = new Set(ptrs.slice(1).map(heapOf));
    expect(heaps.size).toBe(3);
    expect(rig.model.counters.get('arenasCreated')).toBe(3);
    // A thread stays bound to its arena.
    expect(heapOf(rig.model.malloc(rig.cpus[2]!, 3000))).toBe(heapOf(ptrs[2]!));
  });

  it('the arena limit is 8 x cores once more than arena_test arenas exist; later threads share', () => {
    const rig = glibcRig({}, 20, 2);
    const ptrs = rig.cpus.map((c) => rig.model.malloc(c, 100));
    expect(rig.model.counters.get('arenasCreated')).toBe(15); // 16 arenas with main_arena
    expect(rig.model.counters.get('arenasReused')).toBe(4);
    // 16 arenas in use in all; reused_arena starts its round at main_arena (next_to_use).
    expect(new Set(ptrs.map(heapOf)).size).toBe(16);
    expect(ptrs[16]! < rig.machine.as.brkEnd).toBe(true);
  });

  it('arena_max caps the arenas', () => {
    const rig = glibcRig({ arena_max: 2 }, 4);
    for (const c of rig.cpus) rig.model.malloc(c, 100);
    expect(rig.model.counters.get('arenasCreated')).toBe(1);
    expect(rig.model.counters.get('arenasReused')).toBe(2);
  });

  it('a free from another thread goes back to the owning arena under its lock', () => {
    const rig = glibcRig({}, 2);
    const [t0, t1] = [rig.cpus[0]!, rig.cpus[1]!];
    rig.model.malloc(t0, 16);
    const p = rig.model.malloc(t1, 2000); // too big for the tcache and the fastbins
    rig.model.malloc(t1, 16); // keeps p away from top
    const locks = atomicStats(rig.machine).locks;
    rig.model.free(t0, p);
    expect(rig.model.counters.get('freeLockedOtherArena')).toBe(1);
    expect(atomicStats(rig.machine).locks).toBe(locks + 1);
    // It sits in thread 1's arena: thread 1 gets it back; thread 0 would not.
    expect(heapOf(rig.model.malloc(t0, 2000))).not.toBe(heapOf(p));
    expect(rig.model.malloc(t1, 2000)).toBe(p);
  });

  it("a small free from another thread is cached in the freeing thread's tcache", () => {
    const rig = glibcRig({}, 2);
    const [t0, t1] = [rig.cpus[0]!, rig.cpus[1]!];
    const p = rig.model.malloc(t1, 200);
    rig.model.free(t0, p);
    expect(rig.model.malloc(t0, 200)).toBe(p);
  });

  it("an exited thread's arena goes to the free list and the next new thread takes it", () => {
    const rig = glibcRig({}, 3);
    const [t0, t1, t2] = [rig.cpus[0]!, rig.cpus[1]!, rig.cpus[2]!];
    rig.model.malloc(t0, 16);
    const p = rig.model.malloc(t1, 100);
    rig.model.threadExit?.(t1);
    const q = rig.model.malloc(t2, 100);
    expect(heapOf(q)).toBe(heapOf(p));
    expect(rig.model.counters.get('arenasFromFreeList')).toBe(1);
    expect(rig.model.counters.get('arenasCreated')).toBe(1);
  });
});
