/**
 * Large requests: at or above mmap_threshold (when top cannot serve them) a chunk gets its own
 * mapping and is unmapped on free; that free raises the dynamic threshold, so the next request of
 * the same size comes from the heap.
 */
import { describe, expect, it } from 'vitest';
import { fill, glibcRig } from './helpers.ts';

const BIG = 200_000;

describe('glibc mmapped chunks', () => {
  it('a request above the mmap threshold is mmapped and munmapped on free', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    rig.model.malloc(c, 16);
    const as = rig.machine.as;
    const mmaps = as.syscalls.mmap;
    const p = rig.model.malloc(c, BIG);
    expect(as.syscalls.mmap).toBe(mmaps + 1);
    expect(p > as.brkEnd).toBe(true);
    // Page-rounded chunk (nb + 8), minus its 16-byte header.
    expect(rig.model.usableSize(c, p)).toBe(Math.ceil((BIG + 8 + 15 + 8) / 4096) * 4096 - 16);
    c.touch(p, BIG, true);
    const rss = as.rssBytes;
    rig.model.free(c, p);
    expect(as.syscalls.munmap).toBe(1);
    expect(rss - as.rssBytes).toBeGreaterThanOrEqual(Math.floor(BIG / 4096) * 4096);
  });

  it('after that free the dynamic threshold has risen: the same request comes from the brk heap', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    rig.model.malloc(c, 16);
    rig.model.free(c, rig.model.malloc(c, BIG));
    expect(rig.model.counters.get('mmapThresholdBytes')).toBe(Math.ceil((BIG + 8 + 15 + 8) / 4096) * 4096);
    const mmaps = rig.machine.as.syscalls.mmap;
    const brk = rig.machine.as.syscalls.brk;
    const q = rig.model.malloc(c, BIG);
    expect(rig.machine.as.syscalls.mmap).toBe(mmaps);
    expect(rig.machine.as.syscalls.brk).toBe(brk + 1);
    expect(q < rig.machine.as.brkEnd).toBe(true);
  });

  it('with mmap_threshold set by the user the threshold stays put (no_dyn_threshold)', () => {
    const rig = glibcRig({ mmap_threshold: 131072 * 2 - 4096 });
    const c = rig.cpus[0]!;
    rig.model.malloc(c, 16);
    for (let i = 0; i < 3; i++) rig.model.free(c, rig.model.malloc(c, 300_000));
    expect(rig.machine.as.syscalls.mmap).toBe(3);
    expect(rig.model.counters.get('mmapThresholdRaised')).toBe(0);
  });

  it('a request above the threshold is still carved from top while top is big enough', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    const blocks = fill(rig, c, 4, 100_000); // grows the heap past 400 KB
    rig.model.free(c, blocks[3]!); // merges into top; 64 KiB+ free, trimmed down to top_pad
    const mmaps = rig.machine.as.syscalls.mmap;
    const p = rig.model.malloc(c, 131_000);
    expect(rig.machine.as.syscalls.mmap).toBe(mmaps);
    expect(p < rig.machine.as.brkEnd).toBe(true);
  });

  it('realloc of an mmapped chunk uses mremap: no copy, no new faults for the old pages; shrinking gives pages back', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    rig.model.malloc(c, 16);
    const p = rig.model.malloc(c, 300_000);
    c.touch(p, 300_000, true);
    c.store(p + 299_992, 0x1234);
    const as = rig.machine.as;
    const faults = as.pageFaults;
    const q = rig.model.realloc(c, p, 600_000);
    expect(as.syscalls.mremap).toBe(1);
    expect(as.pageFaults).toBe(faults);
    expect(c.load(q + 299_992)).toBe(0x1234);
    const rss = as.rssBytes;
    expect(rig.model.realloc(c, q, 100_000)).toBe(q);
    expect(as.syscalls.mremap).toBe(2);
    expect(rss - as.rssBytes).toBeGreaterThanOrEqual(196 * 1024);
  });
});
