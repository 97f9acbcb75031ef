/**
 * The data-race detector: planted races are caught (each a bug a thread-safety assignment is
 * about), their reports name both accesses, and the correct versions pass. The template races run
 * through the whole invariant suite (shrunk, replayable); the lock-free ones are the access
 * patterns of a remote-free list on the machine itself.
 */
import { describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/cli/model-resolver.ts';
import { ALLOCATOR_OPERATION } from '../../src/allocators/kit/operations.ts';
import { checkProperty, PROPERTIES } from '../../src/experiment/conformance.ts';
import { Machine } from '../../src/machine/machine.ts';
import { machinePreset } from '../../src/machine/presets.ts';
import { ORIGIN_LINK, ORIGIN_META } from '../../src/machine/origin-counters.ts';
import { ACQUIRE, RELAXED, RELEASE } from '../../src/machine/memory-order.ts';
import { allocsim, mutant } from '../coursework/helpers.ts';

const remoteFrees = PROPERTIES.find((p) => p.name === 'remote-frees')!;

async function check(file: string, races = true) {
  return checkProperty(await loadModelFile(file), remoteFrees, { seed: 1, numRuns: 40, races });
}

describe('planted races in the freelist template', () => {
  it('the lock missing around free: a data race, shrunk to a few steps, naming both accesses', async () => {
    const file = mutant('freelist', 'free-without-lock', [
      [
        '    cpu.lock(this.globals + LOCK);\n    this.insertFree(cpu, block, size);\n    cpu.unlock(this.globals + LOCK);',
        '    this.insertFree(cpu, block, size);',
      ],
    ]);
    const r = await check(file);
    const shown = `${r.message}\n${(r.counterexample ?? []).join('\n')}`;
    expect(r.ok, shown).toBe(false);
    expect(r.violation?.kind, shown).toBe('data-race');
    expect(r.counterexample!.length, shown).toBeLessThanOrEqual(4);
    const op = '(free|malloc|calloc|realloc)';
    expect(r.message).toMatch(
      new RegExp(
        `data race on 0x[0-9a-f]+ \\(allocator(Meta|Link), .*\\): thread \\d in ${op}\\(.*\\) \\[my-freelist::${op}\\]: (read|write), concurrent with thread \\d in ${op} \\[my-freelist::${op}\\]: (read|write)`,
      ),
    );
    expect(r.message).toMatch(/free/);
    // Without the detector the same model passes: the run itself never interleaves two calls.
    expect((await check(file, false)).ok).toBe(true);
  });

  it('the unlock placed before the last write of the critical section', async () => {
    const file = mutant('freelist', 'unlock-early', [
      ['    this.insertFree(cpu, block, size);\n    cpu.unlock(this.globals + LOCK);', '    this.insertFree(cpu, block, size, true);'],
      [
        'private insertFree(cpu: Cpu, block: number, size: number): void {',
        'private insertFree(cpu: Cpu, block: number, size: number, unlockFirst = false): void {',
      ],
      [
        "      this.counters.add('coalesces');\n      return;",
        "      this.counters.add('coalesces');\n      if (unlockFirst) cpu.unlock(this.globals + LOCK);\n      return;",
      ],
      [
        '    cpu.store(block + 8, next, 8, ORIGIN_LINK);\n    this.setLink(cpu, link, block);',
        '    cpu.store(block + 8, next, 8, ORIGIN_LINK);\n    if (unlockFirst) cpu.unlock(this.globals + LOCK);\n    this.setLink(cpu, link, block);',
      ],
    ]);
    const r = await check(file);
    expect(r.ok, r.message).toBe(false);
    expect(r.violation?.kind).toBe('data-race');
  });

  it('a statistics counter shared by the threads, updated with a plain store; a relaxed fetch-add is no race', async () => {
    const plain = mutant('freelist', 'stats-plain', [
      [
        "    this.counters.add('allocs');",
        "    this.counters.add('allocs');\n    cpu.store(this.globals + 96, cpu.load(this.globals + 96) + 1); // mallocs so far, all threads",
      ],
    ]);
    const r = await check(plain);
    expect(r.ok, r.message).toBe(false);
    expect(r.violation?.kind).toBe('data-race');
    expect(r.message).toMatch(/in (malloc|calloc|realloc)/);
    expect(r.violation?.address).toBe(r.violation?.race?.address);
    const atomic = mutant('freelist', 'stats-atomic', [
      ['import {\n  BaseModel,\n  defineModel,', 'import {\n  RELAXED,\n  BaseModel,\n  defineModel,'],
      [
        "    this.counters.add('allocs');",
        "    this.counters.add('allocs');\n    cpu.fetchAdd(this.globals + 96, 1, 8, ORIGIN_META, RELAXED);",
      ],
    ]);
    const ok = await check(atomic);
    expect(ok.ok, ok.message).toBe(true);
  });

  it('the template itself has no race', async () => {
    const file = mutant('freelist', 'unchanged', []);
    const r = await check(file);
    expect(r.ok, r.message).toBe(true);
  });

  it('check prints the race with its shrunk sequence and a replay line that replays it', async () => {
    const file = mutant('freelist', 'free-without-lock-cli', [
      [
        '    cpu.lock(this.globals + LOCK);\n    this.insertFree(cpu, block, size);\n    cpu.unlock(this.globals + LOCK);',
        '    this.insertFree(cpu, block, size);',
      ],
    ]);
    const r = await allocsim(['check', file, '--trust', '--only', 'remote-frees', '--runs', '40', '--no-workloads']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/remote-frees: \[data-race\] data race on 0x/);
    const replay = /replay: allocsim (check .*)/.exec(r.out)?.[1];
    expect(replay, r.out).toBeDefined();
    const again = await allocsim([...splitArgs(replay!), '--trust', '--no-workloads']);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/\[data-race\]/);
  });
});

/** The words of a replay line (single-quoted parts kept whole). */
function splitArgs(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/**
 * A remote free onto the owner's list, as snmalloc's and mimalloc's remote frees do: the freeing
 * thread writes the link into the block, then pushes the block on the owner's list head with a
 * release CAS; the owner takes the list with an acquire exchange and reads the links.
 */
function remoteFree(push: 'release-cas' | 'relaxed-cas' | 'plain-store') {
  const machine = new Machine(machinePreset('default'), { seed: 1 });
  const race = machine.detectRaces();
  const owner = machine.cpu(0, 0);
  const remote = machine.cpu(1, 1);
  const head = machine.staticData(64);
  const block = owner.mmap(4096);
  race.fork(0, 1);
  owner.store(block, 0, 8, ORIGIN_LINK); // the block was the owner's
  race.acquire(1, race.release(0)); // handed to the remote thread by the program
  remote.setOp(ALLOCATOR_OPERATION.free, block);
  const old = remote.atomicLoad(head, 8, ORIGIN_META, RELAXED);
  remote.store(block, old, 8, ORIGIN_LINK);
  if (push === 'plain-store') remote.store(head, block);
  else remote.cas(head, old, block, 8, ORIGIN_META, push === 'release-cas' ? RELEASE : RELAXED);
  owner.setOp(ALLOCATOR_OPERATION.malloc, 16);
  const list = owner.exchange(head, 0, 8, ORIGIN_META, ACQUIRE);
  expect(list).toBe(block);
  owner.load(list, 8, ORIGIN_LINK); // the next link the remote thread wrote
  return race.reports;
}

describe('planted races in a lock-free remote free', () => {
  it('a release CAS push and an acquire take: no race', () => {
    expect(remoteFree('release-cas')).toEqual([]);
  });

  it('the push with a relaxed CAS where the source uses release: the link read races with its write', () => {
    const reports = remoteFree('relaxed-cas');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      origin: ORIGIN_LINK,
      current: { thread: 0, write: false, op: 'malloc(16)' },
      previous: { thread: 1, write: true, atomic: false, op: 'free' },
    });
  });

  it("the push with a plain store instead of a CAS: the store races with the owner's exchange", () => {
    const reports = remoteFree('plain-store');
    expect(reports.some((r) => r.origin === ORIGIN_META && r.previous.write && !r.previous.atomic && r.current.atomic)).toBe(true);
  });
});

describe('the detector', () => {
  it("a lock orders two threads' critical sections; without it they race", () => {
    for (const locked of [true, false]) {
      const machine = new Machine(machinePreset('default'), { seed: 1 });
      const race = machine.detectRaces();
      const [a, b] = [machine.cpu(0, 0), machine.cpu(1, 1)];
      const g = machine.staticData(128);
      race.fork(0, 1);
      for (const c of [a, b]) {
        if (locked) c.lock(g);
        c.store(g + 64, c.load(g + 64) + 1);
        if (locked) c.unlock(g);
      }
      expect(race.reports.length > 0, locked ? 'locked' : 'unlocked').toBe(!locked);
    }
  });

  it('two threads writing different bytes of one granule do not race; the same bytes do', () => {
    const machine = new Machine(machinePreset('default'), { seed: 1 });
    const race = machine.detectRaces();
    const [a, b] = [machine.cpu(0, 0), machine.cpu(1, 1)];
    const g = machine.staticData(64);
    a.store(g, 1, 4);
    b.store(g + 4, 1, 4);
    expect(race.reports).toEqual([]);
    a.store(g + 6, 1, 2);
    expect(race.reports).toHaveLength(1);
    expect(race.reports[0]?.address).toBe(g + 6);
  });

  it('a release fence before a relaxed store, read by an acquire load, orders the data', () => {
    const machine = new Machine(machinePreset('default'), { seed: 1 });
    const race = machine.detectRaces();
    const [a, b] = [machine.cpu(0, 0), machine.cpu(1, 1)];
    const g = machine.staticData(128);
    a.store(g, 42);
    a.fence(RELEASE);
    a.atomicStore(g + 64, 1, RELAXED);
    expect(b.atomicLoad(g + 64, 8, ORIGIN_META, ACQUIRE)).toBe(1);
    b.load(g);
    expect(race.reports).toEqual([]);
  });

  it('a page unmapped and mapped again starts with no history', () => {
    const machine = new Machine(machinePreset('default'), { seed: 1 });
    const race = machine.detectRaces();
    const [a, b] = [machine.cpu(0, 0), machine.cpu(1, 1)];
    const p = a.mmap(4096);
    a.store(p, 1);
    a.munmap(p, 4096);
    const q = b.mmap(4096, { addr: p, fixed: 'noreplace' });
    b.store(q, 2);
    expect(race.reports).toEqual([]);
  });
});
