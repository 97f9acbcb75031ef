/**
 * The playground in a real browser (Debian's chromium through playwright-core), against the site
 * npm run web:build made: `npm run test:web`. Not part of `npm test` (vitest only looks in test/).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { cliArgs, formFromQuery } from '../src/experiment-form.ts';
import { cli, distinctColours, launchBrowser, ROOT, serveSite, type Site } from './harness.ts';

let site: Site;
let browser: Browser;

async function open(query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${site.url}${query}`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
  assert.deepEqual(errors, [], 'no uncaught error on the page');
  return page;
}

/** A screenshot of the page with more than a handful of colours (text, tables, charts, pictures). */
async function assertNotBlank(page: Page, name: string, min = 16): Promise<void> {
  const png = await page.screenshot({ fullPage: true, path: `${ROOT}/web/test-results/${name}.png` });
  const colours = distinctColours(png);
  assert.ok(colours >= min, `${name}: the screenshot has ${colours} colours; a blank page has 1 or 2`);
}

const statusDone = (id: string): string => `#${id}[data-done=true]`;

before(async () => {
  site = await serveSite();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  site?.close();
});

describe('the playground', { timeout: 600_000 }, () => {
  it('loads with its four tabs and the catalog of models and workloads', async () => {
    const page = await open();
    assert.equal(await page.title(), 'allocsim playground');
    const allocators = await page.$$eval('#exp-allocators option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.ok(allocators.includes('glibc') && allocators.includes('snmalloc') && allocators.includes('freelist'));
    for (const tab of ['heap', 'model', 'ostep', 'experiment']) {
      await page.click(`#tab-${tab}`);
      assert.equal(await page.isVisible(`#${tab}`), true);
    }
    await assertNotBlank(page, 'load');
    await page.close();
  });

  it('runs a msgpass compare from its link and downloads JSON byte-identical to the CLI', async () => {
    const query = '?a=glibc,snmalloc&w=msgpass&seeds=2&p=scale=0.0002';
    const page = await open(query);
    await page.waitForSelector(statusDone('exp-status'), { timeout: 300_000 });
    const status = (await page.textContent('#exp-status')) ?? '';
    assert.match(status, /^done: compare glibc, snmalloc on msgpass/);
    assert.deepEqual(
      formFromQuery(new URL(page.url()).search.slice(1)),
      formFromQuery(query.slice(1)),
      'the address still encodes the experiment',
    );
    assert.equal(await page.locator('#exp-table tbody tr').count(), 2);
    assert.ok((await page.locator('#exp-charts svg').count()) > 0, 'the vega-lite charts are drawn');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#exp-json')]);
    const browserJSON = readFileSync(await download.path(), 'utf8');
    const expected = cli([...cliArgs(formFromQuery(query.slice(1))), '--json', '--jobs', '1', '--quiet']);
    assert.equal(browserJSON, expected);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#exp-csv')]);
    assert.match(readFileSync(await csv.path(), 'utf8'), /^benchmark,threads,allocator/);
    await assertNotBlank(page, 'experiment', 40);
    await page.close();
  });

  it('cancels a running experiment', async () => {
    const page = await open('?a=glibc&w=msgpass&p=scale=0.05');
    await page.waitForFunction(() => (document.querySelector('#exp-status')?.textContent ?? '').startsWith('run '), null, {
      timeout: 60_000,
    });
    await page.click('#exp-cancel');
    assert.equal(await page.textContent('#exp-status'), 'cancelled');
    assert.equal(await page.isDisabled('#exp-run'), false);
    await page.close();
  });

  it("steps a teaching allocator's heap forward and back, showing what run --steps prints", async () => {
    const page = await open('?tab=heap');
    await page.selectOption('#heap-model', 'freelist');
    await page.click('#heap-record');
    await page.waitForSelector('#heap-viewer:not([hidden])', { timeout: 120_000 });
    const steps = cli(['run', '-a', 'freelist', '-w', 'random', '-p', 'threads=1', '-p', 'ops=12', '-p', 'maxSize=200', '--steps']).split(
      '\n\n',
    );
    const step = async (): Promise<string> => ((await page.textContent('#heap-step')) ?? '').trim();
    assert.match((await page.textContent('#heap-position')) ?? '', /^operation 1 of \d+/);
    assert.equal(await step(), steps[0]?.trim());
    await page.click('#heap-forward');
    await page.click('#heap-forward');
    assert.match((await page.textContent('#heap-position')) ?? '', /^operation 3 of/);
    assert.equal(await step(), steps[2]?.trim());
    await page.click('#heap-back');
    assert.match((await page.textContent('#heap-position')) ?? '', /^operation 2 of/);
    assert.equal(await step(), steps[1]?.trim());
    assert.match((await page.textContent('#heap-counters')) ?? '', /L1 misses so far/);
    assert.ok((await page.locator('#heap-map svg path').count()) > 0, 'the heap map is drawn');
    await assertNotBlank(page, 'heap', 20);
    await page.close();
  });

  it("steps the editor's model (transpiled in the browser) as run --steps does for the file", async () => {
    const page = await open('?tab=heap');
    await page.waitForFunction(() =>
      (window as unknown as { allocsimEditor: { get(): string } }).allocsimEditor.get().includes('defineModel'),
    );
    await page.selectOption('#heap-model', "(the editor's model)");
    await page.click('#heap-record');
    await page.waitForSelector('#heap-viewer:not([hidden])', { timeout: 120_000 });
    const steps = cli([
      'run',
      '-a',
      './templates/freelist/allocator.ts',
      '-w',
      'random',
      '-p',
      'threads=1',
      '-p',
      'ops=12',
      '-p',
      'maxSize=200',
      '--steps',
    ]).split('\n\n');
    await page.click('#heap-forward');
    assert.equal(((await page.textContent('#heap-step')) ?? '').trim(), steps[1]?.trim());
    await page.close();
  });

  it("shows a broken student model's violation and its counterexample as heap pictures", async () => {
    const page = await open('?tab=model');
    await page.waitForFunction(() =>
      (window as unknown as { allocsimEditor: { get(): string } }).allocsimEditor.get().includes('defineModel'),
    );
    const template = await page.evaluate(() => (window as unknown as { allocsimEditor: { get(): string } }).allocsimEditor.get());
    // The classic bug: the block is sized without its header, so the header overlaps the next block.
    const broken = template.replace('roundUp(size + HEADER, 16)', 'roundUp(size, 16)');
    assert.notEqual(broken, template, 'the template still has the line this test breaks');
    await page.evaluate((t) => (window as unknown as { allocsimEditor: { set(s: string): void } }).allocsimEditor.set(t), broken);
    await page.fill('#model-runs', '10');
    await page.click('#model-check');
    await page.waitForSelector(statusDone('model-status'), { timeout: 300_000 });
    assert.match((await page.textContent('#model-status')) ?? '', /check\(s\) failed/);
    const violation = (await page.textContent('.property.fail .violation')) ?? '';
    assert.ok(violation.length > 0, 'the violation is named');
    assert.ok((await page.locator('.property.fail .strip svg').count()) > 0, 'the counterexample is drawn, one heap picture per operation');
    await assertNotBlank(page, 'model-violation', 16);
    await page.close();
  });

  it('stops a model that loops forever, with a message', async () => {
    const page = await open('?tab=model');
    await page.waitForFunction(() =>
      (window as unknown as { allocsimEditor: { get(): string } }).allocsimEditor.get().includes('defineModel'),
    );
    const template = await page.evaluate(() => (window as unknown as { allocsimEditor: { get(): string } }).allocsimEditor.get());
    const looping = template.replace("cpu.work(4);\n    this.counters.add('allocs');", 'for (;;) {}');
    assert.notEqual(looping, template);
    await page.evaluate((t) => (window as unknown as { allocsimEditor: { set(s: string): void } }).allocsimEditor.set(t), looping);
    await page.fill('#model-limit', '2');
    await page.click('#model-check');
    await page.waitForFunction(() => /^stopped after/.test(document.querySelector('#model-status')?.textContent ?? ''), null, {
      timeout: 30_000,
    });
    assert.match((await page.textContent('#model-status')) ?? '', /^stopped after 2 s/);
    await page.close();
  });

  it('grades a model as allocsim grade does', async () => {
    const page = await open('?tab=model');
    await page.waitForFunction(() =>
      (window as unknown as { allocsimEditor: { get(): string } }).allocsimEditor.get().includes('defineModel'),
    );
    await page.fill('#model-limit', '300');
    await page.fill('#model-grade-inputs', 'binary.rep realloc.rep');
    await page.click('#model-grade');
    await page.waitForSelector(statusDone('model-status'), { timeout: 300_000 });
    assert.match((await page.textContent('#model-status')) ?? '', /^graded: valid on every input/);
    const template = await page.evaluate(() => (window as unknown as { allocsimEditor: { get(): string } }).allocsimEditor.get());
    assert.equal(template, readFileSync(`${ROOT}/templates/freelist/allocator.ts`, 'utf8'), 'the editor opened on the freelist template');
    const out = cli([
      'grade',
      'templates/freelist/allocator.ts',
      '--trace',
      'traces/csapp/binary.rep',
      '--trace',
      'traces/csapp/realloc.rep',
    ]);
    const scores = out.slice(out.indexOf('CS:APP')).trimEnd();
    assert.equal(((await page.textContent('#model-scores')) ?? '').trimEnd(), scores);
    assert.equal(await page.locator('#model-results table.grade tr').count(), 3);
    await page.close();
  });

  it("runs OSTEP's malloc.py with the same output as the CLI", async () => {
    const page = await open('?tab=ostep');
    await page.fill('#ostep-seed', '3');
    await page.click('#ostep-run');
    await page.waitForFunction(() => (document.querySelector('#ostep-output')?.textContent ?? '').length > 0);
    const text = (await page.textContent('#ostep-output')) ?? '';
    assert.equal(text, cli(['ostep-freespace', '-s', '3', '-c', '--picture']));
    await assertNotBlank(page, 'ostep', 8);
    await page.close();
  });
});
