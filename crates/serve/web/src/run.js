// The live run page: status, speed, map, charts, event log, lattice; pause, resume, stop; the
// pace of the run; the decisive days once it has ended; a replay of a finished run.

import { api, post } from './api.js';
import { h, toast, fmt } from './dom.js';
import { chartGroups, dateOf, LiveChart, RegionMap } from './charts.js';

// Paces offered, in simulated days a second (0: as fast as the machine runs it).
const PACES = [0, 365, 90, 30, 7, 1];

export async function runPage(view, id) {
  const info = await api(`/api/runs/${encodeURIComponent(id)}`);
  const phase = h('b', { id: 'run-status' }, info.phase);
  const when = h('b', { id: 'run-date' }, '–');
  const speed = h('span', { id: 'speed' }, '');
  // A page opened on a run that is already under way first receives the steps it missed: the
  // run's state stays what it is (paused stays paused), and this says that the page is still
  // catching up with it.
  const catching = h('span', { id: 'run-catching-up' }, '');
  const behind = info.step || 0;
  const headline = h('span', { id: 'headline' }, '');
  const log = h('div', { id: 'log' });
  const end = h('div', { id: 'end' });
  const steer = (action) => async () => {
    try { await post(`/api/runs/${id}/${action}`); } catch (e) { toast(e.message); }
  };
  const buttons = {
    pause: h('button', { id: 'pause', onclick: steer('pause') }, 'Pause'),
    resume: h('button', { id: 'resume', onclick: steer('resume') }, 'Resume'),
    stop: h('button', { id: 'stop', onclick: steer('stop') }, 'Stop'),
  };
  // How fast the run goes: only the waits between steps change, never the results.
  const pace = h('select', { id: 'pace', title: 'how fast the run goes (its results do not change)' });
  // On a dated run the paces are simulated days a second; otherwise steps a second.
  let stepDays = 1, dated = true;
  const fillPaces = () => {
    pace.replaceChildren(...PACES.map((d) => new Option(d === 0 ? 'full speed' : `${d} ${dated ? 'days' : 'steps'}/s`,
      String(d === 0 ? 0 : Math.max(1, Math.round(dated ? d / stepDays : d))))));
  };
  fillPaces();
  pace.onchange = async () => {
    try { await post(`/api/runs/${id}/speed`, { steps_per_second: Number(pace.value) }); } catch (e) { toast(e.message); }
  };
  // The run's scenario and seed name it; its id is for the address bar.
  const title = h('h1', {}, info.seed == null ? `${info.scenario} (replay)` : `${info.scenario}, seed ${info.seed}`,
    h('span', { class: 'muted', id: 'run-id' }, ` run ${id}`));
  const decisive = h('div', { id: 'decisive', class: 'card', hidden: true });
  const mapBox = h('div', { id: 'map', class: 'card' }, h('h3', {}, 'Regions'));
  // The map's time slider: it follows the newest step until moved; moved back, the map shows
  // that step (day by day through the decisive days), and back at the right end it follows again.
  const slider = h('input', { type: 'range', id: 'map-time', min: 0, max: 0, value: 0, step: 1, title: 'the map at another step' });
  const sliderDate = h('span', { id: 'map-time-label', class: 'muted' }, '');
  let following = true;
  const showAt = (k) => {
    const s = steps[k];
    if (!s || !map) return;
    map.draw(s.values);
    sliderDate.textContent = s.date || `step ${s.step}`;
  };
  slider.oninput = () => {
    following = Number(slider.value) >= steps.length - 1;
    showAt(Number(slider.value));
  };
  const charts = h('div', { class: 'grid', id: 'charts' });
  const latticeBox = h('div', { class: 'card', hidden: true }, h('h3', {}, 'Lattice'), h('canvas', { id: 'lattice' }));
  view.replaceChildren(
    title,
    // Controls first, so that changing numbers never move them under the pointer.
    h('p', { class: 'controls' }, buttons.pause, buttons.resume, buttons.stop, h('label', {}, 'pace ', pace)),
    h('div', { class: 'status-line' }, phase, catching, when, speed, headline),
    end,
    decisive,
    h('div', { class: 'grid' }, mapBox, latticeBox, h('div', { class: 'card' }, h('h3', {}, 'Events'), log)),
    charts);

  const setPhase = (p) => {
    phase.textContent = p;
    const over = ['finished', 'stopped', 'failed'].includes(p);
    buttons.pause.disabled = over || p === 'paused';
    buttons.resume.disabled = over || p !== 'paused';
    buttons.stop.disabled = over;
  };
  setPhase(info.phase);

  let start = null, lines = [], map = null, last = null, samples = [];
  // Every step received, for the decisive days' chart drawn at the end.
  const steps = [];
  let dirty = false;
  // Everything that touches the page happens once per frame, however many steps arrived:
  // the page stays responsive at thousands of steps per second.
  let pending = [], lattice = null;
  const redraw = () => {
    dirty = false;
    if (pending.length) {
      log.append(...pending.map((text) => h('div', { class: 'entry' }, text)));
      pending = [];
      while (log.childElementCount > 500) log.firstChild.remove();
      log.scrollTop = log.scrollHeight;
    }
    if (lattice) { drawLattice(document.getElementById('lattice'), lattice); lattice = null; }
    lines.forEach((c) => c.draw());
    slider.max = Math.max(0, steps.length - 1);
    if (following) slider.value = slider.max;
    if (map && last) showAt(following ? steps.length - 1 : Number(slider.value));
    if (last) {
      catching.textContent = last.step < behind ? `catching up: step ${last.step} of ${behind}` : '';
      when.textContent = last.date || `step ${last.step}`;
      headline.textContent = `${start.columns[0]} ${fmt(last.values[0])}`;
    }
    // Speed: simulated days per second over the last second of stepping.
    if (samples.length > 1) {
      const a = samples[0], b = samples[samples.length - 1];
      // A replay simulates nothing: its speed is how fast the recorded days are shown.
      const what = start.replay ? 'days/s replayed' : 'simulated days/s';
      if (b.t > a.t) speed.textContent = `${fmt(Math.round(((b.step - a.step) * start.step_days) / (b.t - a.t)))} ${what}`;
    }
  };
  const later = () => { if (!dirty) { dirty = true; requestAnimationFrame(redraw); } };

  const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  source.addEventListener('start', (e) => {
    start = JSON.parse(e.data);
    stepDays = start.step_days || 1;
    dated = Boolean(start.start);
    fillPaces();
    pace.value = String(start.pace || 0);
    if (start.replay) title.textContent = `${start.scenario} — replay of ${start.replay}`;
    for (const [elId, chartTitle, unit, cols] of chartGroups(start)) {
      const el = h('div', { class: 'card chart', id: elId });
      charts.append(el);
      lines.push(new LiveChart(el, start, chartTitle, unit, cols));
    }
    map = new RegionMap(mapBox, start);
    mapBox.append(h('p', { class: 'slider' }, slider, ' ', sliderDate));
    if (!map.families.length) mapBox.hidden = true;
    if (start.lattice) latticeBox.hidden = false;
  });
  source.addEventListener('step', (e) => {
    const s = JSON.parse(e.data);
    last = s;
    steps.push(s);
    lines.forEach((c) => c.push(s.step, s.values));
    samples.push({ t: s.t, step: s.step });
    while (samples.length > 2 && samples[samples.length - 1].t - samples[0].t > 1) samples.shift();
    for (const l of s.logs) {
      pending.push(`${s.date || 'step ' + s.step} ${l.kind}${l.region ? ' [' + l.region + ']' : ''}: ${l.detail}`);
    }
    if (pending.length > 500) pending.splice(0, pending.length - 500);
    if (s.lattice) lattice = s.lattice;
    later();
  });
  source.addEventListener('state', (e) => setPhase(JSON.parse(e.data).phase));
  source.addEventListener('pace', (e) => {
    const v = String(JSON.parse(e.data).steps_per_second);
    if (![...pace.options].some((o) => o.value === v)) pace.append(new Option(`${v} steps/s`, v));
    pace.value = v;
  });
  source.addEventListener('end', (e) => {
    const d = JSON.parse(e.data);
    setPhase(d.phase);
    // A finished run can be watched again from its folder, at any pace.
    const replay = async () => {
      try {
        const r = await post('/api/folders/replay', { folder: d.folder });
        location.hash = `#/run/${r.id}`;
      } catch (err) { toast(err.message); }
    };
    end.replaceChildren(h('p', { class: d.phase === 'finished' ? 'ok' : 'problem', id: 'end-sentence' }, d.sentence),
      h('p', {}, d.report ? h('a', { id: 'report-link', href: d.report, target: '_blank' }, 'Open the report') : null, ' ',
        d.phase === 'finished' && d.folder ? h('button', { id: 'replay', onclick: replay }, 'Replay') : null));
    if (d.decisive && start) showDecisive(d.decisive);
    source.close();
    later();
  });
  // The decisive days (from the final offensive or outside attack to the end; else around the
  // largest change), zoomed: on the whole run's axis they are its last few pixels.
  const showDecisive = ([a, b]) => {
    const [, chartTitle, unit, cols] = chartGroups(start)[0];
    const when = (s) => dateOf(start, s) || `step ${s}`;
    decisive.hidden = false;
    decisive.replaceChildren(h('h3', {}, `The decisive days: ${when(a)} to ${when(b)}`));
    const el = h('div', { class: 'chart', id: 'chart-decisive' });
    decisive.append(el);
    const c = new LiveChart(el, start, `${chartTitle}, ${when(a)} to ${when(b)}`, unit, cols, [a, b]);
    steps.forEach((s) => c.push(s.step, s.values));
    lines.push(c);
  };
  source.onerror = () => {
    if (!['finished', 'stopped', 'failed'].includes(phase.textContent)) toast('lost the connection to the run; reload to reconnect');
    source.close();
  };
  return () => source.close();
}

function drawLattice(canvas, l) {
  canvas.width = l.width;
  canvas.height = l.height;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(l.width, l.height);
  const cells = atob(l.cells);
  const rgb = new Map(l.legend.map(([code, , c]) => [code, c]));
  for (let i = 0; i < cells.length; i++) {
    const c = rgb.get(cells.charCodeAt(i)) || [255, 255, 255];
    img.data[4 * i] = c[0];
    img.data[4 * i + 1] = c[1];
    img.data[4 * i + 2] = c[2];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
