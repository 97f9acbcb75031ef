/** The HTML report: the title once, figures that do not wrap, better/worse coloured, the geometric-mean line. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURE } from '../cli/helpers.ts';

describe('compare --html', () => {
  it('says the title once, keeps figures on one line, colours better and worse, and ends with the geometric means', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'allocsim-html-')), 'report.html');
    const r = await cli([
      'compare',
      '-a',
      'bump,test-slowbump',
      '--load',
      FIXTURE,
      '-w',
      'random',
      '--threads',
      '1,2',
      '-p',
      'ops=100',
      '-q',
      '--jobs',
      '1',
      '--html',
      file,
    ]);
    expect(r.code).toBe(0);
    const html = readFileSync(file, 'utf8');
    const body = html.slice(html.indexOf('<body>'));
    expect(body.split('compare bump, test-slowbump on random')).toHaveLength(2); // the heading only, not again in the chart
    expect(html).toContain('td { white-space: nowrap; }');
    expect(body).toMatch(/<td class="worse">1\.\d{3}<\/td>/); // test-slowbump is slower than bump
    expect(body).toMatch(/<p class="geomean">geometric mean over benchmarks and thread counts: bump 1\.000× time/);
  });
});
