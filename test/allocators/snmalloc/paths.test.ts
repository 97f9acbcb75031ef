/**
 * Each path of the model charges the lines and atomics snmalloc's source touches on it
 * (src/snmalloc/mem/corealloc.h, remotecache.h, freelist_queue.h; docs/models/snmalloc.md, Paths).
 */
import { describe, expect, it } from 'vitest';
import { SNMALLOC_BATCHIT_SHAPE, ringIndex, setOf } from '../../../src/allocators/shared/batchit/index.ts';
import { post } from '../../../src/allocators/snmalloc/dealloc.ts';
import { handleMessageQueueSlow } from '../../../src/allocators/snmalloc/inbox.ts';
import { MPSCQ_BACK, MPSCQ_FRONT } from '../../../src/allocators/snmalloc/layout.ts';
import { atomicStats } from '../../../src/machine/index.ts';
import { allocOf, lineOf, metaLine, pagemapLine, world, type World } from './helpers.ts';

/** Thread 0 allocates n 64-byte objects (class 3); the first call initialises its allocator. */
function objects(w: World, n: number, thread = 0): number[] {
  const cpu = w.cpus[thread]!;
  return Array.from({ length: n }, () => w.model.malloc(cpu, 64));
}

/** Thread t gets an allocator (a malloc and a local free). */
function initThread(w: World, t: number): void {
  const cpu = w.cpus[t]!;
  w.model.free(cpu, w.model.malloc(cpu, 4000));
}

describe('snmalloc per-path charges', () => {
  it('alloc fast path: TLS, the sizeclass lookup line, the class free list, the object; no atomics', () => {
    const w = world('snmalloc');
    objects(w, 4);
    const cpu = w.cpus[0]!;
    const a = allocOf(w, cpu);
    let p = 0;
    const t = cpu.trace(() => {
      p = w.model.malloc(cpu, 64);
    });
    const expected = [lineOf(cpu.tls), lineOf(w.ctx.table.lookupAddr(64)), lineOf(a + w.ctx.layout.fastLists + 3 * 8), lineOf(p)];
    expect(t.lines).toEqual(new Set(expected));
    expect(t.rmws).toEqual([]);
  });

  it('local free: the pagemap line, the slab metadata line and the previous tail object, not the freed object', () => {
    const w = world('snmalloc');
    const xs = objects(w, 8);
    const cpu = w.cpus[0]!;
    w.model.free(cpu, xs[1]!);
    const t = cpu.trace(() => w.model.free(cpu, xs[2]!));
    const expected = [lineOf(cpu.tls), lineOf(w.ctx.statics.bodyPtr), pagemapLine(w, xs[2]!), metaLine(w, xs[2]!), lineOf(xs[1]!)];
    expect(t.lines).toEqual(new Set(expected));
    expect(t.lines.has(lineOf(xs[2]!))).toBe(false);
    expect(t.rmws).toEqual([]);
  });

  it('remote free without BatchIt: budget, the freed object, the previous message of its slot; no atomics', () => {
    const w = world('snmalloc');
    const xs = objects(w, 8);
    initThread(w, 1);
    const cpu = w.cpus[1]!;
    const a1 = allocOf(w, cpu);
    const a0 = allocOf(w, w.cpus[0]!);
    w.model.free(cpu, xs[3]!);
    const t = cpu.trace(() => w.model.free(cpu, xs[4]!));
    const slot = w.ctx.outbox.slotOf(a0 + w.ctx.layout.remote, 0);
    const expected = [
      lineOf(cpu.tls),
      lineOf(w.ctx.statics.bodyPtr),
      pagemapLine(w, xs[4]!),
      lineOf(w.ctx.table.fastAddr(64 + 3)),
      lineOf(a1 + w.ctx.layout.capacity),
      lineOf(xs[4]!),
      lineOf(xs[3]!),
      lineOf(a1 + w.ctx.layout.slots + slot * 16),
    ];
    expect(t.lines).toEqual(new Set(expected));
    expect(t.rmws).toEqual([]);
  });

  it('remote free with BatchIt (a hit): the ring, the freed object and the previous ring tail; no metadata line, no atomics', () => {
    const w = world('snmalloc+batchit');
    const xs = objects(w, 8);
    initThread(w, 1);
    const cpu = w.cpus[1]!;
    const a1 = allocOf(w, cpu);
    w.model.free(cpu, xs[3]!);
    const t = cpu.trace(() => w.model.free(cpu, xs[4]!));
    const meta = w.m.peek(w.m.peek(w.ctx.statics.bodyPtr) + Math.floor(xs[4]! / 16384) * 16);
    const r = ringIndex(SNMALLOC_BATCHIT_SHAPE, setOf(SNMALLOC_BATCHIT_SHAPE, meta), 0);
    const base = a1 + w.ctx.layout.batching;
    const expected = [
      lineOf(cpu.tls),
      lineOf(w.ctx.statics.bodyPtr),
      pagemapLine(w, xs[4]!),
      lineOf(w.ctx.table.fastAddr(64 + 3)),
      lineOf(a1 + w.ctx.layout.capacity),
      lineOf(xs[4]!),
      lineOf(xs[3]!),
      lineOf(base + r * 8),
      lineOf(base + 9 * 8 + r * 32),
    ];
    expect(t.lines).toEqual(new Set(expected));
    expect(t.lines.has(metaLine(w, xs[4]!))).toBe(false);
    expect(t.rmws).toEqual([]);
    expect(w.model.counters.get('batchit.hits')).toBe(1);
  });

  it.each(['snmalloc', 'snmalloc+batchit'])("%s: a post makes one exchange per non-empty slot, on each target's back line", (name) => {
    const w = world(name);
    const xs = objects(w, 8, 0);
    const zs = objects(w, 8, 2);
    initThread(w, 1);
    const cpu = w.cpus[1]!;
    for (const p of [xs[3]!, xs[4]!, zs[0]!, zs[5]!]) w.model.free(cpu, p);
    const before = atomicStats(w.m).exchange;
    const t = cpu.trace(() => post(w.ctx, cpu, allocOf(w, cpu)));
    const backs = [0, 2].map((th) => lineOf(allocOf(w, w.cpus[th]!) + w.ctx.layout.remote + MPSCQ_BACK));
    expect(t.rmws.map((r) => r.line).sort()).toEqual(backs.sort());
    expect(atomicStats(w.m).exchange - before).toBe(2);
    expect(w.model.counters.get('queue.segmentsPosted')).toBe(2);
  });

  it('inbox without BatchIt: one element per freed object, each message line read, the newest left queued, no RMW', () => {
    const w = world('snmalloc');
    const xs = objects(w, 12);
    initThread(w, 1);
    const cpu1 = w.cpus[1]!;
    for (const p of xs.slice(3, 9)) w.model.free(cpu1, p);
    post(w.ctx, cpu1, allocOf(w, cpu1));
    const cpu0 = w.cpus[0]!;
    const a0 = allocOf(w, cpu0);
    const fences = atomicStats(w.m).fences;
    const t = cpu0.trace(() => handleMessageQueueSlow(w.ctx, cpu0, a0));
    expect(w.model.counters.get('queue.elementsProcessed')).toBe(5);
    for (const p of xs.slice(3, 8)) expect(t.lines.has(lineOf(p))).toBe(true);
    expect(t.lines.has(lineOf(a0 + w.ctx.layout.remote + MPSCQ_FRONT))).toBe(true);
    expect(t.lines.has(lineOf(a0 + w.ctx.layout.remote + MPSCQ_BACK))).toBe(true);
    expect(t.lines.has(pagemapLine(w, xs[3]!))).toBe(true);
    expect(t.lines.has(metaLine(w, xs[3]!))).toBe(true);
    expect(t.rmws).toEqual([]);
    expect(atomicStats(w.m).fences - fences).toBe(1);
  });

  it("inbox with BatchIt: one element for a ring of six; the ring's inner objects are not touched", () => {
    const w = world('snmalloc+batchit');
    const xs = objects(w, 12);
    initThread(w, 1);
    const cpu1 = w.cpus[1]!;
    const a1 = allocOf(w, cpu1);
    for (const p of xs.slice(3, 9)) w.model.free(cpu1, p);
    post(w.ctx, cpu1, a1);
    w.model.free(cpu1, xs[10]!);
    post(w.ctx, cpu1, a1);
    const cpu0 = w.cpus[0]!;
    const a0 = allocOf(w, cpu0);
    const t = cpu0.trace(() => handleMessageQueueSlow(w.ctx, cpu0, a0));
    expect(w.model.counters.get('queue.elementsProcessed')).toBe(1);
    expect(w.model.counters.get('inbox.objectsFreed')).toBe(6);
    expect(t.lines.has(lineOf(xs[8]!))).toBe(true); // the message: the ring's last object
    for (const p of xs.slice(4, 8)) expect(t.lines.has(lineOf(p))).toBe(false);
    expect(t.rmws).toEqual([]);
  });

  it('a new slab writes the first word of every object (alloc_new_list) and faults in its pages', () => {
    const w = world('snmalloc');
    const cpu = w.cpus[0]!;
    initThread(w, 0);
    let p = 0;
    const faults = w.m.as.pageFaults;
    const t = cpu.trace(() => {
      p = w.model.malloc(cpu, 64);
    });
    const slab = p - (p % 16384);
    for (let o = slab; o < slab + 16384; o += 64) expect(t.lines.has(lineOf(o))).toBe(true);
    expect(w.m.as.pageFaults - faults).toBeGreaterThanOrEqual(4);
    expect(w.model.counters.get('slabs.opened')).toBe(2);
  });

  it('check build: a free writes the freed object (its prev signature), an allocation clears it', () => {
    const w = world('snmalloc-secure');
    const xs = objects(w, 8);
    const cpu = w.cpus[0]!;
    w.model.free(cpu, xs[1]!);
    const t = cpu.trace(() => w.model.free(cpu, xs[2]!));
    expect(t.lines.has(lineOf(xs[2]!))).toBe(true);
    let q = 0;
    const a = cpu.trace(() => {
      q = w.model.malloc(cpu, 64);
    });
    expect(a.log.some((x) => x.write && x.line === lineOf(q))).toBe(true);
    // The fast build neither writes the freed object nor clears the allocated one.
    const f = world('snmalloc');
    const ys = objects(f, 8);
    const fc = f.cpus[0]!;
    f.model.free(fc, ys[1]!);
    expect(fc.trace(() => f.model.free(fc, ys[2]!)).lines.has(lineOf(ys[2]!))).toBe(false);
    let r = 0;
    const b = fc.trace(() => {
      r = f.model.malloc(fc, 64);
    });
    expect(b.log.some((x) => x.write && x.line === lineOf(r))).toBe(false);
  });
});
