// The Runs page: run folders on disk (CLI runs included) and live runs; open a report; compare two.

import { api, post } from './api.js';
import { h, fmt, toast } from './dom.js';

export async function runsPage(view) {
  const { live, folders } = await api('/api/runs');
  const comparison = h('div', { id: 'comparison' });
  const picked = new Set();
  const compare = h('button', {
    id: 'compare',
    disabled: true,
    onclick: () => {
      const [a, b] = [...picked].map((p) => folders.find((f) => f.path === p));
      const names = [...new Set([...Object.keys(a.figures || {}), ...Object.keys(b.figures || {})])].sort();
      comparison.replaceChildren(
        h('h2', {}, 'Comparison'),
        h('table', {},
          h('thead', {}, h('tr', {}, h('th', {}, 'figure'), h('th', {}, a.path), h('th', {}, b.path), h('th', {}, 'difference'))),
          h('tbody', {}, names.map((n) => {
            const x = a.figures[n], y = b.figures[n];
            return h('tr', {}, h('td', {}, n), h('td', {}, fmt(x)), h('td', {}, fmt(y)),
              h('td', {}, x !== undefined && y !== undefined ? fmt(y - x) : '–'));
          }))),
        h('p', {}, a.report ? h('a', { href: `/files/${a.path}/report.html`, target: '_blank' }, `report of ${a.path}`) : null, ' ',
          b.report ? h('a', { href: `/files/${b.path}/report.html`, target: '_blank' }, `report of ${b.path}`) : null));
    },
  }, 'Compare the two selected');
  const pick = (path) => (e) => {
    if (e.target.checked) picked.add(path); else picked.delete(path);
    if (picked.size > 2) { toast('select two runs to compare'); }
    compare.disabled = picked.size !== 2;
  };
  // A folder run again as a live run, then watched: an interrupted one (stopped here, by a
  // server shut down, or a CLI run) finished from its newest checkpoint (`resume`), or a
  // finished one played again at any pace, nothing simulated again (`replay`).
  const open = (action, path) => async () => {
    try {
      const { id } = await post(`/api/folders/${action}`, { folder: path });
      location.hash = `#/run/${id}`;
    } catch (e) {
      toast(e.message);
    }
  };
  const resume = (path) => open('resume', path);
  const replay = (path) => open('replay', path);
  view.replaceChildren(
    h('h1', {}, 'Runs'),
    live.length ? h('div', {}, h('h2', {}, 'Started here'), h('table', { id: 'live-runs' },
      h('tbody', {}, live.map((r) => h('tr', {},
        h('td', {}, h('a', { href: `#/run/${r.id}` }, r.id)), h('td', {}, r.scenario), h('td', {}, r.phase), h('td', {}, `step ${r.step}`)))))) : null,
    h('h2', {}, 'Run folders'),
    h('p', {}, compare),
    h('table', { id: 'runs-table' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'folder'), h('th', {}, 'kind'), h('th', {}, 'scenario'),
        h('th', {}, 'seed'), h('th', {}, 'scale'), h('th', {}, 'overrides'), h('th', {}, 'status'), h('th', {}, 'summary'), h('th', {}, ''))),
      h('tbody', {}, folders.map((f) => h('tr', {},
        h('td', {}, f.kind === 'run' ? h('input', { type: 'checkbox', class: 'pick', 'data-path': f.path, onchange: pick(f.path) }) : null),
        h('td', {}, f.path), h('td', {}, f.kind), h('td', { class: 'scenario' }, f.scenario || ''),
        h('td', { class: 'seed' }, f.seed ?? ''), h('td', { class: 'scale' }, f.scale ?? ''),
        h('td', { class: 'overrides' }, (f.overrides || []).join(' ')), h('td', {}, f.status || ''),
        h('td', {}, f.summary || ''),
        h('td', {}, f.report ? h('a', { href: `/files/${f.path}/report.html`, target: '_blank', class: 'report' }, 'report') : null,
          f.kind === 'run' && f.status === 'complete' ? h('button', { class: 'replay-folder', onclick: replay(f.path) }, 'replay') : null,
          f.kind === 'run' && f.status === 'incomplete' ? h('button', { class: 'resume-folder', onclick: resume(f.path) }, 'resume') : null))))),
    comparison);
}
