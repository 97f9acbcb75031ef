/**
 * mimalloc-secure (MI_SECURE = 4): encoded free lists, padding that shifts size classes and
 * detects overflows, guard pages around the segment header, randomised free lists, and the
 * double-free check with mimalloc's message.
 */
import { describe, expect, it } from 'vitest';
import { AllocatorAbort } from '../../../src/allocators/kit/contract.ts';
import { blockSize, pageOf, segmentOf } from '../../../src/allocators/mimalloc/internal.ts';
import { SLICE_SIZE } from '../../../src/allocators/mimalloc/types.ts';
import { MachineFault } from '../../../src/machine/index.ts';
import { harness } from './helpers.ts';

describe('mimalloc-secure', () => {
  it("a double free is detected with mimalloc's message", () => {
    const h = harness('mimalloc-secure');
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const p = h.model.malloc(t0, 40);
    h.model.malloc(t0, 40);
    h.model.free(t0, p);
    expect(() => h.model.free(t0, p)).toThrowError(AllocatorAbort);
    expect(() => h.model.free(t0, p)).toThrowError(/^mimalloc: error: double free detected of block 0x[0-9a-f]+ with size 48$/);
  });

  it('the release build does not check: the second free goes through', () => {
    const h = harness('mimalloc');
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const p = h.model.malloc(t0, 40);
    h.model.malloc(t0, 40);
    h.model.free(t0, p);
    expect(() => h.model.free(t0, p)).not.toThrow();
  });

  it('8 bytes of padding move a request up a size class, and usable size is the exact request', () => {
    const h = harness('mimalloc-secure');
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const p = h.model.malloc(t0, 64);
    expect(blockSize(h.model.m, t0, pageOf(h.model.m, t0, segmentOf(p), p))).toBe(80);
    expect(h.model.usableSize(t0, p)).toBe(64);
    const q = harness('mimalloc');
    const c = q.cpus[0] as (typeof q.cpus)[0];
    const r = q.model.malloc(c, 64);
    expect(blockSize(q.model.m, c, pageOf(q.model.m, c, segmentOf(r), r))).toBe(64);
  });

  it('a write past the requested size is caught at free as a heap-block overflow', () => {
    const h = harness('mimalloc-secure');
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const p = h.model.malloc(t0, 40);
    t0.store(p + 40, 0x41, 1);
    expect(() => h.model.free(t0, p)).toThrowError(/buffer overflow in heap block 0x[0-9a-f]+ of size 40: write after 40 bytes/);
  });

  it('free-list links are encoded: a freed block does not hold a plain pointer', () => {
    const h = harness('mimalloc-secure');
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const a = h.model.malloc(t0, 48);
    const b = h.model.malloc(t0, 48);
    h.model.free(t0, a);
    h.model.free(t0, b); // b -> a on local_free
    const lo = h.machine.peek(b, 4);
    const hi = h.machine.peek(b + 4, 4);
    expect(hi * 4294967296 + lo).not.toBe(a);
  });

  it('guard pages protect the end of the segment header and the segment end', () => {
    const h = harness('mimalloc-secure');
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const p = h.model.malloc(t0, 48);
    const seg = segmentOf(p);
    expect(() => t0.load(seg + SLICE_SIZE - 4096)).toThrowError(MachineFault);
    expect(() => t0.load(seg + 32 * 1024 * 1024 - 8)).toThrowError(MachineFault);
  });

  it('fresh blocks are handed out in a randomised order (sequential in the release build)', () => {
    const order = (name: string): boolean => {
      const h = harness(name);
      const t0 = h.cpus[0] as (typeof h.cpus)[0];
      const ps = Array.from({ length: 40 }, () => h.model.malloc(t0, 32));
      return ps.every((p, i) => i === 0 || p > (ps[i - 1] as number));
    };
    expect(order('mimalloc')).toBe(true);
    expect(order('mimalloc-secure')).toBe(false);
  });
});
