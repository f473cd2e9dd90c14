// The dashboard: a page per hash route. Errors are shown to the user, never a blank page.

import { listPage, editPage } from './scenarios.js';
import { runPage } from './run.js';
import { runsPage } from './runs.js';
import { h, toast } from './dom.js';

let leave = null;

async function route() {
  if (leave) { leave(); leave = null; }
  const view = document.getElementById('view');
  const hash = location.hash.replace(/^#/, '') || '/';
  const parts = hash.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (parts.length === 0) await listPage(view);
    else if (parts[0] === 'scenario' && parts[1]) await editPage(view, parts[1]);
    else if (parts[0] === 'run' && parts[1]) leave = await runPage(view, parts[1]);
    else if (parts[0] === 'runs') await runsPage(view);
    else view.replaceChildren(h('p', { class: 'problem' }, `No page ${hash}.`));
  } catch (e) {
    view.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { class: 'problem', id: 'page-error' }, e.message));
    toast(e.message);
  }
}

window.addEventListener('hashchange', route);
route();
