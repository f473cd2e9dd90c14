// Live charts (uPlot) and the region map (SVG) of a run.

import uPlot from 'uplot';

const COLOURS = ['#000000', '#E69F00', '#56B4E9', '#009E73', '#D55E00', '#0072B2', '#CC79A7', '#999999'];

// Which series each chart shows, with the unit of its value axis: the headline, then the
// groups the model declares (the run's start message carries them, each with one unit),
// each series charted once.
export function chartGroups(start) {
  const { columns } = start;
  const headline = columns[0];
  const groups = [['chart-headline', headline, start.headline_unit || '', [headline]]];
  for (const g of start.groups || []) {
    groups.push([`chart-${g.stem}`, g.title, g.unit || '', g.columns.filter((c) => columns.includes(c))]);
  }
  const seen = new Set();
  return groups
    .map(([id, title, unit, cols]) => {
      const fresh = cols.filter((c) => !seen.has(c));
      cols.forEach((c) => seen.add(c));
      return [id, title, unit, fresh];
    })
    .filter(([, , , cols]) => cols.length > 0);
}

// What a legend calls a column: the model's label, a region's label for its part
// (`organized.<region>`), or the column's name.
export function labelOf(start, column) {
  if (start.labels && start.labels[column]) return start.labels[column];
  const dot = column.indexOf('.');
  if (dot > 0) {
    const r = (start.regions || []).find((x) => x.name === column.slice(dot + 1));
    if (r) return r.label || r.name;
  }
  return column;
}

// The date of a step on a dated run (YYYY-MM-DD), or null.
export function dateOf(start, step) {
  if (!start.start) return null;
  const t = Date.parse(`${start.start}T00:00:00Z`) + step * (start.step_days || 1) * 86400000;
  return new Date(t).toISOString().slice(0, 10);
}

export class LiveChart {
  // `range` ([first, last] step) keeps only the steps inside it: the decisive days.
  constructor(el, start, title, unit, columns, range = null) {
    this.columns = columns;
    this.index = columns.map((c) => start.columns.indexOf(c));
    this.range = range;
    this.data = [[], ...columns.map(() => [])];
    const dated = Boolean(start.start);
    this.plot = new uPlot({
      title,
      width: Math.max(300, el.clientWidth - 10),
      height: 220,
      scales: { x: { time: false } },
      // Room on the right for half of the last date under its tick.
      padding: [12, dated ? 40 : 12, 0, 0],
      // Wide enough for "2 283 467", and compact labels beyond (1.6M), so none is clipped;
      // the value axis names its unit, the time axis is in dates on dated runs.
      axes: [
        // A date is ten characters: ticks at least 95 px apart never run into each other.
        { label: dated ? 'date' : 'step', space: dated ? 95 : 50, values: (u, vals) => vals.map((v) => (dated ? dateOf(start, v) : v)) },
        { label: unit, size: 72, values: (u, vals) => vals.map(compact) },
      ],
      series: [{ label: dated ? 'date' : 'step', value: (u, v) => (v === null ? '' : dated ? dateOf(start, v) : v) },
        // Beyond eight lines the colours come round with dotted, then dash-dot strokes, as in
        // the report: ten organization kinds are ten distinct lines.
        ...columns.map((c, i) => ({
          label: labelOf(start, c),
          stroke: COLOURS[i % COLOURS.length],
          width: 1.5,
          dash: [[], [1.5, 2.5], [8, 3, 2, 3]][Math.floor(i / COLOURS.length) % 3],
        }))],
    }, this.data, el);
  }
  push(step, values) {
    if (this.range && (step < this.range[0] || step > this.range[1])) return;
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
  // The regions drawn as the report draws them: their shapes (or schematic cells) when the
  // scenario gives a map, circles at their points otherwise.
  constructor(el, start) {
    const { columns, maps } = start;
    const shapes = start.shapes || null;
    const all = start.regions || [];
    this.regions = shapes ? all : all.filter((r) => r.x !== null && r.y !== null);
    this.columns = columns;
    this.fraction = Object.fromEntries((maps || []).map((m) => [m.family, m.fraction]));
    // Any per-region series can be mapped: the model's map families first, then every other
    // family with a column for each region (`member.<region>`), shown as shares of the
    // region's people unless its chart group says it is a fraction.
    const declared = (maps || []).map((m) => m.family);
    const others = [...new Set(columns.filter((c) => c.includes('.')).map((c) => c.slice(0, c.indexOf('.'))))]
      .filter((f) => !declared.includes(f));
    for (const f of others) {
      const g = (start.groups || []).find((x) => x.columns.includes(f));
      this.fraction[f] = Boolean(g && g.unit === 'fraction');
    }
    const families = [...declared, ...others].filter((f) =>
      this.regions.length > 1 && this.regions.every((r) => columns.includes(`${f}.${r.name}`)));
    this.families = families;
    this.family = families[0];
    if (!families.length) { el.hidden = true; return; }
    const ns = 'http://www.w3.org/2000/svg';
    const [W, H] = shapes ? shapes.size : [460, 420];
    const make = (tag, attrs) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      return e;
    };
    const select = document.createElement('select');
    select.id = 'map-family';
    for (const f of families) select.append(new Option(this.fraction[f] ? f : `${f} (share)`, f));
    select.onchange = () => { this.family = select.value; this.draw(this.last); };
    const svg = make('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, 'font-family': 'sans-serif' });
    let at;
    if (shapes) {
      svg.append(make('rect', { width: W, height: H, fill: '#f4f7fa' }),
        make('path', { d: shapes.background, fill: '#e4e4e0', stroke: '#b8b8b0', 'stroke-width': 0.6 }));
      this.marks = this.regions.map((r, k) => make('path', {
        d: shapes.regions[k], class: 'region', 'fill-rule': 'evenodd', stroke: '#555', 'stroke-width': 0.7, 'data-region': r.name,
      }));
      at = (k) => shapes.labels[k];
    } else {
      const P = 50;
      const xs = this.regions.map((r) => r.x), ys = this.regions.map((r) => r.y);
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      const span = Math.max(x1 - x0, y1 - y0, 1e-9), k = (Math.min(W, H) - 2 * P) / span;
      const pmax = Math.max(...this.regions.map((r) => r.population), 1);
      at = (i) => [P + (this.regions[i].x - x0) * k, P + (y1 - this.regions[i].y) * k];
      this.marks = this.regions.map((r, i) => make('circle', {
        cx: at(i)[0], cy: at(i)[1], r: 5 + 28 * Math.sqrt(r.population / pmax), stroke: '#333', class: 'region', 'data-region': r.name,
      }));
    }
    this.regions.forEach((r, i) => {
      const m = this.marks[i];
      m.setAttribute('fill', colour(0));
      m.append(make('title', {}));
      // A white halo keeps the name readable on the darkest fill.
      const label = make('text', {
        x: at(i)[0], y: at(i)[1] + 3, 'text-anchor': 'middle', 'font-size': 10, 'paint-order': 'stroke', stroke: 'white', 'stroke-width': 2.5, class: 'region-label',
      });
      label.textContent = r.label || r.name;
      svg.append(m);
      this.labelsLayer = this.labelsLayer || [];
      this.labelsLayer.push(label);
    });
    svg.append(...this.labelsLayer);
    // The colour legend: ten boxes from 0 to the scale's maximum (1 for fractions; for shares
    // of a region's people, the largest share seen so far, so the colours use the whole range).
    for (let i = 0; i < 10; i++) {
      svg.append(make('rect', { x: W - 130 + 12 * i, y: 14, width: 12, height: 12, fill: colour(i / 9) }));
    }
    const lo = make('text', { x: W - 134, y: 24, 'text-anchor': 'end', 'font-size': 11 });
    lo.textContent = '0';
    this.legendMax = make('text', { x: W - 10, y: 40, 'text-anchor': 'end', 'font-size': 11, class: 'legend-max' });
    svg.append(lo, this.legendMax);
    if (shapes && shapes.note) {
      const note = make('text', { x: 10, y: H - 8, 'font-size': 10, fill: '#555', class: 'map-note' });
      note.textContent = shapes.note;
      svg.append(note);
    }
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
      this.marks[i].setAttribute('fill', colour(shown / max));
      this.marks[i].setAttribute('data-value', shown);
      this.marks[i].firstChild.textContent = `${r.label || r.name}: ${Math.round(shown * 1000) / 1000}`;
    });
  }
}
