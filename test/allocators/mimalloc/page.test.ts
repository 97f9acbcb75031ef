/**
 * Page life cycle and the version differences of the generic path.
 */
import { describe, expect, it } from 'vitest';
import { harness } from './helpers.ts';

describe('mimalloc pages', () => {
  it('v2.1.2 drains the heap delayed-free list on every generic call, v2.4.1 on every 100th', () => {
    const drainsAfter = (version: string, calls: number): number => {
      const h = harness('mimalloc', { version });
      const [t0, t1] = h.cpus as [(typeof h.cpus)[0], (typeof h.cpus)[0]];
      const p = h.model.malloc(t0, 48);
      h.model.malloc(t0, 48);
      h.model.free(t1, p); // armed page: the block goes to t0's delayed list
      for (let i = 0; i < calls; i++) h.model.malloc(t0, 2000); // above 1 KiB: always the generic path
      return h.model.counters.get('delayed.drains');
    };
    expect(drainsAfter('2.1.2', 1)).toBe(1);
    expect(drainsAfter('2.4.1', 1)).toBe(0);
    expect(drainsAfter('2.4.1', 98)).toBe(0);
    expect(drainsAfter('2.4.1', 99)).toBe(1); // the 100th generic call (the first malloc was the 1st)
  });

  it('an exhausted page moves to the full queue and comes back on a local free', () => {
    const h = harness('mimalloc');
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const blocks = Array.from({ length: 2000 }, () => h.model.malloc(t0, 48)); // 1362 blocks per 64 KiB page
    expect(h.model.counters.get('page.toFull')).toBe(1);
    h.model.free(t0, blocks[0] as number);
    expect(h.model.counters.get('page.unfull')).toBe(1);
  });

  it('an empty page that is the only one of its size is retired (kept), not freed', () => {
    const h = harness('mimalloc');
    const t0 = h.cpus[0] as (typeof h.cpus)[0];
    const p = h.model.malloc(t0, 48);
    h.model.free(t0, p);
    expect(h.model.counters.get('page.retired')).toBe(1);
    expect(h.model.counters.get('page.freed')).toBe(0);
  });
});
