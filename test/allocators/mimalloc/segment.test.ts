/**
 * Segments, purge delays in simulated time, abandonment and reclaim.
 */
import { describe, expect, it } from 'vitest';
import { harness } from './helpers.ts';

const MS = 3e6; // cycles per ms on the default machine (3 GHz)

describe('mimalloc segments', () => {
  it("a freed span is purged (MADV_DONTNEED) only after purge_delay ms of the thread's clock", () => {
    const h = harness('mimalloc');
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const [a, b, c] = [0, 1, 2].map(() => h.model.malloc(t0, 1 << 20));
    for (const p of [a, b, c]) t0.touch(p as number, 1 << 20, true);
    const rss = h.machine.as.rssBytes;
    h.model.free(t0, b as number); // its page is freed: the span is scheduled for purge (expires in 10 ms)
    expect(h.machine.as.rssBytes).toBe(rss);
    t0.now += 5 * MS;
    h.model.free(t0, a as number); // not expired yet: the expiry is extended by 1 ms
    expect(h.machine.as.rssBytes).toBe(rss);
    expect(h.model.counters.get('segment.purges')).toBe(0);
    t0.now += 20 * MS;
    h.model.free(t0, c as number); // expired (and past the extension): the whole purge mask is purged
    expect(h.model.counters.get('segment.purges')).toBeGreaterThan(0);
    expect(h.machine.as.rssBytes).toBeLessThanOrEqual(rss - 3 * (1 << 20));
  });

  it('purge_delay=0 purges a freed span at once', () => {
    const h = harness('mimalloc', { purge_delay: 0 });
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const [a, b] = [0, 1].map(() => h.model.malloc(t0, 1 << 20));
    h.model.malloc(t0, 1 << 20);
    t0.touch(a as number, 1 << 20, true);
    const rss = h.machine.as.rssBytes;
    h.model.free(t0, a as number);
    expect(h.machine.as.rssBytes).toBeLessThanOrEqual(rss - (1 << 20));
    expect(b).not.toBe(0);
  });

  it.each(['2.1.2', '2cca58', '2.4.1'])(
    '%s: a thread that exits with live blocks abandons its segment; another thread reclaims it instead of allocating one',
    (version) => {
      const h = harness('mimalloc', { version }, 3);
      const [t0, t1, t2] = h.cpus as [(typeof h.cpus)[0], (typeof h.cpus)[0], (typeof h.cpus)[0]];
      const live = Array.from({ length: 10 }, () => h.model.malloc(t1, 48));
      h.model.threadExit?.(t1);
      expect(h.model.counters.get('page.abandoned')).toBe(1);
      expect(h.model.counters.get('segment.abandoned')).toBe(1);
      const own = h.model.malloc(t2, 64); // t2 needs a segment: it takes the abandoned one
      expect(h.model.counters.get('segment.reclaimed')).toBe(1);
      expect(h.model.counters.get('segment.allocated')).toBe(1);
      for (const p of live) h.model.free(t0, p); // remote frees into the reclaimed page (now t2's, armed again)
      expect(h.model.counters.get('free.remote.armed')).toBe(1);
      h.model.free(t2, own);
      h.model.threadExit?.(t2);
      expect(h.model.counters.get('segment.freed')).toBe(1);
    },
  );

  it('v2.1.2: a segment whose blocks were all freed remotely after its owner exited is freed by the next thread exit', () => {
    const h = harness('mimalloc', { version: '2.1.2' });
    const [t0, t1] = h.cpus as [(typeof h.cpus)[0], (typeof h.cpus)[0]];
    h.model.free(t0, h.model.malloc(t0, 32)); // t0 has a heap (a thread that never allocated has nothing to collect at exit)
    const live = Array.from({ length: 10 }, () => h.model.malloc(t1, 48));
    h.model.threadExit?.(t1);
    for (const p of live) h.model.free(t0, p); // into an abandoned page: plain pushes (NEVER_DELAYED_FREE)
    expect(h.model.counters.get('free.remote.common')).toBe(10);
    h.model.threadExit?.(t0);
    expect(h.model.counters.get('segment.reclaimed')).toBe(1);
    expect(h.model.counters.get('segment.freed')).toBe(2); // t0's own, and the abandoned one
  });

  it('2cca58: a free into an abandoned segment reclaims it (abandoned_reclaim_on_free), and the frees become local', () => {
    const h = harness('mimalloc', { version: '2cca58' });
    const [t0, t1] = h.cpus as [(typeof h.cpus)[0], (typeof h.cpus)[0]];
    h.model.free(t0, h.model.malloc(t0, 32));
    const live = Array.from({ length: 10 }, () => h.model.malloc(t1, 48));
    h.model.threadExit?.(t1);
    for (const p of live) h.model.free(t0, p);
    expect(h.model.counters.get('segment.reclaimedOnFree')).toBe(1);
    expect(h.model.counters.get('free.remote')).toBe(0);
    expect(h.model.counters.get('free.local')).toBe(11);
  });
});
