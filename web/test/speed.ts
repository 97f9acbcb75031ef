/**
 * How long the playground's runs take in the browser against the same runs under Node:
 * `node --import tsx web/test/speed.ts [QUERY] [REPS]` (after npm run web:build). Each repetition
 * is a fresh page (a fresh worker) and a fresh Node process, alternating, so both start with a cold
 * JIT; only the runs are timed. Prints each pair and the median ratio browser / Node.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { launchBrowser, ROOT, serveSite } from './harness.ts';

const query = process.argv[2] ?? 'a=glibc,snmalloc&w=msgpass&p=scale=0.002';
const reps = Number(process.argv[3] ?? 3);
const site = await serveSite();
const browser = await launchBrowser();
const ratios: number[] = [];
try {
  for (let i = 0; i < reps; i++) {
    const page = await browser.newPage();
    await page.goto(`${site.url}?${query}`);
    await page.waitForSelector('#exp-status[data-done=true]', { timeout: 600_000 });
    const web = Number(await page.getAttribute('#exp-status', 'data-run-ms'));
    await page.close();
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'web', 'test', 'node-run.ts'), query], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    const node = Number(r.stdout.trim());
    if (!(web > 0 && node > 0)) throw new Error(`no timing: browser ${web}, node ${r.stdout}${r.stderr}`);
    ratios.push(web / node);
    console.log(`rep ${i + 1}: browser ${web} ms, node ${node} ms, ratio ${(web / node).toFixed(2)}`);
  }
} finally {
  await browser.close();
  site.close();
}
const sorted = [...ratios].sort((a, b) => a - b);
console.log(`${query}: median browser/node ${(sorted[Math.floor(sorted.length / 2)] as number).toFixed(2)} over ${reps} repetitions`);
