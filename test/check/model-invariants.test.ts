/**
 * The models' debug invariants (src/allocators/shared/invariants.ts): with them on, a corruption
 * planted in simulated memory (machine.poke, as a stray write of the program would) is reported at
 * the next operation that checks the structure, as a `model-invariant` violation naming it; with
 * them off the same corruption goes unreported there.
 */
import { describe, expect, it } from 'vitest';
import { createModel, modelInfo } from '../../src/allocators/index.ts';
import type { Snmalloc } from '../../src/allocators/snmalloc/model.ts';
import type { Mimalloc } from '../../src/allocators/mimalloc/mimalloc.ts';
import { pageOf, segmentOf } from '../../src/allocators/mimalloc/internal.ts';
import { Buddy } from '../../src/allocators/snmalloc/backend/buddy.ts';
import { InplaceRep } from '../../src/allocators/snmalloc/backend/ranges.ts';
import { CH_BK } from '../../src/allocators/glibc/layout.ts';
import { InvariantReports, ModelInvariantFailure } from '../../src/check/model-invariants.ts';
import { ShadowHeap } from '../../src/check/shadow-heap.ts';
import { Driver } from '../../src/experiment/driver.ts';
import { ALLOCATOR_OPERATION as OP } from '../../src/allocators/kit/operations.ts';
import { plainOp } from '../../src/machine/op-text.ts';
import { Machine, machinePreset, QuietCpu, type Cpu } from '../../src/machine/index.ts';

interface Rig {
  machine: Machine;
  driver: Driver;
  cpu: Cpu;
  quiet: QuietCpu;
}

function rig(name: string, invariants = true): Rig {
  const machine = new Machine(machinePreset('default'), { seed: 1 });
  const driver = new Driver(machine, createModel(modelInfo(name), machine), true, name);
  if (invariants) driver.checkInvariants();
  const cpu = machine.cpu(0, 0);
  driver.threadStart(cpu);
  return { machine, driver, cpu, quiet: new QuietCpu(machine, 0, 0) };
}

/** `op` stops with a failed invariant of `structure`, reported as the checker's first violation. */
function expectReported(r: Rig, op: () => unknown, structure: string, opName: RegExp): string {
  expect(r.driver.checker?.violations).toEqual([]);
  expect(op).toThrow(ModelInvariantFailure);
  const v = r.driver.checker?.violations[0];
  expect(v?.kind).toBe('model-invariant');
  expect(v?.structure).toMatch(structure);
  expect(v?.op).toMatch(opName);
  expect(v?.thread).toBe(0);
  expect(v?.message).toContain(structure);
  return v?.message ?? '';
}

describe('snmalloc', () => {
  /** The laden seqset of thread 0's allocator after one small malloc: head <-> the new slab's metadata. */
  function ladenAfterMalloc(r: Rig): { head: number; slab: number } {
    r.driver.call(OP.malloc, r.cpu, 48);
    const ctx = (r.driver.model as Snmalloc).ctx;
    const head = r.machine.peek(r.machine.tlsBase(0)) + ctx.layout.laden;
    const slab = r.machine.peek(head);
    expect(slab).not.toBe(head);
    expect(r.machine.peek(slab)).toBe(head);
    return { head, slab };
  }

  it('seqset: a broken link is reported at the next insertion into the set', () => {
    const r = rig('snmalloc');
    const { slab } = ladenAfterMalloc(r);
    r.machine.poke(slab, slab + 0x40); // slab.next no longer leads back to the head
    const msg = expectReported(r, () => r.driver.call(OP.malloc, r.cpu, 3000), 'snmalloc seqset', /^malloc\(3000/);
    expect(msg).toMatch(/prev->next is 0x[0-9a-f]+, not the node/);
  });

  it('seqset: off, the same corruption passes that operation unreported', () => {
    const r = rig('snmalloc', false);
    const { slab } = ladenAfterMalloc(r);
    r.machine.poke(slab, slab + 0x40);
    expect(r.driver.call(OP.malloc, r.cpu, 3000)).not.toBe(0);
    expect(r.driver.checker?.violations).toEqual([]);
  });

  it('buddy: a block out of order in a level is reported at the next remove_block', () => {
    const machine = new Machine(machinePreset('default'), { seed: 1 });
    const heap = new ShadowHeap(machine);
    InvariantReports.enable(machine, heap);
    const buddy = new Buddy(4, 14, new InplaceRep());
    const cpu = machine.cpu(0, 0);
    cpu.setOp(plainOp('test'), 0, 0);
    const st = machine.staticData(buddy.bytes);
    const arena = machine.staticData(1 << 16);
    const base = arena + (((1 << 14) - (arena % (1 << 14))) % (1 << 14));
    // Four 16-byte blocks, no two of them buddies: three fill the level's cache, the fourth its tree.
    for (const off of [0, 64, 128, 192, 256]) expect(buddy.addBlock(cpu, st, base + off, 16)).toBe(0);
    expect(heap.violations).toEqual([]);
    // The tree's first node gets a link back to a lower address (and off the level's alignment).
    const level0 = st + 24;
    const node = machine.peek(level0);
    expect(node).not.toBe(0);
    machine.poke(node, base + 8);
    expect(() => buddy.removeBlock(cpu, st, 16)).toThrow(ModelInvariantFailure);
    expect(heap.violations[0]?.structure).toBe('snmalloc buddy 2^4..2^14');
    expect(heap.violations[0]?.message).toMatch(/out of order/);
  });
});

describe('mimalloc', () => {
  function pageOfBlock(r: Rig, p: number): { page: number; m: Mimalloc['m'] } {
    const m = (r.driver.model as Mimalloc).m;
    return { page: pageOf(m, r.quiet, segmentOf(p), p), m };
  }

  it('page: a local_free link outside the page is reported when the emptied page retires', () => {
    const r = rig('mimalloc');
    const a = r.driver.call(OP.malloc, r.cpu, 48);
    const b = r.driver.call(OP.malloc, r.cpu, 48);
    const { page, m } = pageOfBlock(r, a);
    r.machine.poke(page + m.layout.page.localFree, segmentOf(a) + 8); // a stray pointer into the segment header
    r.driver.call(OP.free, r.cpu, a);
    const msg = expectReported(r, () => r.driver.call(OP.free, r.cpu, b), 'mimalloc page', /^free\(/);
    expect(msg).toMatch(/the local_free list holds 0x[0-9a-f]+, outside the page's blocks/);
  });

  it('page: used beyond the capacity is reported', () => {
    const r = rig('mimalloc');
    const a = r.driver.call(OP.malloc, r.cpu, 48);
    const { page, m } = pageOfBlock(r, a);
    const P = m.layout.page;
    const capacity = r.machine.peek(page + P.capacity, 2);
    r.machine.poke(page + P.used, capacity + 1, P.usedSize);
    r.machine.poke(page + P.free, 0); // the page has no free block: the next malloc of the size takes a new page
    const msg = expectReported(r, () => r.driver.threadExit(r.cpu), 'mimalloc page', /^thread exit/);
    expect(msg).toMatch(/used \(\d+\) > capacity \(\d+\)/);
  });

  it('segment: a wrong count of pages in use is reported when a page goes back to the segment', () => {
    const r = rig('mimalloc');
    const a = r.driver.call(OP.malloc, r.cpu, 48);
    const m = (r.driver.model as Mimalloc).m;
    const segment = segmentOf(a);
    const used = segment + m.layout.segment.used;
    r.machine.poke(used, r.machine.peek(used) + 1);
    r.driver.call(OP.free, r.cpu, a);
    const msg = expectReported(r, () => r.driver.threadExit(r.cpu), 'mimalloc segment', /^thread exit/);
    expect(msg).toMatch(/spans in use, but used is/);
  });
});

describe('glibc', () => {
  it('bins: a chunk whose bk does not lead back is reported at the next free', () => {
    const r = rig('glibc');
    // Chunks too big for the tcache and the fastbins, kept apart by guards so nothing coalesces.
    const [a, , b] = [2000, 64, 2000, 64].map((n) => r.driver.call(OP.malloc, r.cpu, n)) as [number, number, number, number];
    r.driver.call(OP.free, r.cpu, a); // into the unsorted bin
    r.driver.call(OP.malloc, r.cpu, 3000); // the unsorted scan sorts a's chunk into its large bin
    r.machine.poke(a - 16 + CH_BK, a + 512);
    const msg = expectReported(r, () => r.driver.call(OP.free, r.cpu, b), 'glibc bins', /^free\(/);
    expect(msg).toMatch(/bin \d+: chunk 0x[0-9a-f]+: bk->fd is/);
  });
});
