/**
 * The playground's experiment form (web/src): its link round-trips, and the experiment it names
 * gives the JSON `allocsim compare --json` prints for the equivalent command line, byte for byte
 * (the browser test checks the same in chromium; this one runs in Node, in seconds).
 */
import { describe, expect, it } from 'vitest';
import '../../src/allocators/index.ts';
import '../../src/workloads/index.ts';
import { gridJSON } from '../../src/report/format.ts';
import { cliArgs, DEFAULT_FORM, formFromQuery, formToQuery } from '../../web/src/experiment-form.ts';
import { runGrid } from '../../web/src/experiment-run.ts';
import { cli } from '../cli/helpers.ts';

describe("the playground's experiment form", () => {
  it('a link reproduces the form', () => {
    const f = {
      ...DEFAULT_FORM,
      allocators: ['bump', 'freelist'],
      workloads: ['random'],
      threads: [1, 2],
      seeds: 2,
      seed: 5,
      params: ['ops=50', 'maxSize=64,128'],
      baseline: 'freelist',
      check: true,
    };
    expect(formFromQuery(formToQuery(f))).toEqual(f);
    expect(cliArgs(f)).toEqual([
      'sweep',
      '-a',
      'bump,freelist',
      '-w',
      'random',
      '--threads',
      '1,2',
      '--seeds',
      '2',
      '--seed',
      '5',
      '-p',
      'ops=50',
      '-p',
      'maxSize=64,128',
      '--baseline',
      'freelist',
      '--check',
    ]);
  });

  it('refuses what the CLI refuses, with a message', () => {
    expect(() => runGrid(formFromQuery('a=bump,bump&w=random'))).toThrow(/twice/);
    expect(() => runGrid(formFromQuery('a=bump&w=random&p=nosuch=1'))).toThrow(/unknown parameter 'nosuch'/);
    expect(() => formFromQuery('a=bump&w=random&seeds=0')).toThrow(/seeds must be a whole number of at least 1/);
  });

  it.each(['a=bump,freelist&w=random&t=1,2&seeds=2&p=ops=40', 'a=freelist,bump&w=random&p=ops=30&p=maxSize=64,256&b=bump&check=1'])(
    'gives the JSON of the equivalent compare/sweep command: %s',
    async (query) => {
      const form = formFromQuery(query);
      const g = runGrid(form);
      const r = await cli([...cliArgs(form), '--json', '--jobs', '1', '--quiet']);
      expect(r.code).toBe(0);
      expect(gridJSON(g.spec, g.summary, g.results)).toBe(r.out);
    },
  );
});
