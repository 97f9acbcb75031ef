/**
 * IsoAlloc's signature behaviours, produced by the mechanism: delayed double-free detection at the
 * quarantine flush, canary checks catching a write past a chunk, guard pages, the global root lock
 * serialising threads, zone retirement, big-zone reuse and PRE_POPULATE_PAGES.
 */
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../../src/experiment/run.ts';
import { createModel, modelInfo } from '../../../src/allocators/index.ts';
import { Machine, MachineFault, machinePreset } from '../../../src/machine/index.ts';
import type { ThreadBody } from '../../../src/sim/thread.ts';
import { free, malloc, write } from '../../../src/workloads/ops.ts';
import '../../../src/workloads/index.ts';
import { runScript } from '../script.ts';

describe('isoalloc', () => {
  it('detects a double free when the quarantine holding both copies is flushed, and reports it as a detected workload fault', () => {
    const r = runScript('isoalloc', [
      function* (): ThreadBody {
        const blocks: number[] = [];
        for (let i = 0; i < 100; i++) blocks.push((yield malloc(64)) as number);
        yield free(blocks[0] as number);
        yield free(blocks[0] as number); // the double free: only queued
        for (let i = 1; i < 100; i++) yield free(blocks[i] as number); // the 65th free flushes the quarantine
      },
    ]);
    expect(r.error?.kind).toBe('allocator-abort');
    expect(r.error?.message).toMatch(/Double free of chunk 0x[0-9a-f]+ detected from zone\[1\]/);
    const fault = r.check.workloadFaults[0];
    expect(fault?.kind).toBe('double-free');
    expect(fault?.detectedByModel).toBe(true);
    expect(fault?.detectedLaterBy).toMatch(/^free\(/);
  });

  it("catches a write past the end of a chunk with the neighbour's canary when the chunk is freed", () => {
    const r = runScript('isoalloc', [
      function* (): ThreadBody {
        const blocks: number[] = [];
        for (let i = 0; i < 300; i++) blocks.push((yield malloc(64)) as number);
        const mine = new Set(blocks);
        const a = blocks.find((p) => mine.has(p + 64)) as number;
        const b = a + 64;
        const others = blocks.filter((p) => p !== a && p !== b);
        yield free(b);
        for (let i = 0; i < 64; i++) yield free(others.pop() as number); // flush: b gets its canaries
        yield write(a + 64, 0x41414141, 8); // 8 bytes past a's end: b's head canary
        yield free(a);
        for (let i = 0; i < 64; i++) yield free(others.pop() as number); // flush: a's neighbours are checked
      },
    ]);
    expect(r.error?.kind).toBe('allocator-abort');
    expect(r.error?.message).toMatch(/Canary at beginning of chunk 0x[0-9a-f]+ in zone\[1\]\[64 byte chunks\] has been corrupted/);
    const fault = r.check.workloadFaults.find((f) => f.kind === 'out-of-bounds-write');
    expect(fault?.detectedByModel).toBe(true);
  });

  it('surrounds a zone with PROT_NONE guard pages: touching the page below it is a machine fault', () => {
    const machine = new Machine(machinePreset('default'));
    const model = createModel(modelInfo('isoalloc'), machine);
    const cpu = machine.cpu(0, 0);
    model.threadStart?.(cpu);
    const p = model.malloc(cpu, 100);
    const zone = machine.as.vmaAt(p);
    expect(zone?.end !== undefined && zone.end - zone.start).toBe(4 * 1024 * 1024);
    expect(() => cpu.store((zone?.start ?? 0) - 8, 1)).toThrow(MachineFault);
    expect(() => cpu.load(zone?.end ?? 0)).toThrow(MachineFault);
  });

  it('serialises threads on the global root lock: lock contention grows with the thread count', () => {
    const contended = [1, 2, 4].map((threads) => {
      const r = runExperiment({ allocator: 'isoalloc', workload: 'random', workloadParams: { threads, ops: 400 } });
      expect(r.error).toBeUndefined();
      return r.atomics.lockContended / r.atomics.locks;
    });
    expect(contended[0]).toBe(0);
    expect(contended[1]).toBeGreaterThan(0);
    expect(contended[2]).toBeGreaterThan(contended[1] as number);
  });

  it('retires an 8 KiB zone once it is empty after 32 × 512 allocations, and builds a fresh one in its place', () => {
    const r = runScript('isoalloc', [
      function* (): ThreadBody {
        // The zone must be empty when a flush ends, so the free that triggers each flush (the 65th
        // since the last) is of a 32-byte chunk, not of the 8 KiB zone's.
        let queued = 0;
        for (let i = 0; i < 16_600; i++) {
          yield free((yield malloc(8192)) as number);
          if (++queued === 64) {
            yield free((yield malloc(32)) as number);
            queued = 1;
          }
        }
      },
    ]);
    expect(r.error).toBeUndefined();
    expect(r.allocatorCounters.zonesRetired).toBe(1);
    expect(r.allocatorCounters.zonesCreated).toBe(10); // 9 default zones + the replacement
    expect(r.memory.munmap).toBe(2); // user pages and the bitmap's own mapping
  });

  it('reuses a freed big zone (> 64 KiB) from its free list once the quarantine releases it', () => {
    const r = runScript('isoalloc', [
      function* (): ThreadBody {
        const big = (yield malloc(100_000)) as number;
        yield free(big);
        for (let i = 0; i < 64; i++) yield free((yield malloc(32)) as number);
        const again = (yield malloc(100_000)) as number;
        expect(again).toBe(big);
        yield free(again);
      },
    ]);
    expect(r.error).toBeUndefined();
    expect(r.allocatorCounters.bigZonesCreated).toBe(1);
    expect(r.allocatorCounters.bigZonesReused).toBe(1);
  });

  it('PRE_POPULATE_PAGES trades page faults for resident memory', () => {
    const run = (prePopulatePages: boolean) =>
      runExperiment({
        allocator: 'isoalloc',
        allocatorParams: { prePopulatePages },
        workload: 'random',
        workloadParams: { threads: 1, ops: 2000 },
      });
    const off = run(false);
    const on = run(true);
    expect(on.memory.pageFaults).toBeLessThan(off.memory.pageFaults / 10);
    expect(on.memory.rssPeakBytes).toBeGreaterThan(9 * 4 * 1024 * 1024);
    expect(off.memory.rssPeakBytes).toBeLessThan(16 * 1024 * 1024);
  });
});
