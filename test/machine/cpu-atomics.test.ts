/** The Cpu's atomics and locks (cpu-atomics.ts): contention on a line, CAS failures, lock hand-offs. */
import { describe, expect, it } from 'vitest';
import { atomicStats, cacheStats } from '../../src/machine/index.ts';
import { tinyMachine, tinySpec } from './helpers.ts';

describe('Cpu atomics and locks', () => {
  it('N cores doing CAS on one shared line take at least N line transfers, and contention shows in cycles', () => {
    for (const n of [2, 4, 8]) {
      const m = tinyMachine(8);
      const cpus = Array.from({ length: n }, (_, i) => m.cpu(i, i));
      const p = cpus[0]!.mmap(4096);
      cpus[0]!.store(p, 0);
      for (const c of cpus) c.now = 100_000; // all start together, after the set-up
      for (const c of cpus) {
        const v = c.atomicLoad(p);
        c.cas(p, v, v + 1);
      }
      const at = atomicStats(m);
      const st = cacheStats(m);
      expect(m.peek(p)).toBe(n);
      expect(st.transfers).toBeGreaterThanOrEqual(n - 1);
      expect(at.contended).toBeGreaterThanOrEqual(n - 1);
      // The last CAS finishes about (n-1) transfers after the first: serialised on the line.
      const finish = cpus.map((c) => c.now).sort((x, y) => x - y);
      const spec = tinySpec(8);
      expect(finish[n - 1]! - finish[0]!).toBeGreaterThanOrEqual((n - 1) * spec.costs.c2cTransfer);
    }
  });

  it('a CAS whose line another core wrote since this core read it counts as failed and pays a retry', () => {
    const m = tinyMachine(2);
    const a = m.cpu(0, 0);
    const b = m.cpu(1, 1);
    const p = a.mmap(4096);
    a.now = 100;
    b.now = 100;
    const v = a.atomicLoad(p); // A reads at ~100
    b.now = 200;
    b.store(p, 7); // B writes at 200
    a.now = 300;
    const t0 = a.now;
    expect(a.cas(p, v, 1)).toBe(false); // functionally the value changed too
    const st = atomicStats(m);
    expect(st.casFailed).toBeGreaterThanOrEqual(1);
    expect(a.now - t0).toBeGreaterThan(tinySpec(2).costs.atomic);
    // Re-read and retry succeeds without another timing failure.
    const w = a.atomicLoad(p);
    expect(a.cas(p, w, 8)).toBe(true);
    expect(atomicStats(m).casFailed).toBe(st.casFailed);
  });

  /** Thread A holds a lock for a long critical section from t=0; thread B comes at t=500. */
  function heldLock() {
    const m = tinyMachine(2);
    const a = m.cpu(0, 0);
    const b = m.cpu(1, 1);
    const lockAddr = a.mmap(4096);
    a.now = 0;
    a.lock(lockAddr);
    a.work(10_000); // long critical section
    a.unlock(lockAddr);
    b.now = 500; // tries while A held it
    return { m, b, lockAddr, released: a.now };
  }

  it('locks serialise critical sections: a waiter starts after the holder released', () => {
    const { m, b, lockAddr, released } = heldLock();
    b.lock(lockAddr);
    expect(b.now).toBeGreaterThan(released);
    b.unlock(lockAddr);
    const st = atomicStats(m);
    expect(st.lockContended).toBe(1);
    expect(st.lockSleeps).toBe(1); // 10k cycles is longer than the spin limit
    expect(m.as.syscalls.futexWait).toBe(1);
  });

  it('tryLock fails without waiting while another thread holds the lock, and succeeds after', () => {
    const { m, b, lockAddr, released } = heldLock();
    const failed = atomicStats(m).casFailed;
    expect(b.tryLock(lockAddr)).toBe(false);
    expect(b.now).toBeLessThan(released);
    expect(atomicStats(m).casFailed).toBe(failed + 1);
    b.now = released + 1;
    expect(b.tryLock(lockAddr)).toBe(true);
    b.unlock(lockAddr);
  });
});
