/**
 * The program errors glibc detects, with its messages (malloc_printerr aborts; the model throws
 * AllocatorAbort), and one it does not: a double free whose first free went to another thread's
 * tcache.
 */
import { describe, expect, it } from 'vitest';
import { AllocatorAbort } from '../../../src/allocators/index.ts';
import { glibcRig } from './helpers.ts';

function abortMessage(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AllocatorAbort) return e.message;
    throw e;
  }
  return '(no abort)';
}

describe('glibc error detection', () => {
  it('a double free into the tcache: "free(): double free detected in tcache 2"', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    const p = rig.model.malloc(c, 24);
    rig.model.free(c, p);
    expect(abortMessage(() => rig.model.free(c, p))).toBe('free(): double free detected in tcache 2');
  });

  it('a double free at the head of a fastbin: "double free or corruption (fasttop)"', () => {
    const rig = glibcRig({ tcache_count: 0 });
    const c = rig.cpus[0]!;
    const p = rig.model.malloc(c, 24);
    rig.model.free(c, p);
    expect(abortMessage(() => rig.model.free(c, p))).toBe('double free or corruption (fasttop)');
  });

  it('a double free of a binned chunk: "double free or corruption (!prev)"', () => {
    const rig = glibcRig({ tcache_count: 0 });
    const c = rig.cpus[0]!;
    const p = rig.model.malloc(c, 200);
    rig.model.malloc(c, 200); // the next chunk stays in use
    rig.model.free(c, p);
    expect(abortMessage(() => rig.model.free(c, p))).toBe('double free or corruption (!prev)');
  });

  it('a double free of a chunk that merged into top: "double free or corruption (top)"', () => {
    const rig = glibcRig({ tcache_count: 0 });
    const c = rig.cpus[0]!;
    const p = rig.model.malloc(c, 200);
    rig.model.free(c, p);
    expect(abortMessage(() => rig.model.free(c, p))).toBe('double free or corruption (top)');
  });

  it('misaligned and interior pointers: "free(): invalid pointer"', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    const p = rig.model.malloc(c, 64);
    expect(abortMessage(() => rig.model.free(c, p + 8))).toBe('free(): invalid pointer');
    const q = rig.model.malloc(c, 64);
    c.fill(q, 64, 0);
    expect(abortMessage(() => rig.model.free(c, q + 32))).toBe('free(): invalid pointer'); // size word 0
  });

  it('a corrupted size field: "free(): invalid size"', () => {
    const rig = glibcRig();
    const c = rig.cpus[0]!;
    const p = rig.model.malloc(c, 64);
    c.store(p - 8, 0x11); // a 16-byte "chunk"
    expect(abortMessage(() => rig.model.free(c, p))).toBe('free(): invalid size');
  });

  it("misses a double free whose first free went to another thread's tcache", () => {
    const rig = glibcRig({}, 2);
    const [t0, t1] = rig.cpus as [(typeof rig.cpus)[0], (typeof rig.cpus)[0]];
    const p = rig.model.malloc(t0!, 24);
    rig.model.free(t1!, p); // into thread 1's tcache
    expect(abortMessage(() => rig.model.free(t0!, p))).toBe('(no abort)');
    expect(rig.model.counters.get('tcacheKeyMatches')).toBe(1); // the key matched, the walk of t0's bin did not find it
  });
});
