// The dashboard end to end, in headless Chromium: list scenarios, edit a parameter, see the
// validation error of a bad value, start a run, watch the map and charts update, pause and
// resume, wait for the end, open the report; then the Runs page. Screenshots in $SCREENSHOTS.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const bin = process.env.MOBILIZE_BIN;
const shots = process.env.SCREENSHOTS || tmpdir();
const runs = mkdtempSync(join(tmpdir(), 'mobilize-e2e-'));

const server = spawn(bin, ['serve', '--port', '0', '--runs', runs], { stdio: ['ignore', 'pipe', 'inherit'] });
// Whatever ends this script (a failed check, a browser that will not start) ends the server:
// left running it would hold the caller's output pipe open, and a CI job would wait on it.
process.on('exit', () => server.kill());
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/open (http:\/\/[^ ]+\/)/);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`the server exited (${code})`)));
  setTimeout(() => reject(new Error('the server did not start')), 30000);
});

// Chromium now and then dies at start-up on a busy machine (seen once: SIGSEGV before the first
// page); a second and third try tell that apart from a browser that cannot run here.
const launch = async (tries) => {
  try {
    return await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
  } catch (e) {
    if (tries <= 1) throw e;
    console.error(`# the browser did not start (${e.message.split('\n')[0]}); trying again`);
    return launch(tries - 1);
  }
};
const browser = await launch(3);
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
let step = 0;
const shot = async (name) => page.screenshot({ path: join(shots, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
const check = (name) => console.log(`ok - ${name}`);

try {
  // Scenarios.
  await page.goto(url);
  await page.waitForSelector('a[data-scenario="korea-1936-1945"]');
  assert.ok(await page.locator('#scenarios tbody tr').count() >= 10);
  await shot('scenarios');
  check('the scenarios are listed');

  // Edit: a bad value is refused with the validator's message, inline.
  await page.click('a[data-scenario="korea-1936-1945"]');
  await page.waitForSelector('#validate-status.ok');
  await page.fill('input[name="resistance.outreach.member_contacts"]', '-3');
  await page.waitForSelector('.field-problem[data-for="resistance.outreach.member_contacts"]:not(:empty)');
  const note = await page.textContent('.field-problem[data-for="resistance.outreach.member_contacts"]');
  assert.match(note, /out of range/);
  assert.match(await page.textContent('#validate-status'), /1 problem/);
  await shot('validation-error');
  check('a bad value shows the validation error');

  // The text view shows TOML errors with their line.
  await page.click('#tab-text');
  const original = await page.inputValue('#text');
  await page.fill('#text', 'name = [broken');
  // The form's earlier problem may still be listed while the text's is validated: wait for
  // the text's own (with its line), not for any problem.
  await page.waitForFunction(() => /line 1/.test(document.querySelector('#problems')?.textContent || ''), null, { timeout: 15000 })
    .catch(() => {});
  assert.match(await page.textContent('#problems'), /line 1/);
  await page.fill('#text', original);
  await page.click('#tab-form');
  check('a broken text shows its line');

  // A valid edit in the form, then start from the Text tab: the form's changes still apply
  // (they were silently lost: the run used the file's values).
  await page.fill('input[name="resistance.outreach.member_contacts"]', '0.15');
  await page.fill('input[name="scale"]', '0.05');
  await page.waitForSelector('#validate-status.ok');
  // Cleared, so that what is read next is the Text tab's own validation.
  await page.evaluate(() => { const e = document.querySelector('#validate-status'); e.className = ''; e.textContent = ''; });
  await page.click('#tab-text');
  await page.waitForSelector('#validate-status.ok');
  // The Text tab validates what will run: the text with the form's changes (scale 0.05:
  // about 1.14 million people, not 22.8 million).
  const status = await page.textContent('#validate-status');
  const people = Number(status.match(/valid: ([\d,]+) people/)[1].replace(/,/g, ''));
  assert.ok(people > 1000000 && people < 1300000, `the form's scale applies in the Text tab: ${status}`);
  await page.click('#start');
  await page.waitForURL(/#\/run\/r\d+/);
  // The run is named by its scenario and seed, not by its id.
  await page.waitForSelector('h1');
  assert.match(await page.textContent('h1'), /^korea-1936-1945, seed \d+/);
  check('the run starts with the form\'s changes though started from the Text tab, named by scenario and seed');

  // Pause holds the run; resume lets it go on.
  await page.waitForFunction(() => /\d{4}-\d\d-\d\d/.test(document.querySelector('#run-date')?.textContent || ''));
  await page.click('#pause');
  await page.waitForFunction(() => document.querySelector('#run-status').textContent === 'paused');
  // The page may still be catching up with the step the run holds: wait until it settles.
  let held = await page.textContent('#run-date');
  for (let i = 0; i < 20; i += 1) {
    await page.waitForTimeout(300);
    const now = await page.textContent('#run-date');
    if (now === held) break;
    held = now;
  }
  await page.waitForTimeout(700);
  // Held: at most the one step that was under way when the pause came may still arrive.
  const later = await page.textContent('#run-date');
  assert.ok(Date.parse(later) - Date.parse(held) <= 86400000, `${held} → ${later}`);
  await shot('paused');
  // A second page opened on the paused run shows it paused from the first moment, and says
  // when it has caught up with the steps it missed.
  const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await other.goto(page.url());
  await other.waitForSelector('#run-status');
  assert.equal(await other.textContent('#run-status'), 'paused');
  await other.waitForFunction(() => /\d{4}-\d\d-\d\d/.test(document.querySelector('#run-date')?.textContent || ''));
  await other.waitForFunction(() => document.querySelector('#run-catching-up').textContent === '', null, { timeout: 30000 });
  assert.equal(await other.textContent('#run-status'), 'paused');
  await other.close();
  await page.click('#resume');
  await page.waitForFunction(() => document.querySelector('#run-status').textContent !== 'paused');
  check('pause holds the run, a page opened on it shows it paused, resume releases it');

  // The pace: at one simulated day a second the date moves a day or two in 1.5 s; the
  // results do not change (the Rust tests compare them), only the waits.
  // The page may first draw steps that were sent before the pace changed (a busy machine lags
  // behind a run at full speed): it is the pace once the page has caught up that counts.
  await page.selectOption('#pace', { label: '1 days/s' });
  const windows = [];
  for (let i = 0; i < 10; i += 1) {
    const from = await page.textContent('#run-date');
    await page.waitForTimeout(2000);
    const days = (Date.parse(await page.textContent('#run-date')) - Date.parse(from)) / 86400000;
    windows.push(days);
    if (days >= 1 && days <= 3) break;
  }
  const moved = windows[windows.length - 1];
  assert.ok(moved >= 1 && moved <= 3, `at 1 day/s, days moved in 2 s windows: ${windows}`);
  await page.selectOption('#pace', '0');
  check('the pace control slows the run to a day a second and lets it go again');

  // Live: the date moves, the map is coloured, the charts draw.
  await page.waitForFunction((d) => document.querySelector('#run-date').textContent !== d, held);
  await page.waitForSelector('#map .region[data-value]');
  // The regions are drawn as shapes (the scenario's schematic provinces), as in the report.
  assert.ok(await page.locator('#map path.region').count() >= 13);
  assert.match(await page.textContent('#map text.map-note'), /Schematic/);
  // The live map has a legend whose maximum is the scale's, and labels with a halo.
  assert.match(await page.textContent('#map text.legend-max'), /^[\d.]+$/);
  assert.equal(await page.locator('#map text.region-label[stroke="white"]').count(), await page.locator('#map path.region').count());
  // No two region labels overlap.
  const boxes = await page.$$eval('#map text.region-label', (ts) => ts.map((t) => { const b = t.getBBox(); return [b.x, b.y, b.width, b.height, t.textContent]; }));
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      const [a, b] = [boxes[i], boxes[j]];
      const apart = a[0] + a[2] <= b[0] || b[0] + b[2] <= a[0] || a[1] + a[3] <= b[1] || b[1] + b[3] <= a[1];
      assert.ok(apart, `labels ${a[4]} and ${b[4]} overlap`);
    }
  }
  assert.ok(await page.locator('.chart canvas').count() >= 3);
  // Any per-region series can be mapped, not only the model's map families.
  const families = await page.$$eval('#map-family option', (os) => os.map((o) => o.value));
  assert.ok(families.includes('control') && families.includes('member') && families.includes('fighter'), `${families}`);
  await page.selectOption('#map-family', 'member');
  await page.waitForSelector('#map .region[data-value]');
  // Charts of a dated run have a date axis; legends show display names, not column names.
  assert.equal(await page.locator('#chart-headline .u-legend .u-series').first().locator('.u-label').textContent(), 'date');
  assert.ok(await page.locator('#chart-kinds .u-legend .u-label', { hasText: 'Young Communist League' }).count() === 1);
  await page.waitForSelector('#log .entry');
  await shot('live');
  check('the date, map, charts and log update');

  // The end, and the report.
  await page.waitForSelector('#end-sentence', { timeout: 180000 });
  assert.match(await page.textContent('#end-sentence'), /^(The ruling system collapsed|No collapse)/);
  assert.equal(await page.textContent('#run-status'), 'finished');
  // The decisive days, zoomed, once the run has ended.
  await page.waitForSelector('#decisive:not([hidden]) #chart-decisive canvas');
  assert.match(await page.textContent('#decisive h3'), /The decisive days: 1945-0\d-\d\d to 1945-\d\d-\d\d/);
  await shot('finished');
  check('the end shows the decisive days');
  // The map's time slider goes back to any step received, and follows the newest at its end.
  const lastDate = await page.textContent('#map-time-label');
  await page.$eval('#map-time', (el) => { el.value = 0; el.dispatchEvent(new Event('input')); });
  assert.equal(await page.textContent('#map-time-label'), '1936-05-05');
  await page.$eval('#map-time', (el) => { el.value = el.max; el.dispatchEvent(new Event('input')); });
  assert.equal(await page.textContent('#map-time-label'), lastDate);
  check('the map has a time slider over the whole run');
  const [report] = await Promise.all([page.waitForEvent('popup'), page.click('#report-link')]);
  await report.waitForLoadState();
  assert.match(await report.title(), /run report/);
  assert.ok(await report.locator('svg').count() >= 5);
  await report.screenshot({ path: join(shots, `${String(++step).padStart(2, '0')}-report.png`), fullPage: false });
  check('the report opens');

  // The finished run replayed from its folder: the same page, at the pace asked for.
  const finishedSentence = await page.textContent('#end-sentence');
  await page.click('#replay');
  await page.waitForFunction(() => /replay of/.test(document.querySelector('h1').textContent));
  await page.waitForSelector('#end-sentence', { timeout: 60000 });
  assert.equal(await page.textContent('#end-sentence'), finishedSentence);
  assert.equal(await page.textContent('#run-status'), 'finished');
  await page.waitForSelector('#map path.region[data-value]');
  check('a finished run replays from its folder and ends as it ended');

  // Runs: the folder is listed with its report.
  await page.goto(`${url}#/runs`);
  await page.waitForSelector('#runs-table tbody tr');
  assert.ok(await page.locator('#runs-table a.report').count() >= 1);
  assert.ok(await page.locator('#runs-table button.replay-folder').count() >= 1);
  // Runs can be told apart: scenario, seed, scale and overrides are shown.
  const row = page.locator('#runs-table tbody tr').first();
  assert.equal(await row.locator('td.scenario').textContent(), 'korea-1936-1945');
  assert.match(await row.locator('td.seed').textContent(), /^\d+$/);
  assert.equal(await row.locator('td.scale').textContent(), '0.05');
  assert.match(await row.locator('td.overrides').textContent(), /scale=0\.05/);
  await shot('runs');
  check('the run folder is listed with its scenario, seed, scale and overrides');

  // An unknown run shows a message, not a blank page.
  await page.goto(`${url}#/run/r999`);
  await page.waitForSelector('#page-error');
  assert.match(await page.textContent('#page-error'), /no run `r999`/);
  check('an unknown run is explained');

  assert.deepEqual(errors, [], 'no script errors');
  console.log(`all dashboard checks passed; screenshots in ${shots}`);
} catch (e) {
  await shot('failure').catch(() => {});
  console.error('server says:', await (await fetch(`${url}api/runs/r1`)).text().catch(() => ''));
  console.error('page shows:', await page.textContent('#run-status').catch(() => ''), await page.textContent('#run-date').catch(() => ''));
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
  server.kill();
}
