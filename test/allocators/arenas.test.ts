/** arenas: one boundary-tag heap per arena with its own lock; threads bound round robin. */
import { describe, expect, it } from 'vitest';
import type { Arenas } from '../../src/allocators/arenas/arenas.ts';
import { runExperiment } from '../../src/experiment/run.ts';
import '../../src/allocators/index.ts';
import '../../src/workloads/index.ts';
import { rig } from './rig.ts';

const CHUNK = 64 * 1024;
const arenaOfBlock = (r: { machine: { peek(a: number): number } }, p: number): number => r.machine.peek(p - (p % CHUNK) + 16);

describe('arenas', () => {
  it('binds threads to distinct arenas round robin, wrapping when there are fewer arenas than threads', () => {
    const r = rig<Arenas>('arenas', { arenas: 2 }, 4);
    const arenas = [0, 1, 2, 3].map((t) => arenaOfBlock(r, r.malloc(64, t)));
    expect(arenas[0]).toBe(r.model.arenaAddr(0));
    expect(arenas[1]).toBe(r.model.arenaAddr(1));
    expect(arenas[2]).toBe(arenas[0]);
    expect(arenas[3]).toBe(arenas[1]);
    expect(r.counter('threadsBound')).toBe(4);
  });

  it("defaults to glibc's limit of 8 arenas per core", () => {
    const r = rig<Arenas>('arenas');
    expect(r.model.arenaCount).toBe(8 * r.machine.spec.cores);
  });

  it("a free goes back to the block's own arena, under that arena's lock", () => {
    const r = rig<Arenas>('arenas', {}, 2);
    const p = r.malloc(300, 0);
    r.malloc(16, 1); // thread 1's arena has a chunk too
    r.free(p, 1);
    expect(r.counter('remoteFrees')).toBe(1);
    const free0 = r.model.heapWalk(r.quiet).filter((g) => g.kind === 'free' && arenaOfBlock(r, g.addr + 8) === r.model.arenaAddr(0));
    expect(free0).toEqual([{ addr: p - 8, size: CHUNK - 48, kind: 'free' }]); // merged back in arena 0
    expect(r.malloc(300, 0)).toBe(p);
    expect(r.model.examine(r.quiet)).toEqual([]);
  });

  it('has far less lock contention than freelist on a 4-thread workload', () => {
    const run = (allocator: string) => runExperiment({ allocator, workload: 'random', workloadParams: { threads: 4, ops: 1500 }, seed: 1 });
    const single = run('freelist');
    const many = run('arenas');
    // About one lock acquisition per operation in both (arenas also takes the arena-list lock when a thread first binds).
    expect(Math.abs(many.atomics.locks - single.atomics.locks)).toBeLessThanOrEqual(4);
    expect(single.atomics.lockContended).toBeGreaterThan(0.5 * single.atomics.locks);
    expect(many.atomics.lockContended).toBeLessThan(0.25 * single.atomics.lockContended);
    expect(many.atomics.lockWaitCycles).toBeLessThan(0.25 * single.atomics.lockWaitCycles);
    expect(many.time.cycles).toBeLessThan(single.time.cycles);
  });
});
