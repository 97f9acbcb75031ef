/**
 * The check build's mitigations detect what snmalloc's detect (src/snmalloc/mem/freelist.h
 * check_prev, mem/corealloc.h sanity checks); the fast build does not.
 */
import { describe, expect, it } from 'vitest';
import { AllocatorAbort } from '../../../src/allocators/index.ts';
import { QuietCpu, type Cpu } from '../../../src/machine/index.ts';
import { allocOf, world } from './helpers.ts';

/** Redirects the class-3 fast list's head to skip its successor, as a use-after-free write could. */
function skipSuccessor(name: string): () => void {
  const w = world(name);
  const cpu = w.cpus[0]!;
  w.model.malloc(cpu, 64);
  const it = allocOf(w, cpu) + w.ctx.layout.fastLists + 3 * w.ctx.layout.iter.bytes;
  const c = w.m.peek(it + w.ctx.layout.iter.curr);
  const tweak = w.ctx.layout.iter.tweak >= 0 ? w.m.peek(it + w.ctx.layout.iter.tweak) : 0;
  const s = w.ctx.freeList.loadNext(new QuietCpu(w.m, 0, 0), c, w.ctx.statics.keyRoot, tweak);
  w.m.poke(c, w.m.peek(s, 4), 4);
  w.m.poke(c + 4, w.m.peek(s + 4, 4), 4);
  return () => {
    for (let i = 0; i < 4; i++) w.model.malloc(cpu, 64);
  };
}

describe('snmalloc check build', () => {
  it('a corrupted free-list link is detected by the backward-edge signature', () => {
    expect(skipSuccessor('snmalloc-secure')).toThrow(AllocatorAbort);
    expect(skipSuccessor('snmalloc-secure')).toThrow(/Heap corruption - free list corrupted!/);
  });

  it('the fast build follows the corrupted link without noticing', () => {
    expect(skipSuccessor('snmalloc')).not.toThrow();
  });

  it('freeing an interior pointer aborts (sanity_checks); a foreign pointer too', () => {
    const w = world('snmalloc-secure');
    const cpu = w.cpus[0]!;
    const p = w.model.malloc(cpu, 64);
    expect(() => w.model.free(cpu, p + 16)).toThrow(/Not deallocating start of an object/);
    expect(() => w.model.free(cpu, 0x1000_0000)).toThrow(/Not allocated by snmalloc/);
  });

  it('free-list links are stored encoded (forward edge) in the check build and raw in the fast build', () => {
    for (const [name, raw] of [
      ['snmalloc', true],
      ['snmalloc-secure', false],
    ] as const) {
      const w = world(name);
      const cpu = w.cpus[0]!;
      const p = w.model.malloc(cpu, 64);
      const q = w.model.malloc(cpu, 64);
      w.model.free(cpu, q);
      w.model.free(cpu, p);
      // The slab queue now links q -> p: q's word 0 holds p (raw) or p ^ key ^ tweak.
      expect(w.m.peek(q) === p).toBe(raw);
    }
  });
});

describe('snmalloc heap walk', () => {
  it("reports a slab's tail past its last object, so a freed object whose range a slab reuses is not counted lost", () => {
    // The invariant suite's minimal failing case before the tail was reported (check build,
    // `large`, seed 3): the 65537-byte block's chunk becomes a slab of 48-byte objects, whose
    // last 16 bytes belong to no object.
    const w = world('snmalloc-secure', 2);
    const t0 = w.cpus[0] as Cpu;
    const t1 = w.cpus[1] as Cpu;
    const a = w.model.malloc(t1, 65537);
    const b = w.model.malloc(t1, 1 << 20);
    w.model.free(t0, a);
    const c = w.model.realloc(t0, b, 49);
    const d = w.model.realloc(t1, c, 33);
    w.model.free(t0, w.model.realloc(t0, d, 1 << 20));
    const regions = w.model.heapWalk!(new QuietCpu(w.m, 0, 0));
    const slab = 16384;
    const tail = regions.find((r) => r.kind === 'metadata' && r.addr === a + Math.floor(slab / 48) * 48);
    expect(d - (d % slab)).toBe(a); // the 48-byte slab took the freed block's chunk
    expect(tail?.size).toBe(slab - Math.floor(slab / 48) * 48);
  });
});
