/**
 * QuietCpu (the checker's no-cost view) must answer every Cpu method without touching the run it
 * observes: this fails when a method is added to the Cpu and QuietCpu would silently inherit it.
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/machine/cpu.ts';
import { QuietCpu } from '../../src/machine/quiet-cpu.ts';
import { Machine, cacheStats, machinePreset } from '../../src/machine/index.ts';
import { CPU_METHODS } from '../../src/experiment/isolation/protocol.ts';

/**
 * Methods QuietCpu may inherit: naming the operation, reading the TLS base, the thread's own PRNG,
 * and the fetch-or/and family, which only calls `bitwise` (overridden).
 */
const SAFE_TO_INHERIT = new Set(['constructor', 'op', 'setOp', 'tls', 'random32', 'fetchOr', 'fetchAnd', 'fetchOr64', 'fetchAnd64']);
/**
 * The Cpu's internal helpers (TypeScript-private or protected): reached only through the public
 * methods QuietCpu overrides. A new helper must be added here after checking that no inherited
 * public method reaches it.
 */
const INTERNAL = new Set([
  'page',
  'pageSlow',
  'runaway',
  'nextLineSlot',
  'loadLine',
  'storeLine',
  'settleWrite',
  'timedLoad',
  'timedStore',
  'beginLoad',
  'beginStore',
  'robCheck',
  'hitDone',
  'fillStart',
  'takeFill',
  'retireLoad',
  'robPush',
  'commit',
  'pending',
  'depReady',
  'valueReady',
  'blockingAccess',
  'rmw',
  'sys',
  'fullUntil',
  'prefetchArrival',
  'stream',
  // the race detector's hooks: reached from load/store/atomics, which QuietCpu overrides (its `race` is null)
  'raceAccess',
  'untracked',
]);

function methodsOf(proto: object | null, stop: object): string[] {
  const names: string[] = [];
  for (let p = proto; p !== null && p !== stop; p = Object.getPrototypeOf(p)) names.push(...Object.getOwnPropertyNames(p));
  return [...new Set(names)];
}

describe('QuietCpu', () => {
  it('overrides every Cpu method that could cost, count or change state', () => {
    const missing = methodsOf(Cpu.prototype, Object.prototype).filter(
      (name) => !SAFE_TO_INHERIT.has(name) && !INTERNAL.has(name) && !Object.prototype.hasOwnProperty.call(QuietCpu.prototype, name),
    );
    expect(missing).toEqual([]);
  });

  it("an isolated model's Cpu offers every public Cpu method (protocol.ts CPU_METHODS)", () => {
    const offered = new Set<string>(CPU_METHODS);
    const missing = methodsOf(Cpu.prototype, Object.prototype).filter(
      (name) => !INTERNAL.has(name) && !['constructor', 'op', 'setOp', 'tls', 'bitwise'].includes(name) && !offered.has(name),
    );
    expect(missing).toEqual([]);
  });

  it('reads and writes memory without moving a clock, a cache counter or RSS', () => {
    const m = new Machine(machinePreset('default'));
    const c = m.cpu(0, 0);
    const p = c.mmap(4096);
    c.store(p, 7);
    const q = new QuietCpu(m, 0, 0);
    const before = JSON.stringify([cacheStats(m), m.as.pageFaults, c.now]);
    expect(q.load(p)).toBe(7);
    q.store(p + 8, 9);
    q.serialize();
    expect(m.peek(p + 8)).toBe(9);
    expect(JSON.stringify([cacheStats(m), m.as.pageFaults, c.now])).toBe(before);
    expect(() => q.sbrk(4096)).toThrow(/must not call sbrk/);
  });

  it('never makes a page resident: a write to a page not yet resident is refused, RSS and faults unchanged', () => {
    const m = new Machine(machinePreset('default'));
    const c = m.cpu(0, 0);
    const p = c.mmap(3 * 4096);
    c.store(p, 1); // page 0 resident; pages 1 and 2 mapped, never touched
    const q = new QuietCpu(m, 0, 0);
    const before = JSON.stringify([m.as.residentPages, m.as.pageFaults]);
    expect(() => q.store(p + 4096, 1)).toThrow(/must not make a page resident/);
    expect(() => q.store64(p + 4096 - 4, 1, 2)).toThrow(/must not make a page resident/);
    expect(() => q.fill(p + 4000, 200, 0)).toThrow(/must not make a page resident/);
    expect(() => q.copy(p + 2 * 4096, p, 8)).toThrow(/must not make a page resident/);
    expect(() => q.fetchOr(p + 4096, 1)).toThrow(/must not make a page resident/);
    expect(JSON.stringify([m.as.residentPages, m.as.pageFaults])).toBe(before);
    expect(m.isResident(p + 4096)).toBe(false);
    q.store(p + 8, 5); // a resident page takes the write
    expect(m.peek(p + 8)).toBe(5);
  });
});
