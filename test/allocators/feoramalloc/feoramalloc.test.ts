/**
 * feoramalloc design 1: the capacities the pull request states, the size rounding, and the
 * remote-free mechanism: wait-free (no compare-and-swap at all on the path), invisible to the owner
 * until the slab fills, the owner notified only for full slabs; the superpage orphanage.
 */
import { describe, expect, it } from 'vitest';
import { describeData } from '../../../src/cli/commands/describe.ts';
import { A_CAS, A_CAS_FAILED, A_EXCHANGE, A_FETCH_ADD, A_FETCH_OR, type Cpu, type Machine } from '../../../src/machine/index.ts';
import { setupModel } from '../model-setup.ts';

const setup = (threads: number) => setupModel('feoramalloc', threads);

function atomicsDelta(machine: Machine, fn: () => void): Record<string, number> {
  const kinds = { cas: A_CAS, casFailed: A_CAS_FAILED, exchange: A_EXCHANGE, fetchAdd: A_FETCH_ADD, fetchOr: A_FETCH_OR };
  const before = Object.fromEntries(Object.entries(kinds).map(([k, i]) => [k, machine.atomics[i] as number]));
  fn();
  return Object.fromEntries(Object.entries(kinds).map(([k, i]) => [k, (machine.atomics[i] as number) - (before[k] as number)]));
}

describe('feoramalloc', () => {
  it('describes the slab capacities of the pull request: 7907 bins of 8 B, 15 of 4 KiB', () => {
    const d = describeData('feoramalloc', []);
    const bins = Object.fromEntries(d.sizeClasses.map((c) => [c.size, c.binsPerSlab]));
    expect(bins).toEqual({
      8: 7907,
      16: 4018,
      32: 2025,
      64: 1017,
      128: 510,
      256: 255,
      512: 127,
      1024: 63,
      2048: 31,
      4096: 15,
      8192: 7,
      16384: 3,
      32768: 1,
    });
    expect(d.sizeClasses[0]).toMatchObject({ dataOffset: 2088, unusedBytes: 192 });
    expect(d.constants.slabsFor64KiBRequest).toBe(2);
  });

  it('rounds to powers of two (9 -> 16, 257 -> 512) and gives a 64 KiB request two slabs', () => {
    const { model, cpus } = setup(1);
    const c = cpus[0] as Cpu;
    expect(model.usableSize(c, model.malloc(c, 9))).toBe(16);
    expect(model.usableSize(c, model.malloc(c, 257))).toBe(512);
    const wide = model.malloc(c, 64 * 1024);
    expect(wide % (64 * 1024)).toBe(128); // data 128 bytes into the first slab
    expect(model.usableSize(c, wide)).toBe(2 * 64 * 1024 - 128);
  });

  it('frees remotely without any compare-and-swap: one load, one fetch-add, one fetch-or, no loop', () => {
    const { machine, model, cpus } = setup(2);
    const [owner, other] = cpus as [Cpu, Cpu];
    const blocks = Array.from({ length: 100 }, () => model.malloc(owner, 48));
    const d = atomicsDelta(machine, () => {
      for (const p of blocks) model.free(other, p);
    });
    expect(d).toEqual({ cas: 0, casFailed: 0, exchange: 0, fetchAdd: 100, fetchOr: 100 });
    expect(model.counters.get('remoteNotifications')).toBe(0);
  });

  it('keeps remote frees into a slab that is not full invisible to the owner until the slab fills', () => {
    const { model, cpus } = setup(2);
    const [owner, other] = cpus as [Cpu, Cpu];
    const first = Array.from({ length: 10 }, () => model.malloc(owner, 4096)); // 15 bins per 4 KiB slab
    const remote = first.slice(0, 3);
    for (const p of remote) model.free(other, p);
    const walk = model.heapWalk?.(owner) ?? [];
    for (const p of remote) expect(walk.find((r) => r.addr <= p && p < r.addr + r.size)?.kind).toBe('cached');
    const next = Array.from({ length: 5 }, () => model.malloc(owner, 4096)); // the slab's last 5 local bins
    for (const p of next) expect(remote).not.toContain(p);
    expect(model.counters.get('merges')).toBe(1); // the fifth filled the slab and merged the remote bits
    expect(remote).toContain(model.malloc(owner, 4096));
  });

  it('notifies the owner only for a full slab, with a bounded CAS scan of its cache (no retry loop)', () => {
    const { machine, model, cpus } = setup(2);
    const [owner, other] = cpus as [Cpu, Cpu];
    const wide = model.malloc(owner, 40_000); // a slab-wide run is full from the start
    const d = atomicsDelta(machine, () => model.free(other, wide));
    expect(d).toMatchObject({ exchange: 1, cas: 1, casFailed: 0, fetchAdd: 2, fetchOr: 1 });
    expect(model.counters.get('remoteNotifications')).toBe(1);
    model.malloc(owner, 16); // the owner sees remote_free_count and collects
    expect(model.counters.get('collections')).toBe(1);
    expect(model.usableSize(owner, model.malloc(owner, 40_000))).toBeGreaterThan(40_000);
    expect(model.counters.get('superpagesMapped')).toBe(1);
  });

  it("orphans an exiting thread's superpages and lets another thread adopt them instead of mapping", () => {
    const { model, cpus } = setup(2);
    const [a, b] = cpus as [Cpu, Cpu];
    const keep = model.malloc(a, 100);
    model.threadExit?.(a);
    expect(model.counters.get('orphanPushes')).toBe(1);
    model.malloc(b, 100);
    expect(model.counters.get('orphanAdoptions')).toBe(1);
    expect(model.counters.get('superpagesMapped')).toBe(1);
    model.free(b, keep); // b owns the adopted superpage now: a local free
    expect(model.counters.get('localFrees')).toBe(1);
  });
});

describe('the feoramalloc heap walk', () => {
  it('covers every byte of a superpage: its header slab, slab headers and tails, bins and wide allocations', () => {
    // Each slab's header (fields and bitmaps, before its first bin) and tail are the allocator's:
    // a slab is formatted again for each bin size, and an object freed while it held other bins
    // may lie in the header it has now (run -a feoramalloc -w xmalloc-test-2 --check reported two).
    const { model, cpus } = setup(1);
    const cpu = cpus[0] as Cpu;
    const live = [8, 64, 100, 3000, 20_000, 40_000, 64, 8].flatMap((size) =>
      Array.from({ length: 3 }, () => ({ addr: model.malloc(cpu, size, 16), size })),
    );
    const usable = live.map((b) => ({ addr: b.addr, size: model.usableSize(cpu, b.addr) }));
    const sp = Math.floor((live[0] as { addr: number }).addr / (2 << 20)) * (2 << 20);
    const regions = [...(model.heapWalk?.(cpu) ?? []), ...usable].sort((a, b) => a.addr - b.addr);
    let at = sp;
    for (const r of regions) {
      if (r.addr + r.size <= at) continue;
      if (r.addr > at) break;
      at = r.addr + r.size;
    }
    expect(at - sp).toBe(2 << 20);
  });
});
