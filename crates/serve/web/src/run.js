// The live run page: status, speed, map, charts, event log, lattice; pause, resume, stop.

import { api, post } from './api.js';
import { h, toast, fmt } from './dom.js';
import { chartGroups, LiveChart, RegionMap } from './charts.js';

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
  const mapBox = h('div', { id: 'map', class: 'card' }, h('h3', {}, 'Regions'));
  const charts = h('div', { class: 'grid', id: 'charts' });
  const latticeBox = h('div', { class: 'card', hidden: true }, h('h3', {}, 'Lattice'), h('canvas', { id: 'lattice' }));
  view.replaceChildren(
    h('h1', {}, `${info.scenario} — run ${id}`),
    // Controls first, so that changing numbers never move them under the pointer.
    h('p', { class: 'controls' }, buttons.pause, buttons.resume, buttons.stop),
    h('div', { class: 'status-line' }, phase, catching, when, speed, headline),
    end,
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
    if (map && last) map.draw(last.values);
    if (last) {
      catching.textContent = last.step < behind ? `catching up: step ${last.step} of ${behind}` : '';
      when.textContent = last.date || `step ${last.step}`;
      headline.textContent = `${start.columns[0]} ${fmt(last.values[0])}`;
    }
    // Speed: simulated days per second over the last second of stepping.
    if (samples.length > 1) {
      const a = samples[0], b = samples[samples.length - 1];
      if (b.t > a.t) speed.textContent = `${fmt(((b.step - a.step) * start.step_days) / (b.t - a.t))} simulated days/s`;
    }
  };
  const later = () => { if (!dirty) { dirty = true; requestAnimationFrame(redraw); } };

  const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  source.addEventListener('start', (e) => {
    start = JSON.parse(e.data);
    const index = (c) => start.columns.indexOf(c);
    for (const [elId, title, cols] of chartGroups(start.columns, start.groups)) {
      const el = h('div', { class: 'card chart', id: elId });
      charts.append(el);
      lines.push(new LiveChart(el, title, cols, index));
    }
    map = new RegionMap(mapBox, start.regions, start.columns, start.maps);
    if (!map.families.length) mapBox.hidden = true;
    if (start.lattice) latticeBox.hidden = false;
  });
  source.addEventListener('step', (e) => {
    const s = JSON.parse(e.data);
    last = s;
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
  source.addEventListener('end', (e) => {
    const d = JSON.parse(e.data);
    setPhase(d.phase);
    end.replaceChildren(h('p', { class: d.phase === 'finished' ? 'ok' : 'problem', id: 'end-sentence' }, d.sentence),
      d.report ? h('p', {}, h('a', { id: 'report-link', href: d.report, target: '_blank' }, 'Open the report')) : null);
    source.close();
    later();
  });
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
