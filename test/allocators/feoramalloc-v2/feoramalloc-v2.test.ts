/**
 * feoramalloc design 2: the segment layout, bump-then-free-list allocation, remote frees by a CAS
 * loop on the owning heap's list (collected at the owner's next allocation), the open slab lists of
 * an exited thread and orphan adoption; and the contrast with design 1 on a multi-thread run.
 */
import { describe, expect, it } from 'vitest';
import { describeData } from '../../../src/cli/commands/describe.ts';
import { runExperiment } from '../../../src/experiment/run.ts';
import { A_CAS, type Cpu } from '../../../src/machine/index.ts';
import { setupModel } from '../model-setup.ts';
import '../../../src/workloads/index.ts';

const setup = (threads: number) => setupModel('feoramalloc-v2', threads);

describe('feoramalloc-v2', () => {
  it('lays out a 2 MiB Small segment as 32 slabs after a 2944-byte header, and Large segments as one slab', () => {
    const d = describeData('feoramalloc-v2', []);
    const bins = Object.fromEntries(d.sizeClasses.map((c) => [c.size, [c.binsPerSlab, c.binsInFirstSlab]]));
    expect(bins[8]).toEqual([8192, 7824]);
    expect(bins[4096]).toEqual([16, 15]);
    expect(bins[8192]).toEqual([8, 7]);
    expect(bins[16384]).toEqual([127, 127]);
    expect(bins[524288]).toEqual([3, 3]);
    expect(d.constants.smallSegmentFirstDataOffset).toBe(2944);
  });

  it('bumps fresh bins, then reuses freed ones from the slab free list', () => {
    const { model, cpus } = setup(1);
    const c = cpus[0] as Cpu;
    const a = model.malloc(c, 100);
    const b = model.malloc(c, 100);
    expect(b - a).toBe(128);
    model.free(c, a);
    expect(model.malloc(c, 128)).toBe(a);
    expect(model.counters.get('bumpAllocations')).toBe(2);
    expect(model.counters.get('freeListAllocations')).toBe(1);
  });

  it("pushes a remote free onto the owner heap's list with a CAS; the owner collects it at its next allocation", () => {
    const { machine, model, cpus } = setup(2);
    const [owner, other] = cpus as [Cpu, Cpu];
    const p = model.malloc(owner, 64);
    model.malloc(owner, 64);
    const cas = machine.atomics[A_CAS] as number;
    model.free(other, p);
    expect((machine.atomics[A_CAS] as number) - cas).toBe(1);
    expect(model.counters.get('remoteFreesToHeap')).toBe(1);
    expect(model.malloc(owner, 64)).toBe(p); // collected (one CAS takes the list), freed locally, popped
    expect(model.counters.get('collections')).toBe(1);
  });

  it("sends frees for an exited thread's slabs to the slab's own list, merged when another thread adopts the segment", () => {
    const { model, cpus } = setup(3);
    const [a, b, c] = cpus as [Cpu, Cpu, Cpu];
    const blocks = Array.from({ length: 10 }, () => model.malloc(a, 256));
    model.threadExit?.(a);
    expect(model.counters.get('segmentsOrphaned')).toBe(1);
    model.free(b, blocks[3] as number);
    expect(model.counters.get('remoteFreesToSlab')).toBe(1);
    // c needs a slab: it adopts a's segment (merging the slab's list into its free list) and, as
    // written, then sets up a fresh slab from the adopted segment's free slabs for its own request.
    const q = model.malloc(c, 256);
    expect(model.counters.get('orphanAdoptions')).toBe(1);
    expect(model.counters.get('segmentsMapped')).toBe(1);
    expect(model.counters.get('mergedRemoteFrees')).toBe(1);
    expect(blocks).not.toContain(q);
    const walk = model.heapWalk?.(c) ?? [];
    const p = blocks[3] as number;
    expect(walk.find((r) => r.addr <= p && p < r.addr + r.size)?.kind).toBe('free');
  });

  it("contends on the owner heap's list head under remote frees, where design 1 flips bits without a CAS", () => {
    const run = (allocator: string) =>
      runExperiment({ allocator, workload: 'random', workloadParams: { threads: 4, ops: 1200, remoteFreeFraction: 0.5 } });
    const v2 = run('feoramalloc-v2');
    const v1 = run('feoramalloc');
    expect(v2.error).toBeUndefined();
    expect(v1.error).toBeUndefined();
    expect(v2.atomics.cas).toBeGreaterThan(v2.allocatorCounters.remoteFreesToHeap as number);
    expect(v2.atomics.casFailed).toBeGreaterThan(0);
    expect(v1.atomics.fetchOr).toBe(v1.allocatorCounters.remoteFrees);
    expect(v1.atomics.cas).toBeLessThan((v1.allocatorCounters.remoteFrees as number) / 20);
  });
});
