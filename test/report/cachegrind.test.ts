import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/experiment/result.ts';
import { cachegrindFile, toCachegrind } from '../../src/report/cachegrind.ts';

const EVENTS = ['Calls', 'Acc', 'L1m', 'LLm', 'Coh', 'Atom', 'Cyc'];
const withProfile = (paths: Array<[string, number[]]>): Result =>
  ({ profile: { events: EVENTS, paths: paths.map(([path, events]) => ({ path, events })) } }) as unknown as Result;

describe('Cachegrind format', () => {
  it('writes desc/cmd/events, fl= per configuration, fn= per path summed over seeds, cycles first, and a matching summary', () => {
    const text = toCachegrind(
      [
        {
          file: cachegrindFile('msgpass producers=2', 4, 'snmalloc+batchit sets=4'),
          results: [
            withProfile([
              ['m::malloc', [1, 2, 3, 4, 5, 6, 7.4]],
              ['m::free', [0, 0, 0, 0, 0, 0, 0]],
            ]),
            withProfile([['m::malloc', [1, 1, 1, 1, 1, 1, 1]]]),
          ],
        },
      ],
      'allocsim compare -a x',
      ['first line\nwith a newline'],
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('desc: first line with a newline');
    expect(lines).toContain('cmd: allocsim compare -a x');
    expect(lines).toContain('events: Cyc Calls Acc L1m LLm Coh Atom');
    expect(lines).toContain('fl=msgpass,producers=2/threads=4/snmalloc+batchit,sets=4');
    const fn = lines.indexOf('fn=m::malloc');
    expect(lines[fn + 1]).toBe('0 8 2 3 4 5 6 7');
    expect(lines).not.toContain('fn=m::free'); // all-zero paths are left out
    expect(lines[lines.length - 1]).toBe('summary: 8 2 3 4 5 6 7');
  });

  it('refuses Results without a profile', () => {
    expect(() => toCachegrind([{ file: 'f', results: [{} as Result] }], 'c', [])).toThrow(/profile=true/);
  });
});
