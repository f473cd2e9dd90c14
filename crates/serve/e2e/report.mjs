// The reports in headless Chromium: a run report's maps are maps (shapes, a legend whose
// maximum is the data's, region labels that do not overlap); no text of any picture (chart,
// map, timeline) of a run, ensemble or comparison report runs off its picture; experiment
// reports open with the outcome counted.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const bin = process.env.MOBILIZE_BIN;
const shots = process.env.SCREENSHOTS || tmpdir();
const out = mkdtempSync(join(tmpdir(), 'mobilize-report-'));
const check = (name) => console.log(`ok - ${name}`);

const stdout = execFileSync(bin, ['run', 'korea-1936-1945', '--scale', '0.01', '-q', '--out', out], { encoding: 'utf8' });
const folder = stdout.split('\n').find((l) => l.startsWith('results: ')).slice('results: '.length);
const report = join(folder.startsWith('/') ? '' : process.cwd(), folder, 'report.html');

const results = (args) => {
  const o = execFileSync(bin, [args[0], '-q', '--out', out, ...args.slice(1)], { encoding: 'utf8' });
  const f = o.split('\n').find((l) => l.startsWith('results: ')).slice('results: '.length);
  return join(f.startsWith('/') ? '' : process.cwd(), f, 'report.html');
};
// The texts of every picture on the page that run off it (clipped when it is drawn).
const outsideTexts = (page) => page.evaluate(() => {
  const out = [];
  document.querySelectorAll('svg').forEach((svg, k) => {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBoundingClientRect();
      if (b.width > 0 && (b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5)) {
        out.push(`${svg.querySelector('title')?.textContent || `picture ${k}`}: "${t.textContent}"`);
      }
    }
  });
  return out;
});

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${report}`);
  // The story first: the dated headline, the key chart and the map; the run's details last.
  const order = await page.evaluate(() => {
    const all = [...document.querySelectorAll('p.lead, svg, h2')];
    const at = (f) => all.findIndex(f);
    return {
      lead: at((e) => e.matches('p.lead')),
      chart: at((e) => e.tagName === 'svg' && !e.querySelector('path.region')),
      map: at((e) => e.tagName === 'svg' && !!e.querySelector('path.region')),
      details: at((e) => e.tagName === 'H2' && e.textContent === 'Run details'),
      headline: document.querySelector('p.lead').textContent,
      axes: [...document.querySelectorAll('svg')].filter((e) => !e.querySelector('path.region')).slice(0, 3)
        .map((e) => [...e.querySelectorAll('text')].map((t) => t.textContent)),
    };
  });
  assert.ok(order.lead === 0 && order.lead < order.chart && order.chart < order.map && order.map < order.details, JSON.stringify(order));
  assert.match(order.headline, /\d{4}-\d{2}-\d{2}/);
  check('the report opens with the dated headline, the key chart and the map; details come last');
  // The key chart follows the story (the rising), not the first column (the organizations,
  // which a rising empties); and the scale is said where the counts are.
  const story = await page.evaluate(() => ({
    key: document.querySelector('svg title')?.textContent || '',
    text: document.body.innerText,
  }));
  assert.match(story.key, /out in the rising/, `the key chart: ${story.key}`);
  assert.match(story.text, /Scale 0\.01: [\d,]+ persons simulated/);
  check('the key chart is the rising, and the scale is said');
  for (const texts of order.axes) {
    assert.ok(texts.includes('date') && !texts.includes('step'), `a dated chart's axis says date: ${texts}`);
    assert.ok(texts.some((t) => /^\d{4}(-\d{2})?/.test(t)), `its ticks are dates: ${texts}`);
  }
  check('the charts of a dated scenario have dates on their axes');
  // The decisive period: its own chart, and the map's slider steps through it day by day.
  const climax = await page.evaluate(() => {
    const h = [...document.querySelectorAll('h2')].find((e) => e.textContent === 'The decisive days');
    const id = document.querySelector('svg path.region').id.replace(/-r0$/, '');
    const labels = JSON.parse(document.getElementById(id + '-data').textContent).frames.map((f) => f.label);
    return { heading: !!h, last: labels.slice(-10) };
  });
  assert.ok(climax.heading, 'a panel on the decisive days');
  const days = climax.last.map((d) => Date.parse(d) / 86400000);
  assert.ok(days.every((d, k) => k === 0 || d - days[k - 1] === 1), `daily frames at the climax: ${climax.last}`);
  check('the decisive days have their own chart, and the map steps through them day by day');
  // The timeline's events are marked on the charts, the final offensive on the decisive days'.
  const marks = await page.evaluate(() => {
    const svgs = [...document.querySelectorAll('svg')].filter((e) => !e.querySelector('path.region'));
    return svgs.slice(0, 2).map((e) => [...e.querySelectorAll('line.event-mark title')].map((t) => t.textContent));
  });
  assert.ok(marks[0].length >= 10, `the key chart marks the timeline: ${marks[0]}`);
  assert.ok(marks[1].some((t) => /final offensive/.test(t)), `the decisive days mark the offensive: ${marks[1]}`);
  check('events are marked on the charts');
  const maps = await page.locator('svg:has(path.region)').count();
  assert.ok(maps >= 2, `the report draws its regions as shapes (${maps} maps)`);
  check('the regions are drawn as shapes on a map');

  const found = await page.evaluate(() => {
    const out = [];
    document.querySelectorAll('svg:has(path.region)').forEach((svg) => {
      const box = svg.getBoundingClientRect();
      const id = svg.querySelector('path.region').id.replace(/-r0$/, '');
      const data = JSON.parse(document.getElementById(id + '-data').textContent);
      const values = data.frames.flatMap((f) => f.values).filter((v) => v !== null);
      const outside = [...svg.querySelectorAll('text')].filter((t) => {
        const b = t.getBoundingClientRect();
        return b.width > 0 && (b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5);
      }).map((t) => t.textContent);
      const labels = [...svg.querySelectorAll('text.region-label')].map((t) => ({ name: t.textContent, b: t.getBoundingClientRect() }));
      const overlaps = [];
      for (let i = 0; i < labels.length; i++) {
        for (let j = i + 1; j < labels.length; j++) {
          const a = labels[i].b, c = labels[j].b;
          if (a.left < c.right && c.left < a.right && a.top < c.bottom && c.top < a.bottom) overlaps.push(`${labels[i].name}/${labels[j].name}`);
        }
      }
      out.push({
        id,
        legendMax: svg.querySelector('text.legend-max').textContent,
        dataMax: Math.max(...values),
        max: data.max,
        outside,
        overlaps,
        schematic: (svg.querySelector('text.map-note') || { textContent: '' }).textContent,
      });
    });
    return out;
  });
  for (const m of found) {
    assert.deepEqual(m.outside, [], `${m.id}: text outside its picture`);
    assert.deepEqual(m.overlaps, [], `${m.id}: region labels overlap`);
    assert.equal(Number(m.legendMax), Math.round(m.max * 1000) / 1000, `${m.id}: the legend's maximum is the scale's`);
    // Shares are drawn against the largest share reached (fractions against 1).
    assert.ok(m.max === 1 || Math.abs(m.max - m.dataMax) < 1e-9, `${m.id}: the scale's maximum ${m.max} is the data's ${m.dataMax}`);
    assert.match(m.schematic, /Schematic/);
    assert.match(m.schematic, /Made with Natural Earth/);
  }
  check(`every map's text lies inside it, its labels do not overlap, its legend ends at the data's maximum (${found.length} maps)`);
  await page.locator('svg:has(path.region)').first().screenshot({ path: join(shots, 'report-map.png') });
  // Any other per-region series can be chosen in the menu of one more map: its title and
  // legend follow the series chosen.
  const menu = page.locator('select[data-map="map-any"]');
  const choices = await menu.locator('option').allTextContents();
  assert.ok(choices.some((c) => /^member/.test(c)) && choices.some((c) => /^committees \(count\)$/.test(c)), `${choices}`);
  const key = await menu.locator('option').nth(3).getAttribute('value');
  await menu.selectOption(key);
  const chosen = await page.evaluate((k) => {
    const data = JSON.parse(document.getElementById(k).textContent);
    const svg = document.getElementById('map-any-r0').ownerSVGElement;
    return { title: data.title, shownTitle: svg.querySelector('text.map-title').textContent, max: data.max,
      legend: svg.querySelector('text.legend-max').textContent, fill: document.getElementById('map-any-r0').getAttribute('fill') };
  }, key);
  assert.equal(chosen.shownTitle, chosen.title);
  assert.equal(Number(chosen.legend), Math.round(chosen.max * 1000) / 1000);
  check(`one more map shows any of ${choices.length} other per-region series, chosen in its menu`);
  const pictures = await page.locator('svg').count();
  assert.deepEqual(await outsideTexts(page), [], 'run report: text outside its picture');
  check(`no text of the run report's ${pictures} pictures runs off its picture`);
  // One unit to a chart, written above its value axis.
  const units = await page.$$eval('svg text.unit', (ts) => ts.map((t) => t.textContent));
  assert.ok(units.includes('yen') && units.includes('kg of grain') && units.includes('fraction'), `units: ${units}`);
  // Display names in the legends, not column names.
  const legend = await page.$$eval('svg text', (ts) => ts.map((t) => t.textContent));
  assert.ok(legend.some((t) => t.startsWith('Young Communist League')), 'a kind shown by its label');
  assert.ok(!legend.some((t) => t.startsWith('kind.')), 'no raw column name in a legend');
  check('charts name their unit and show display names');
  // The event timeline's axis is in dates.
  const timeline = await page.$$eval('svg', (ss) => ss.filter((s) => s.querySelector('title')?.textContent === 'Event timeline')
    .flatMap((s) => [...s.querySelectorAll('text')].map((t) => t.textContent)));
  assert.ok(timeline.includes('date') && timeline.some((t) => /^\d{4}-\d\d-\d\d$/.test(t)), `timeline axis: ${timeline.slice(-8)}`);
  // Its rows are named in words (`crowd policing`, not `crowd_policing`).
  assert.ok(!timeline.some((t) => t.includes('_')), `timeline labels: ${timeline.slice(0, 8)}`);
  check('the event timeline is dated, its rows named in words');
  assert.deepEqual(errors, []);
  check('the report has no script errors');

  // Experiment reports: the outcome counted first (with intervals), and no clipped text.
  const ensemble = results(['ensemble', 'two-valleys', '-n', '6', '--seed', '1']);
  await page.goto(`file://${ensemble}`);
  assert.match(await page.textContent('p.lead'), /^The ruling system collapsed in \d+ of 6 runs \(95 % interval \d+ to \d+ %\)/);
  assert.deepEqual(await outsideTexts(page), [], 'ensemble report: text outside its picture');
  const comparison = results(['compare', 'korea-1936-1945', '--scale', '0.01', '-n', '2', '--seed', '1',
    '--vs', '--set', 'resistance.organizations=false']);
  await page.goto(`file://${comparison}`);
  assert.match(await page.textContent('p.lead'), /^The ruling system collapsed in \d of 2 runs of arm a .* and in \d of 2 runs of arm b \(.*organizations=false\)/);
  assert.deepEqual(await outsideTexts(page), [], 'comparison report: text outside its picture');
  assert.deepEqual(errors, []);
  check('ensemble and comparison reports open with the outcome counted, and no text is clipped');

  // A calibration's report: the space left, a marginal per parameter beside its prior, the
  // posterior's runs against every target, the claims; no text clipped, no script error.
  const targets = join(process.cwd(), '..', '..', '..', 'scenarios', 'targets', 'two-valleys.toml');
  const cal = join(out, 'calibration');
  execFileSync(bin, ['calibrate', targets, '--waves', '2', '--points', '10', '-n', '2', '--candidates', '400',
    '--abc', '--particles', '30', '--generations', '2', '--claim', 'rising at its peak >= 150', '-q', '-o', cal],
  { encoding: 'utf8' });
  await page.goto(`file://${join(cal, 'report.html')}`);
  assert.match(await page.textContent('p.lead'), /^History matching over 2 parameter\(s\) in 2 wave\(s\): [\d.]+ % of the prior is not ruled out\.$/);
  const titles = await page.$$eval('svg title', (ts) => ts.map((t) => t.textContent));
  for (const t of ['Share of the prior not ruled out, after each wave', 'resistance.outreach.member_contacts',
    'resistance.repression.detection']) {
    assert.ok(titles.includes(t), `calibration report lacks "${t}": ${titles}`);
  }
  const cells = await page.$$eval('td', (ts) => ts.map((t) => t.textContent));
  assert.ok(cells.includes('rising at its peak (held out)') && cells.includes('rising at its peak >= 150'), `${cells}`);
  assert.deepEqual(await outsideTexts(page), [], 'calibration report: text outside its picture');
  await page.screenshot({ path: join(shots, 'calibration-report.png'), fullPage: true });
  assert.deepEqual(errors, []);
  check('a calibration report shows the space left, each marginal beside its prior and the claims, with no text clipped');
} finally {
  await browser.close();
}
