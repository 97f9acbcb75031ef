/**
 * An isolated model's Cpu calls reach the machine with every argument. The longest (cas, cas64,
 * fetchAdd with an origin and a memory order) take six; a bridge that passed fewer dropped the
 * origin and the order silently, so the detector saw the strongest order and the cache counts
 * went to the wrong origin.
 */
import { describe, expect, it } from 'vitest';
import { allocsim, mutant } from '../coursework/helpers.ts';

describe('the isolation bridge', () => {
  it('passes a Cpu call its fifth and sixth arguments: an isolated run equals the trusted one', async () => {
    // Each malloc CASes a shared word (relaxed, 6th argument), counted as link traffic (origin, 5th).
    const file = mutant('freelist', 'six-arguments', [
      ['import {\n  BaseModel,\n  defineModel,', 'import {\n  RELAXED,\n  BaseModel,\n  defineModel,'],
      [
        "    this.counters.add('allocs');",
        "    this.counters.add('allocs');\n    cpu.cas(this.globals + 96, 0, 0, 8, ORIGIN_LINK, RELAXED);",
      ],
    ]);
    const args = ['run', '-a', file, '-w', 'random', '-p', 'threads=1', '-p', 'ops=40', '--json'];
    const isolated = await allocsim(args);
    const trusted = await allocsim([...args, '--trust']);
    expect(isolated.code, isolated.err).toBe(0);
    expect(trusted.code, trusted.err).toBe(0);
    const link = (out: string): number =>
      (JSON.parse(out) as { cache: { byOrigin: { allocatorLink: { accesses: number } } } }).cache.byOrigin.allocatorLink.accesses;
    expect(link(isolated.out)).toBe(link(trusted.out));
    expect(JSON.parse(isolated.out).cache).toEqual(JSON.parse(trusted.out).cache);
  }, 120_000);
});
