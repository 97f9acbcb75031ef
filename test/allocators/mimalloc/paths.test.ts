/**
 * Each path charges the cache lines and atomics that mimalloc's source touches on it (src/alloc.c,
 * src/free.c, src/page.c, src/heap.c; docs/models/mimalloc.md, Paths), for the v2.1.2 layouts:
 * local malloc and free touch the heap/page/block lines with no atomic; a remote free is one CAS on
 * `xthread_free`, or 3 CAS through the owner heap when the page is armed; a collect is one CAS plus
 * a read of every listed block; a delayed-free drain is one CAS to take the list (plus a re-arm).
 */
import { describe, expect, it } from 'vitest';
import { heapDelayedFreePartial } from '../../../src/allocators/mimalloc/heap.ts';
import { pageOf, segmentOf } from '../../../src/allocators/mimalloc/internal.ts';
import { pageFreeCollect } from '../../../src/allocators/mimalloc/page.ts';
import { harness, line, sorted, traced } from './helpers.ts';

function setup() {
  const h = harness('mimalloc');
  const [t0, t1] = h.cpus as [(typeof h.cpus)[0], (typeof h.cpus)[0]];
  const blocks = Array.from({ length: 8 }, () => h.model.malloc(t0, 48));
  h.model.malloc(t1, 48); // t1 has a heap of its own
  const m = h.model.m;
  const p = blocks[0] as number;
  const seg = segmentOf(p);
  const page = pageOf(m, t0, seg, p);
  const heap = h.machine.peek(t0.tls);
  return { ...h, t0, t1, m, blocks, seg, page, heap, P: m.layout.page, S: m.layout.segment, H: m.layout.heap };
}

describe('mimalloc per-path lines and atomics (v2.1.2 layout)', () => {
  it('local malloc, fast path: TLS heap pointer, pages_free_direct entry, the page hot line, the block; no atomics', () => {
    const s = setup();
    let p = 0;
    const r = traced(s.machine, s.t0, () => {
      p = s.model.malloc(s.t0, 48);
    });
    const want = sorted([
      line(s.t0.tls),
      line(s.heap + s.H.pagesFreeDirect + 6 * 8),
      line(s.page + s.P.free),
      line(s.page + s.P.used),
      line(p),
    ]);
    expect(r.lines).toEqual(want);
    expect(r.atomics).toBe(0);
  });

  it('local free, fast path: segment thread_id, slice/page lines, the block written; no atomics', () => {
    const s = setup();
    const b = s.blocks[3] as number;
    const r = traced(s.machine, s.t0, () => s.model.free(s.t0, b));
    const want = sorted(
      [s.seg + s.S.threadId, s.page + s.P.sliceOffset, s.page + s.P.flags, s.page + s.P.localFree, s.page + s.P.used, b].map(line),
    );
    expect(r.lines).toEqual(want);
    expect(r.written).toContain(line(b));
    expect(r.atomics).toBe(0);
  });

  it('remote free into an armed (fresh) page: through the owner heap delayed list, 3 CAS', () => {
    const s = setup();
    const b = s.blocks[1] as number;
    const r = traced(s.machine, s.t1, () => s.model.free(s.t1, b));
    const want = sorted(
      [
        s.seg + s.S.threadId,
        s.seg + s.S.kind,
        s.page + s.P.sliceOffset,
        s.page + s.P.flags,
        s.page + s.P.xthreadFree,
        s.page + s.P.xheap,
        s.heap + s.H.threadDelayedFree,
        b,
      ].map(line),
    );
    expect(r.lines).toEqual(want);
    expect(r.cas).toBe(3);
    expect(r.atomics).toBe(3);
    expect(s.model.counters.get('free.remote.armed')).toBe(1);
  });

  it('remote free, common case: one CAS on xthread_free and the block written', () => {
    const s = setup();
    s.model.free(s.t1, s.blocks[1] as number); // arms off the page (NO_DELAYED_FREE)
    const b = s.blocks[2] as number;
    const r = traced(s.machine, s.t1, () => s.model.free(s.t1, b));
    const want = sorted(
      [s.seg + s.S.threadId, s.seg + s.S.kind, s.page + s.P.sliceOffset, s.page + s.P.flags, s.page + s.P.xthreadFree, b].map(line),
    );
    expect(r.lines).toEqual(want);
    expect(r.written).toEqual(sorted([line(s.page + s.P.xthreadFree), line(b)]));
    expect(r.cas).toBe(1);
    expect(r.atomics).toBe(1);
    expect(s.model.counters.get('free.remote.common')).toBe(1);
  });

  it('collect: one CAS takes xthread_free, then every listed block is read (the walk)', () => {
    const s = setup();
    s.model.free(s.t1, s.blocks[1] as number);
    const listed = [2, 4, 6].map((i) => s.blocks[i] as number);
    for (const b of listed) s.model.free(s.t1, b);
    const r = traced(s.machine, s.t0, () => pageFreeCollect(s.m, s.t0, s.page, false));
    for (const b of listed) expect(r.read).toContain(line(b));
    const want = sorted([s.page + s.P.xthreadFree, s.page + s.P.localFree, s.page + s.P.used, s.page + s.P.free, ...listed].map(line));
    expect(r.lines).toEqual(want);
    expect(r.cas).toBe(1);
    expect(r.atomics).toBe(1);
    expect(s.model.counters.get('collect.blocksWalked')).toBe(3);
  });

  it('delayed-free drain: one CAS takes the heap list; the page is re-armed (one CAS) and its block freed locally', () => {
    const s = setup();
    const b = s.blocks[1] as number;
    s.model.free(s.t1, b);
    const r = traced(s.machine, s.t0, () => heapDelayedFreePartial(s.m, s.t0, s.heap));
    expect(r.read).toContain(line(s.heap + s.H.threadDelayedFree));
    expect(r.written).toContain(line(b));
    expect(r.cas).toBe(2);
    expect(r.atomics).toBe(2);
    expect(s.model.counters.get('delayed.drains')).toBe(1);
  });
});
