// The Scenarios page and the scenario editor (form or text, validated as you type).

import { api, post } from './api.js';
import { h, toast } from './dom.js';

export async function listPage(view) {
  const { scenarios } = await api('/api/scenarios');
  view.replaceChildren(
    h('h1', {}, 'Scenarios'),
    h('table', { id: 'scenarios' },
      h('thead', {}, h('tr', {}, h('th', {}, 'name'), h('th', {}, 'model'), h('th', {}, 'people'), h('th', {}, 'steps'), h('th', {}, 'description'))),
      h('tbody', {}, scenarios.map((s) => s.problem
        // A file that cannot run is listed with its first problem, not left off.
        ? h('tr', { class: 'invalid', 'data-invalid': s.name },
          h('td', {}, s.name, h('span', { class: 'muted' }, ' (file)')),
          h('td', {}, '–'), h('td', {}, '–'), h('td', {}, '–'),
          h('td', { class: 'problem' }, `cannot run: ${s.problem}`))
        : h('tr', {},
          h('td', {}, h('a', { href: `#/scenario/${encodeURIComponent(s.name)}`, 'data-scenario': s.name }, s.name),
            s.origin === 'file' ? h('span', { class: 'muted' }, ' (file)') : null),
          h('td', {}, s.model),
          h('td', {}, s.persons ? s.persons.toLocaleString('en') : 'lattice'),
          h('td', {}, s.steps),
          h('td', {}, s.description))))));
}

export async function editPage(view, name) {
  const sc = await api(`/api/scenarios/${encodeURIComponent(name)}`);
  let mode = 'form';
  const status = h('div', { id: 'validate-status' });
  const problemsBox = h('div', { id: 'problems' });
  const inputs = sc.parameters.map((p) => {
    const input = h('input', { name: p.path, value: p.value, 'data-original': p.value });
    const note = h('div', { class: 'field-problem', 'data-for': p.path });
    return { p, input, note, block: h('div', {}, h('label', { for: p.path }, `${p.label} (${p.path})`), input, note) };
  });
  const text = h('textarea', { id: 'text', spellcheck: 'false' });
  text.value = sc.text;
  const form = h('div', { class: 'form', id: 'form' }, inputs.map((i) => i.block));
  const textBox = h('div', { id: 'text-box', hidden: true }, text);

  // The run started is the run shown: edits in both tabs apply, whichever tab is open (the
  // text as edited, the form's changes on top of it), and the page says so.
  const both = h('p', { id: 'both-tabs', class: 'muted', hidden: true });
  function request() {
    const sets = inputs
      .filter((i) => i.input.value.trim() !== i.input.dataset.original)
      .map((i) => `${i.p.path}=${i.input.value.trim()}`);
    const edited = text.value !== sc.text;
    both.hidden = !(edited && sets.length);
    both.textContent = `The run takes the edited text with the form's changes on top of it: ${sets.join(', ')}.`;
    const req = { scenario: name, sets, steps_per_second: Number(pace.value) };
    if (edited) req.text = text.value;
    return req;
  }

  function show(result) {
    for (const i of inputs) i.note.textContent = '';
    problemsBox.replaceChildren();
    if (result.ok) {
      status.className = 'ok';
      status.textContent = `valid: ${result.persons.toLocaleString('en')} people, ${result.steps} steps`;
      return;
    }
    status.className = 'problem';
    status.textContent = `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; the run cannot start`;
    for (const p of result.problems) {
      const where = p.line ? `line ${p.line}, column ${p.column}: ` : '';
      const msg = `${where}${p.path ? p.path + ': ' : ''}${p.message}${p.help ? ' — ' + p.help : ''}`;
      const field = inputs.find((i) => p.path === i.p.path || (p.set && p.set.startsWith(i.p.path + '=')));
      if (field && mode === 'form') field.note.textContent = msg;
      problemsBox.append(h('div', { class: 'problem' }, msg));
    }
  }

  let timer = null;
  async function validate() {
    try {
      const result = await post('/api/validate', request());
      show(result);
      return result.ok;
    } catch (e) {
      toast(e.message);
      return false;
    }
  }
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(validate, 250);
  }
  for (const i of inputs) i.input.addEventListener('input', soon);
  text.addEventListener('input', soon);

  const tabForm = h('button', { id: 'tab-form', class: 'active', onclick: () => setMode('form') }, 'Form');
  const tabText = h('button', { id: 'tab-text', onclick: () => setMode('text') }, 'Text');
  function setMode(m) {
    mode = m;
    form.hidden = m !== 'form';
    textBox.hidden = m !== 'text';
    tabForm.classList.toggle('active', m === 'form');
    tabText.classList.toggle('active', m === 'text');
    validate();
  }

  // The pace to start at: a short run can be watched from its first step (the results do
  // not depend on it; it can be changed on the run's page).
  const pace = h('select', { id: 'start-pace', title: 'how fast the run starts (its results do not change)' },
    ...[[0, 'full speed'], [200, '200 steps/s'], [50, '50 steps/s'], [10, '10 steps/s'], [2, '2 steps/s']]
      .map(([v, l]) => new Option(l, String(v))));
  const start = h('button', {
    id: 'start',
    class: 'primary',
    onclick: async () => {
      if (!(await validate())) return;
      try {
        const { id } = await post('/api/runs', request());
        location.hash = `#/run/${id}`;
      } catch (e) {
        if (e.problems && e.problems.length) show({ ok: false, problems: e.problems });
        toast(e.message);
      }
    },
  }, 'Start run');

  view.replaceChildren(
    h('h1', {}, name),
    h('p', { class: 'muted' }, sc.description),
    h('div', { class: 'tabs' }, tabForm, tabText),
    form, textBox, both, status, problemsBox,
    h('p', {}, start, ' ', h('label', { for: 'start-pace' }, 'start at '), pace));
  validate();
}
