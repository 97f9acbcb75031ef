/** Acceptance of `allocsim run` on the teaching allocators, and its usage errors. */
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/experiment/result.ts';
import { cli } from './capture.ts';

describe('allocsim run', () => {
  it('freelist on random with 4 threads and --check: a Result with cycles, misses, lock atomics and RSS, no violations, the same bytes twice', async () => {
    const argv = ['run', '-a', 'freelist', '-w', 'random', '--threads', '4', '--check', '--json'];
    const first = await cli(...argv);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const r = JSON.parse(first.out) as Result;
    expect(r.allocator).toBe('freelist');
    expect(r.time.threads).toHaveLength(4);
    expect(r.time.cycles).toBeGreaterThan(0);
    expect(r.cache.l1Misses).toBeGreaterThan(0);
    expect(r.cache.byOrigin.allocator.l1Misses).toBeGreaterThan(0);
    expect(r.atomics.total).toBeGreaterThan(0);
    expect(r.atomics.locks).toBe(r.allocatorCounters.lockAcquisitions); // the atomics are the global lock
    expect(r.memory.rssPeakBytes).toBeGreaterThan(0);
    expect(r.check.enabled).toBe(true);
    expect(r.check.violations).toEqual([]);
    expect(r.error).toBeUndefined();
    const second = await cli(...argv);
    expect(second.out).toBe(first.out);
  }, 180_000); // two full runs of 82 k operations with --check: about 20 s on an idle 2-core machine

  it('an unknown allocator exits 2 with one line listing the valid ones', async () => {
    const r = await cli('run', '-a', 'nosuch', '-w', 'random');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/unknown allocator 'nosuch'; valid allocators: .*freelist, buckets, buddy, tcache, arenas/);
  });

  it('an unknown --param exits 2 with one line listing the valid parameters', async () => {
    const r = await cli('run', '-a', 'freelist', '-w', 'random', '--param', 'nosuch=1');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(
      /unknown parameter 'nosuch'; allocator parameters: chunkKiB, mmapThreshold, insert; workload parameters: threads/,
    );
  });

  it('a bad --param value exits 2 with one line naming the valid choices', async () => {
    const bad = await cli('run', '-a', 'freelist', '-w', 'random', '--param', 'insert=best');
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/insert=best must be one of address, lifo/);
    const odd = await cli('run', '-a', 'freelist', '-w', 'random', '--param', 'chunkKiB=12');
    expect(odd.code).toBe(2);
    expect(odd.err).toMatch(/chunkKiB=12 must be a power of two/);
  });
});
