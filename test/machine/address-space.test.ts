import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MachineFault, PAGE_SIZE, PROT_NONE, memoryStats } from '../../src/machine/index.ts';
import { tinyMachine } from './helpers.ts';

describe('address space', () => {
  it('RSS rises on first touch, falls after madvise(DONTNEED), never goes negative or above the mapped size', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('touch' as const), page: fc.nat(63), write: fc.boolean() }),
      fc.record({ kind: fc.constant('dontneed' as const), page: fc.nat(63), pages: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('free' as const), page: fc.nat(63), pages: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('unmap' as const), page: fc.nat(63), pages: fc.integer({ min: 1, max: 8 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120, size: 'max' }), (ops) => {
        const m = tinyMachine(1);
        const c = m.cpu(0, 0);
        const base = c.mmap(64 * PAGE_SIZE);
        const mapped = new Set<number>(Array.from({ length: 64 }, (_, i) => i));
        const resident = new Set<number>();
        for (const o of ops) {
          if (o.kind === 'touch') {
            if (!mapped.has(o.page)) {
              expect(() => (o.write ? c.store(base + o.page * PAGE_SIZE, 1) : c.load(base + o.page * PAGE_SIZE))).toThrow(MachineFault);
              continue;
            }
            const before = m.as.residentPages;
            if (o.write) c.store(base + o.page * PAGE_SIZE, 1);
            else c.load(base + o.page * PAGE_SIZE);
            if (o.write) {
              if (!resident.has(o.page)) expect(m.as.residentPages).toBe(before + 1);
              resident.add(o.page);
            }
          } else {
            const n = Math.min(o.pages, 64 - o.page);
            const before = m.as.residentPages;
            if (o.kind === 'unmap') c.munmap(base + o.page * PAGE_SIZE, n * PAGE_SIZE);
            else c.madvise(base + o.page * PAGE_SIZE, n * PAGE_SIZE, o.kind);
            for (let p = o.page; p < o.page + n; p++) {
              if (o.kind !== 'free') resident.delete(p);
              if (o.kind === 'unmap') mapped.delete(p);
            }
            if (o.kind === 'free')
              expect(m.as.residentPages).toBe(before); // Linux keeps MADV_FREE pages until pressure
            else expect(m.as.residentPages).toBeLessThanOrEqual(before);
          }
          expect(m.as.residentPages).toBe(resident.size);
          expect(m.as.residentPages).toBeGreaterThanOrEqual(0);
          expect(m.as.mappedBytes).toBe(mapped.size * PAGE_SIZE);
          expect(m.as.rssBytes).toBeLessThanOrEqual(m.as.mappedBytes);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('a read of an untouched page maps the zero page: a fault, but no RSS until written', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const p = c.mmap(PAGE_SIZE);
    expect(c.load(p)).toBe(0);
    expect(m.as.pageFaults).toBe(1);
    expect(m.as.zeroPageFaults).toBe(1);
    expect(m.as.residentPages).toBe(0);
    c.store(p, 5); // copy-on-write of the zero page: a second fault
    expect(m.as.residentPages).toBe(1);
    expect(m.as.pageFaults).toBe(2);
  });

  it('MAP_POPULATE gives RSS without page faults', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const p = c.mmap(16 * PAGE_SIZE, { populate: true });
    expect(m.as.residentPages).toBe(16);
    for (let i = 0; i < 16; i++) c.store(p + i * PAGE_SIZE, i);
    expect(m.as.pageFaults).toBe(0);
    const st = memoryStats(m);
    expect(st.rssPeakBytes).toBe(16 * PAGE_SIZE);
    expect(st.mmap).toBe(1);
  });

  it('madvise(DONTNEED) zeroes contents; madvise(FREE) keeps them while the page stays resident', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const p = c.mmap(2 * PAGE_SIZE);
    c.store(p, 11);
    c.store(p + PAGE_SIZE, 22);
    c.madvise(p, PAGE_SIZE, 'dontneed');
    c.madvise(p + PAGE_SIZE, PAGE_SIZE, 'free');
    expect(c.load(p)).toBe(0);
    expect(c.load(p + PAGE_SIZE)).toBe(22);
    expect(memoryStats(m).lazyFreeBytes).toBe(PAGE_SIZE);
    c.store(p + PAGE_SIZE, 23); // reuse cancels the lazy free
    expect(memoryStats(m).lazyFreeBytes).toBe(0);
  });

  it('huge-page mappings fault a whole 2 MiB block at once', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const p = c.mmap(4 << 20, { huge: true, align: 2 << 20 });
    c.store(p + 12345 * 8, 1);
    expect(m.as.pageFaults).toBe(1);
    expect(m.as.residentPages).toBe(512);
  });

  it('touching unmapped or protected memory is an error naming address, thread and operation', () => {
    const m = tinyMachine(1);
    const c = m.cpu(3, 0);
    const p = c.mmap(2 * PAGE_SIZE);
    c.mprotect(p + PAGE_SIZE, PAGE_SIZE, PROT_NONE);
    c.op = 'malloc(24)';
    let err: unknown;
    try {
      c.store(p + PAGE_SIZE + 8, 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MachineFault);
    const f = err as MachineFault;
    expect(f.kind).toBe('protection');
    expect(f.address).toBe(p + PAGE_SIZE + 8);
    expect(f.thread).toBe(3);
    expect(f.operation).toBe('malloc(24)');
    expect(() => c.load(0x1000)).toThrow(/unmapped memory at 0x1000 by thread 3 during malloc\(24\)/);
  });

  it('mmap honours alignment, places mappings top-down and counts every call', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const a = c.mmap(3 * PAGE_SIZE, { align: 1 << 21 });
    const b = c.mmap(PAGE_SIZE);
    expect(a % (1 << 21)).toBe(0);
    // Top-down first fit: the page goes into the highest gap, above the aligned block.
    expect(b >= a + 3 * PAGE_SIZE || b + PAGE_SIZE <= a).toBe(true);
    expect(b).toBeGreaterThan(a);
    c.munmap(a, 3 * PAGE_SIZE);
    const st = memoryStats(m);
    expect([st.mmap, st.munmap, st.syscalls]).toEqual([2, 1, 3]);
    expect(c.now).toBeGreaterThan(0);
  });

  it('brk grows and shrinks the heap; shrinking releases pages', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const old = c.sbrk(8 * PAGE_SIZE);
    for (let i = 0; i < 8; i++) c.store(old + i * PAGE_SIZE, 1);
    expect(m.as.residentPages).toBe(8);
    c.sbrk(-4 * PAGE_SIZE);
    expect(m.as.residentPages).toBe(4);
    expect(() => c.load(old + 6 * PAGE_SIZE)).toThrow(MachineFault);
    expect(m.as.syscalls.brk).toBe(2);
  });
});

describe('memory values', () => {
  it('store/load round-trips values of every access size, signed 64-bit words included', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .oneof(
              fc.record({ size: fc.constant(8 as const), v: fc.maxSafeInteger().map((x) => x) }),
              fc.record({ size: fc.constant(4 as const), v: fc.nat({ max: 0xffffffff }) }),
              fc.record({ size: fc.constant(2 as const), v: fc.nat({ max: 0xffff }) }),
              fc.record({ size: fc.constant(1 as const), v: fc.nat({ max: 0xff }) }),
            )
            .chain((x) => fc.record({ size: fc.constant(x.size), v: fc.constant(x.v), slot: fc.nat(200) })),
          { maxLength: 60, size: 'max' },
        ),
        (writes) => {
          const m = tinyMachine(1);
          const c = m.cpu(0, 0);
          const p = c.mmap(2 * PAGE_SIZE);
          const ref = new Map<number, { size: number; v: number }>();
          for (const w of writes) {
            const addr = p + w.slot * 16 + (w.size === 8 ? 0 : 8); // keep sizes in separate words
            c.store(addr, w.v, w.size);
            ref.set(addr, w);
          }
          for (const [addr, w] of ref) {
            expect(c.load(addr, w.size as 1 | 2 | 4 | 8)).toBe(w.v);
            expect(m.peek(addr, w.size as 1 | 2 | 4 | 8)).toBe(w.v);
          }
        },
      ),
    );
  });

  it('memset, memmove and 64-bit halves work across page boundaries', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const p = c.mmap(3 * PAGE_SIZE);
    c.fill(p + PAGE_SIZE - 10, 20, 0xab);
    expect(m.peek(p + PAGE_SIZE - 1, 1)).toBe(0xab);
    expect(m.peek(p + PAGE_SIZE + 9, 1)).toBe(0xab);
    expect(m.peek(p + PAGE_SIZE + 10, 1)).toBe(0);
    c.copy(p + 2 * PAGE_SIZE, p + PAGE_SIZE - 10, 20);
    expect(Array.from(m.peekBytes(p + 2 * PAGE_SIZE, 20))).toEqual(new Array(20).fill(0xab));
    c.store64(p + 64, 0xffffffff, 0x80000001);
    expect(c.load64(p + 64)).toBe(0xffffffff);
    expect(c.hi).toBe(0x80000001);
    expect(c.fetchOr64(p + 64, 0, 2)).toBe(0xffffffff);
    expect(c.hi).toBe(0x80000001);
    c.load64(p + 64);
    expect(c.hi).toBe(0x80000003);
    c.store(p + 128, -5);
    expect(c.load(p + 128)).toBe(-5);
  });

  it('memmove (Cpu.copy) matches a byte array: overlapping or not, across pages, to and from pages never written', () => {
    const PAGES = 6;
    const piece = fc.record({ at: fc.nat(PAGES * PAGE_SIZE - 1), len: fc.integer({ min: 1, max: 3 * PAGE_SIZE }) });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('fill' as const), p: piece, byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('copy' as const), p: piece, to: fc.nat(PAGES * PAGE_SIZE - 1) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 12 }), (ops) => {
        const m = tinyMachine(1);
        const c = m.cpu(0, 0);
        const base = c.mmap(PAGES * PAGE_SIZE);
        const ref = new Uint8Array(PAGES * PAGE_SIZE);
        for (const o of ops) {
          const len = Math.min(o.p.len, ref.length - o.p.at);
          if (o.kind === 'fill') {
            c.fill(base + o.p.at, len, o.byte);
            ref.fill(o.byte, o.p.at, o.p.at + len);
          } else {
            const n = Math.min(len, ref.length - o.to);
            c.copy(base + o.to, base + o.p.at, n);
            ref.copyWithin(o.to, o.p.at, o.p.at + n);
          }
        }
        expect(Array.from(m.peekBytes(base, ref.length))).toEqual(Array.from(ref));
      }),
      { numRuns: 150 },
    );
  });

  it('mremap moves pages with their contents and residency, grows in place when it can, and shrinking unmaps the tail', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const a = c.mmap(4 * PAGE_SIZE);
    const b = c.mmap(4 * PAGE_SIZE); // just below a: b cannot grow in place
    for (let i = 0; i < 4; i++) c.store(b + i * PAGE_SIZE, 100 + i);
    const rss = m.as.rssBytes;
    const faults = m.as.pageFaults;
    const moved = c.mremap(b, 4 * PAGE_SIZE, 8 * PAGE_SIZE);
    expect(moved).not.toBe(b);
    expect([0, 1, 2, 3].map((i) => c.load(moved + i * PAGE_SIZE))).toEqual([100, 101, 102, 103]);
    expect(m.as.rssBytes).toBe(rss);
    expect(m.as.pageFaults).toBe(faults);
    expect(() => c.load(b)).toThrow(MachineFault);
    expect(m.as.syscalls.mremap).toBe(1);
    c.munmap(a, 4 * PAGE_SIZE); // frees the range above `moved` (b's old place and a's)
    expect(c.mremap(moved, 8 * PAGE_SIZE, 10 * PAGE_SIZE)).toBe(moved);
    c.store(moved + 9 * PAGE_SIZE, 7);
    expect(c.mremap(moved, 10 * PAGE_SIZE, 2 * PAGE_SIZE)).toBe(moved);
    expect(m.as.rssBytes).toBe(rss - 2 * PAGE_SIZE);
    expect(() => c.load(moved + 2 * PAGE_SIZE)).toThrow(MachineFault);
  });
});

describe('mmap hints and unaligned words', () => {
  it('uses a free hint address without MAP_FIXED and ignores an occupied one', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const hint = 0x1234_5678_0000;
    expect(c.mmap(4 * PAGE_SIZE, { addr: hint })).toBe(hint);
    const other = c.mmap(4 * PAGE_SIZE, { addr: hint });
    expect(other).not.toBe(hint);
    expect(m.as.vmaAt(other)).toBeDefined();
  });

  it('reads back negative 8-byte values stored at unaligned and page-crossing addresses', () => {
    const m = tinyMachine(1);
    const c = m.cpu(0, 0);
    const base = c.mmap(2 * PAGE_SIZE);
    for (const addr of [base + 71, base + PAGE_SIZE - 3]) {
      for (const v of [-1, -(2 ** 40) - 5, 2 ** 52 + 7, 123]) {
        c.store(addr, v, 8);
        expect(c.load(addr, 8)).toBe(v);
        expect(m.peek(addr, 8)).toBe(v);
      }
    }
  });
});
