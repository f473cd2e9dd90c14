// Live charts (uPlot) and the region map (SVG) of a run.

import uPlot from 'uplot';

const COLOURS = ['#000000', '#E69F00', '#56B4E9', '#009E73', '#D55E00', '#0072B2', '#CC79A7', '#999999'];

// Which series each chart shows: the headline with its parts by region, then the groups the
// model declares (the run's start message carries them), each series charted once.
export function chartGroups(columns, declared) {
  const headline = columns[0];
  const groups = [['chart-headline', headline, [headline]]];
  for (const g of declared || []) {
    groups.push([`chart-${g.stem}`, g.title, g.columns.filter((c) => columns.includes(c))]);
  }
  const seen = new Set();
  return groups
    .map(([id, title, cols]) => {
      const fresh = cols.filter((c) => !seen.has(c));
      cols.forEach((c) => seen.add(c));
      return [id, title, fresh];
    })
    .filter(([, , cols]) => cols.length > 0);
}

export class LiveChart {
  constructor(el, title, columns, indexOf) {
    this.columns = columns;
    this.index = columns.map(indexOf);
    this.data = [[], ...columns.map(() => [])];
    this.plot = new uPlot({
      title,
      width: Math.max(300, el.clientWidth - 10),
      height: 220,
      scales: { x: { time: false } },
      // Wide enough for "2 283 467", and compact labels beyond (1.6M), so none is clipped.
      axes: [{ label: 'step' }, { size: 72, values: (u, vals) => vals.map(compact) }],
      series: [{ label: 'step' }, ...columns.map((c, i) => ({ label: c, stroke: COLOURS[i % COLOURS.length], width: 1.5 }))],
    }, this.data, el);
  }
  push(step, values) {
    this.data[0].push(step);
    this.index.forEach((k, i) => this.data[i + 1].push(values[k]));
  }
  draw() {
    this.plot.setData(this.data);
  }
}

// A tick label that fits its axis: 1 234 567 → 1.23M, 25 000 → 25k, 0.125 as it is.
export function compact(v) {
  if (v === null || v === undefined) return '';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(4)}`;
}

// viridis-like, as in the reports.
export function colour(t) {
  const s = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  if (!(t >= 0)) t = 0;
  if (t > 1) t = 1;
  const x = t * 4, i = Math.min(3, Math.floor(x)), f = x - i;
  return `rgb(${[0, 1, 2].map((k) => Math.round(s[i][k] + f * (s[i + 1][k] - s[i][k]))).join(',')})`;
}

export class RegionMap {
  constructor(el, regions, columns, maps) {
    this.regions = regions.filter((r) => r.x !== null && r.y !== null);
    this.columns = columns;
    this.fraction = Object.fromEntries((maps || []).map((m) => [m.family, m.fraction]));
    const families = (maps || []).map((m) => m.family).filter((f) =>
      this.regions.length > 1 && this.regions.every((r) => columns.includes(`${f}.${r.name}`)));
    this.families = families;
    this.family = families[0];
    if (!families.length) { el.hidden = true; return; }
    const ns = 'http://www.w3.org/2000/svg';
    const W = 460, H = 420, P = 50;
    const xs = this.regions.map((r) => r.x), ys = this.regions.map((r) => r.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const span = Math.max(x1 - x0, y1 - y0, 1e-9), k = (Math.min(W, H) - 2 * P) / span;
    const pmax = Math.max(...this.regions.map((r) => r.population), 1);
    const select = document.createElement('select');
    select.id = 'map-family';
    for (const f of families) select.append(new Option(this.fraction[f] ? f : `${f} (share)`, f));
    select.onchange = () => { this.family = select.value; this.draw(this.last); };
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('width', W);
    svg.setAttribute('height', H);
    this.circles = this.regions.map((r) => {
      const c = document.createElementNS(ns, 'circle');
      c.setAttribute('cx', P + (r.x - x0) * k);
      c.setAttribute('cy', P + (y1 - r.y) * k);
      c.setAttribute('r', 5 + 28 * Math.sqrt(r.population / pmax));
      c.setAttribute('stroke', '#333');
      c.setAttribute('fill', colour(0));
      c.setAttribute('data-region', r.name);
      const t = document.createElementNS(ns, 'title');
      c.append(t);
      const label = document.createElementNS(ns, 'text');
      label.setAttribute('x', P + (r.x - x0) * k);
      label.setAttribute('y', P + (y1 - r.y) * k + 4);
      label.setAttribute('text-anchor', 'middle');
      label.setAttribute('font-size', '10');
      // A white halo keeps the name readable on the darkest fill.
      label.setAttribute('paint-order', 'stroke');
      label.setAttribute('stroke', 'white');
      label.setAttribute('stroke-width', '2.5');
      label.setAttribute('class', 'region-label');
      label.textContent = r.name;
      svg.append(c, label);
      return c;
    });
    // The colour legend: ten boxes from 0 to the scale's maximum (1 for fractions; for shares
    // of a region's people, the largest share seen so far, so the colours use the whole range).
    for (let i = 0; i < 10; i++) {
      const b = document.createElementNS(ns, 'rect');
      b.setAttribute('x', W - 130 + 12 * i);
      b.setAttribute('y', 14);
      b.setAttribute('width', 12);
      b.setAttribute('height', 12);
      b.setAttribute('fill', colour(i / 9));
      svg.append(b);
    }
    const lo = document.createElementNS(ns, 'text');
    lo.setAttribute('x', W - 134);
    lo.setAttribute('y', 24);
    lo.setAttribute('text-anchor', 'end');
    lo.setAttribute('font-size', '11');
    lo.textContent = '0';
    this.legendMax = document.createElementNS(ns, 'text');
    this.legendMax.setAttribute('x', W - 10);
    this.legendMax.setAttribute('y', 40);
    this.legendMax.setAttribute('text-anchor', 'end');
    this.legendMax.setAttribute('font-size', '11');
    this.legendMax.setAttribute('class', 'legend-max');
    svg.append(lo, this.legendMax);
    this.peak = {};
    el.append(select, svg);
  }
  draw(values) {
    if (!values || !this.family) return;
    this.last = values;
    const fraction = this.fraction[this.family];
    const shares = this.regions.map((r) => {
      const v = values[this.columns.indexOf(`${this.family}.${r.name}`)];
      return fraction ? v : v / Math.max(1, r.population);
    });
    const seen = Math.max(this.peak[this.family] || 0, ...shares.filter((x) => x >= 0));
    this.peak[this.family] = seen;
    const max = fraction ? 1 : Math.max(seen, 1e-9);
    this.legendMax.textContent = `${Math.round(max * 1000) / 1000}`;
    this.regions.forEach((r, i) => {
      const shown = shares[i];
      this.circles[i].setAttribute('fill', colour(shown / max));
      this.circles[i].setAttribute('data-value', shown);
      this.circles[i].firstChild.textContent = `${r.name}: ${Math.round(shown * 1000) / 1000}`;
    });
  }
}
