/**
 * BatchIt in mimalloc (paper section 3.1): a remote free that hits the freeing thread's cache costs
 * no atomic and writes only blocks (and the thread's own cache state); an eviction posts the whole
 * list with one CAS on the page's xthread_free (plus the 3-CAS delayed route for the first block
 * when the page is armed); with `batchit.carryLength` the owner splices batches without walking them.
 */
import { describe, expect, it } from 'vitest';
import { pageOf, segmentOf } from '../../../src/allocators/mimalloc/internal.ts';
import { pageFreeCollect } from '../../../src/allocators/mimalloc/page.ts';
import { setOf } from '../../../src/allocators/shared/batchit/index.ts';
import { harness, line, traced, type Harness } from './helpers.ts';

function ownLines(h: Harness, cpu: { tls: number }): (l: number) => boolean {
  const td = h.machine.peek(cpu.tls);
  return (l) => l >= line(td) && l <= line(td + h.model.m.tdSize - 1);
}

describe('mimalloc+batchit', () => {
  it("a cache hit makes no atomic and writes, outside the thread's own cache, only the blocks", () => {
    const h = harness('mimalloc+batchit');
    const [t0, t1] = h.cpus as [(typeof h.cpus)[0], (typeof h.cpus)[0]];
    const b = Array.from({ length: 4 }, () => h.model.malloc(t0, 48));
    h.model.malloc(t1, 48);
    h.model.free(t1, b[0] as number); // miss: opens the page's list
    const r = traced(h.machine, t1, () => h.model.free(t1, b[1] as number));
    expect(r.atomics).toBe(0);
    const own = ownLines(h, t1);
    expect(r.written.filter((l) => !own(l)).every((l) => l === line(b[0] as number) || l === line(b[1] as number))).toBe(true);
    expect(h.model.counters.get('batchit.hits')).toBe(1);
  });

  it('evicting the longest list: 3 CAS + 1 CAS into an armed page, then exactly one CAS', () => {
    const h = harness('mimalloc+batchit', { 'batchit.sets': 1, 'batchit.ways': 2 });
    const [t0, t1] = h.cpus as [(typeof h.cpus)[0], (typeof h.cpus)[0]];
    const A = Array.from({ length: 5 }, () => h.model.malloc(t0, 48));
    const B = h.model.malloc(t0, 64);
    const C = h.model.malloc(t0, 80);
    const D = h.model.malloc(t0, 96);
    h.model.malloc(t1, 48);
    for (const a of A.slice(0, 3)) h.model.free(t1, a); // A: 3 blocks in way 0
    h.model.free(t1, B); // B in way 1
    const first = traced(h.machine, t1, () => h.model.free(t1, C)); // evicts A (longest), armed
    expect(first.cas).toBe(4);
    expect(h.model.counters.get('batchit.armed')).toBe(1);
    h.model.free(t1, A[3] as number); // evicts C (tie with B: the lower way), armed, a single block
    h.model.free(t1, A[4] as number); // hit
    const again = traced(h.machine, t1, () => h.model.free(t1, D)); // evicts A (2 blocks), no longer armed
    expect(again.cas).toBe(1);
    expect(again.atomics).toBe(1);
    expect(h.model.counters.get('batchit.evictions')).toBe(3);
  });

  it('the owner walks every batched block when it collects, unless batches carry their length', () => {
    const walked = (carry: boolean) => {
      const h = harness('mimalloc+batchit', { 'batchit.sets': 1, 'batchit.ways': 1, 'batchit.carryLength': carry });
      const [t0, t1] = h.cpus as [(typeof h.cpus)[0], (typeof h.cpus)[0]];
      const A = Array.from({ length: 5 }, () => h.model.malloc(t0, 256));
      const B = h.model.malloc(t0, 64);
      h.model.malloc(t1, 48);
      for (const a of A) h.model.free(t1, a);
      h.model.free(t1, B); // evicts A: the first block via the heap, the other 4 as one batch
      const page = pageOf(h.model.m, t0, segmentOf(A[0] as number), A[0] as number);
      const r = traced(h.machine, t0, () => pageFreeCollect(h.model.m, t0, page, false));
      return { r, A, c: h.model.counters };
    };
    const walk = walked(false);
    expect(walk.c.get('collect.blocks')).toBe(4);
    expect(walk.c.get('collect.blocksWalked')).toBe(4);
    for (const a of walk.A.slice(1)) expect(walk.r.read).toContain(line(a));
    const carry = walked(true);
    expect(carry.c.get('collect.blocks')).toBe(4);
    expect(carry.c.get('collect.blocksWalked')).toBe(0);
    expect(carry.c.get('collect.batches')).toBe(1);
    for (const a of carry.A.slice(1, 4)) expect(carry.r.read).not.toContain(line(a)); // the interior is not read
    expect(carry.r.cas).toBe(1);
  });

  it('producer/consumer: batching executes far fewer atomics; the owner gets the same blocks back in fewer collections', () => {
    const run = (name: string) => {
      const h = harness(name);
      const [t0, t1] = h.cpus as [(typeof h.cpus)[0], (typeof h.cpus)[0]];
      h.model.malloc(t1, 48);
      for (let round = 0; round < 20; round++) {
        const msgs = Array.from({ length: 64 }, (_, i) => h.model.malloc(t0, i % 2 === 0 ? 48 : 64)); // two pages
        for (const p of msgs) h.model.free(t1, p);
      }
      const atomics = h.machine.atomics[0] as number;
      h.model.threadExit?.(t1); // BatchIt: posts the open lists
      h.model.threadExit?.(t0);
      const c = h.model.counters;
      return {
        atomics,
        back: c.get('collect.blocks') + c.get('delayed.blocks'),
        collections: c.get('collect.pages'),
        remote: c.get('free.remote'),
      };
    };
    const plain = run('mimalloc');
    const batched = run('mimalloc+batchit');
    expect(batched.remote).toBe(plain.remote);
    expect(batched.atomics).toBeLessThan(plain.atomics / 3);
    expect(batched.back).toBe(plain.back);
    expect(batched.collections).toBeLessThan(plain.collections);
  });

  it("with v2.1.2's 80-byte page structs, the multiply-shift hash sends consecutive small pages to one set (v2.4.1's 96 bytes do not)", () => {
    const sets = (version: string) => {
      const h = harness('mimalloc+batchit', { version });
      const t0 = h.cpus[0] as (typeof h.cpus)[0];
      // one block of each of 8 small size classes: 8 consecutive pages of one segment
      const pages = [48, 64, 80, 96, 112, 128, 160, 192].map((sz) => {
        const p = h.model.malloc(t0, sz);
        return pageOf(h.model.m, t0, segmentOf(p), p);
      });
      return new Set(pages.slice(1).map((pg) => setOf(h.model.m.cfg.shape, pg))).size;
    };
    expect(sets('2.1.2')).toBe(1);
    expect(sets('2.4.1')).toBeGreaterThan(4);
  });
});
