// The dashboard page: draws the statecharts the server laid out, then follows the job over
// server-sent events. Everything comes from this page's own origin; text is set as text, never as
// markup, so a customer id cannot inject anything.
const SVG = 'http://www.w3.org/2000/svg';
const SVG_TAGS = new Set(['svg', 'g', 'rect', 'text', 'polyline', 'line', 'defs', 'marker', 'path', 'title']);
const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, text) => {
  const node = SVG_TAGS.has(tag) ? document.createElementNS(SVG, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
};

// Numbers for a person: grouped thousands, at most one decimal (the server's figures can carry 15).
const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const fmt = (n) => (typeof n === 'number' && Number.isFinite(n) ? number.format(n) : '…');
const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;
function duration(seconds) {
  if (seconds === null || seconds === undefined) return '…';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

let selected = null;
let lastState = null;
let zoom = 1;
const ZOOMS = [0.25, 0.35, 0.5, 0.7, 0.85, 1, 1.25, 1.5];

function drawChart(chart) {
  const box = el('div', { class: 'machine', 'data-machine': chart.machine, role: 'tabpanel' });
  const width = Math.ceil(chart.width);
  const height = Math.ceil(chart.height);
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, 'data-machine': chart.machine, 'data-width': width, 'data-height': height });
  const defs = el('defs');
  const marker = el('marker', { id: `arrow-${chart.machine}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
  marker.append(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#a3acbb' }));
  defs.append(marker);
  svg.append(defs);
  const ordered = [...chart.states].sort((a, b) => a.path.split('.').length - b.path.split('.').length);
  for (const s of ordered) {
    const g = el('g', { class: `state${s.compound ? ' compound' : ''}${s.final ? ' final' : ''}`, 'data-state': s.path });
    g.append(el('rect', { x: s.x, y: s.y, width: s.width, height: s.height }));
    g.append(el('text', { x: s.x + 8, y: s.y + 17, class: 'name' }, s.key));
    g.append(el('text', { x: s.x + 8, y: s.y + 34, class: 'count', 'data-count': s.path }, ''));
    g.append(el('title', {}, s.path));
    svg.append(g);
  }
  for (const t of chart.transitions) {
    if (t.points.length < 2) continue;
    const g = el('g', { class: 'transition', 'data-from': t.source, 'data-to': t.target });
    g.append(el('polyline', { points: t.points.map((p) => `${p.x},${p.y}`).join(' '), style: `marker-end: url(#arrow-${chart.machine})` }));
    if (t.labelBox) {
      const b = t.labelBox;
      const label = el('g', { class: 'edge-label' });
      label.append(el('rect', { x: b.x, y: b.y, width: b.width, height: b.height }));
      label.append(el('text', { x: b.x + 2, y: b.y + b.height - 4 }, b.text));
      g.append(label);
    }
    g.append(el('title', {}, t.label));
    svg.append(g);
  }
  const pane = el('div', { class: 'pane' });
  pane.append(svg);
  pannable(pane);
  box.append(pane);
  return box;
}

// Drag to pan: the pane scrolls, so the wheel and the scroll bars pan too.
function pannable(pane) {
  let from = null;
  pane.addEventListener('pointerdown', (e) => {
    from = { x: e.clientX, y: e.clientY, left: pane.scrollLeft, top: pane.scrollTop };
    pane.classList.add('dragging');
  });
  pane.addEventListener('pointermove', (e) => {
    if (!from) return;
    pane.scrollLeft = from.left - (e.clientX - from.x);
    pane.scrollTop = from.top - (e.clientY - from.y);
  });
  for (const end of ['pointerup', 'pointerleave']) pane.addEventListener(end, () => { from = null; pane.classList.remove('dragging'); });
}

function setZoom(next) {
  zoom = next;
  for (const svg of document.querySelectorAll('#charts svg[data-machine]')) {
    svg.setAttribute('width', String(Math.ceil(Number(svg.dataset.width) * zoom)));
    svg.setAttribute('height', String(Math.ceil(Number(svg.dataset.height) * zoom)));
  }
  $('zoom-level').textContent = `${Math.round(zoom * 100)} %`;
}

function zoomTo(action) {
  if (action === 'reset') return setZoom(1);
  if (action === 'fit') {
    const shown = document.querySelector('#charts .machine:not([hidden])');
    const pane = shown?.querySelector('.pane');
    const svg = shown?.querySelector('svg');
    if (!pane || !svg) return;
    return setZoom(Math.min(1.5, (pane.clientWidth - 4) / Number(svg.dataset.width), (pane.clientHeight - 4) / Number(svg.dataset.height)));
  }
  const i = ZOOMS.findIndex((z) => z >= zoom - 1e-9);
  const at = i === -1 ? ZOOMS.length - 1 : i;
  setZoom(ZOOMS[Math.max(0, Math.min(ZOOMS.length - 1, action === 'in' ? (ZOOMS[at] > zoom + 1e-9 ? at : at + 1) : at - 1))]);
}

function showTab(machine) {
  for (const b of document.querySelectorAll('#tabs button')) b.setAttribute('aria-selected', String(b.dataset.tab === machine));
  for (const box of document.querySelectorAll('#charts .machine')) box.hidden = box.dataset.machine !== machine;
}

function showCounts(counts) {
  for (const svg of document.querySelectorAll('#charts svg[data-machine]')) {
    const table = counts.machines[svg.dataset.machine] ?? {};
    for (const g of svg.querySelectorAll('g.state')) {
      const path = g.dataset.state;
      let n = 0;
      for (const [state, count] of Object.entries(table)) if (state === path || state.startsWith(`${path}.`)) n += count;
      g.classList.toggle('occupied', n > 0);
      g.querySelector('.count').textContent = n > 0 ? fmt(n) : '';
    }
  }
}

// Round steps for an axis: 1, 2 or 5 times a power of ten, about `count` of them up to `max`.
function ticksTo(max, count) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const top = Math.ceil(max / step) * step;
  return { top, values: Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step) };
}

/** A line chart with a y axis in `unit` and an x axis in seconds before now. */
function plot(svg, samples, series, unit) {
  svg.replaceChildren();
  const width = Math.max(200, svg.clientWidth);
  const height = Math.max(100, svg.clientHeight);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const left = 52;
  const right = 12;
  const top = 24;
  const bottom = 30;
  const innerW = width - left - right;
  const innerH = height - top - bottom;
  const max = Math.max(1, ...samples.flatMap((s) => series.map(([, f]) => f(s) ?? 0)));
  const y = ticksTo(max, 4);
  const now = samples.length > 0 ? samples[samples.length - 1].at : Date.now();
  const span = Math.max(60, samples.length > 0 ? Math.ceil((now - samples[0].at) / 1000) : 60);
  const x = ticksTo(span, 6);
  const px = (secondsAgo) => left + innerW - (secondsAgo / x.top) * innerW;
  const py = (v) => top + innerH - (v / y.top) * innerH;
  const grid = el('g', { class: 'grid' });
  const axis = el('g', { class: 'axis' });
  for (const v of y.values) {
    grid.append(el('line', { x1: left, x2: left + innerW, y1: py(v), y2: py(v) }));
    axis.append(el('text', { x: left - 6, y: py(v) + 3, 'text-anchor': 'end' }, fmt(v)));
  }
  for (const s of x.values) {
    axis.append(el('line', { x1: px(s), x2: px(s), y1: top + innerH, y2: top + innerH + 4 }));
    axis.append(el('text', { x: px(s), y: top + innerH + 15, 'text-anchor': 'middle' }, s === 0 ? 'now' : `−${fmt(s)}`));
  }
  axis.append(el('line', { x1: left, x2: left, y1: top, y2: top + innerH }));
  axis.append(el('line', { x1: left, x2: left + innerW, y1: top + innerH, y2: top + innerH }));
  axis.append(el('text', { x: 4, y: 11, class: 'unit' }, unit));
  axis.append(el('text', { x: left + innerW, y: height - 3, 'text-anchor': 'end', class: 'unit' }, 'seconds ago'));
  svg.append(grid, axis);
  for (const [name, f, colour] of series) {
    const points = samples.filter((s) => f(s) !== null).map((s) => `${px((now - s.at) / 1000).toFixed(1)},${py(f(s)).toFixed(1)}`).join(' ');
    if (points) svg.append(el('polyline', { points, stroke: colour, 'data-series': name }));
  }
}

function drawRates(samples) {
  plot($('rate-chart'), samples, [['rps', (s) => s.requestsPerSecond, '#2f6fdb'], ['limit', (s) => s.limit, '#c9302c'], ['r429', (s) => s.rateLimited, '#e08a00']], 'requests/s');
  plot($('queue-chart'), samples, [['queue', (s) => s.queued, '#7a4fd1'], ['inflight', (s) => s.inFlight, '#2f8f4e']], 'requests');
  const last = samples[samples.length - 1];
  $('rate-figures').textContent = !last ? 'waiting for the first second of requests…'
    : `${fmt(last.requestsPerSecond)} requests/s (limit ${last.limit === null ? 'still being learnt' : `${fmt(last.limit)} requests/s`}) · ` +
      `${plural(last.rateLimited, '429', '429s')} in the last second · limiter queue ${fmt(last.queued)} · ${fmt(last.inFlight)} in flight · ETA ${duration(last.etaSeconds)}`;
}

function fillList(list, rows, onClick) {
  list.replaceChildren(...rows.map((row) => {
    const li = el('li', { 'data-customer': row.id }, row.id);
    if (row.state) li.append(el('span', { class: 'badge' }, row.state));
    if (row.reason && !row.state) li.append(el('div', { class: 'reason' }, row.reason));
    if (onClick) li.addEventListener('click', () => onClick(row.id));
    return li;
  }));
}

function showState(state) {
  lastState = state;
  const c = state.counts;
  $('job').textContent = `${state.kind} job ${state.job}${state.running ? '' : ' (from its store; not running here)'}`;
  $('summary').textContent = `${plural(c.total, 'customer', 'customers')}: ${fmt(c.notStarted)} not started, ${fmt(c.items.active)} in progress, ${fmt(c.items.done)} done, ` +
    `${fmt(c.items.needsAction)} need action, ${fmt(c.items.failed)} failed${c.items.halted ? `, ${fmt(c.items.halted)} halted` : ''}`;
  $('summary').dataset.total = String(c.total);
  $('summary').dataset.notStarted = String(c.notStarted);
  $('halt').hidden = !state.halt;
  $('halt').textContent = state.halt ? `halted: ${state.halt.kind}: ${state.halt.message}` : '';
  showCounts(c);
  drawRates(state.rates);
  document.body.dataset.samples = String(state.rates.length);
  $('needs-count').textContent = `(${fmt(c.items.needsAction)})`;
  $('failed-count').textContent = `(${fmt(c.items.failed)})`;
  fillList($('needs-action'), state.needsAction, showItem);
  fillList($('failed'), state.failed, showItem);
  if (selected) void showItem(selected);
}

const time = (at) => new Date(at).toISOString().slice(11, 23);

function exchangeText(exchange) {
  if (!exchange) return '';
  const request = exchange.request ? `${exchange.request.method} ${exchange.request.path}` : '';
  const response = exchange.response ? ` → ${exchange.response.status} ${exchange.response.bodyExcerpt ?? ''}` : '';
  return `${request}${response}`.trim();
}

async function showItem(id) {
  selected = id;
  const response = await fetch(`/api/items/${encodeURIComponent(id)}`);
  if (!response.ok) return;
  const item = await response.json();
  $('timeline').hidden = false;
  $('timeline-id').textContent = item.id;
  $('timeline-state').textContent = item.state;
  $('timeline-reason').textContent = item.reason ?? (item.timeline.length === 0 ? 'no transitions kept for this customer (finished a while ago, or read from the store)' : '');
  const rows = item.timeline.map((t) => {
    const tr = el('tr');
    for (const [cls, text] of [['at', time(t.at)], ['actor', t.actor], ['from', t.from.join(', ')], ['to', t.to.join(', ')], ['event', t.event], ['kind', t.errorKind ?? ''], ['exchange', exchangeText(t.exchange)]]) {
      tr.append(el('td', { class: cls }, text));
    }
    return tr;
  });
  document.querySelector('#timeline tbody').replaceChildren(...rows);
  await showHistory(id);
}

/** The customer's steps as the store keeps them (`GET /api/history/ID`): they outlive the run. */
async function showHistory(id) {
  const response = await fetch(`/api/history/${encodeURIComponent(id)}`);
  const steps = response.ok ? (await response.json()).steps : [];
  if (selected !== id) return;
  $('history-count').textContent = steps.length === 0 ? 'no steps kept' : `${steps.length.toLocaleString('en-US')} steps`;
  const rows = steps.map((step) => {
    const tr = el('tr');
    const requests = (step.requests ?? []).map((r) => `${r.method} ${r.path} ${r.status} ${r.ms.toLocaleString('en-US')} ms`).join('; ');
    const machine = step.actor && step.actor !== step.machine ? `${step.machine} ${step.actor}` : step.machine;
    const repeated = step.repeated ? ` (after ${step.repeated.toLocaleString('en-US')} like rounds)` : '';
    const error = step.error ? `${step.error.kind} (${step.error.status})` : '';
    for (const [cls, text] of [['at', time(step.at)], ['actor', machine], ['to', step.state], ['event', `${step.event}${repeated}`], ['kind', error], ['status', step.connectionStatus ?? ''], ['requests', requests]]) {
      tr.append(el('td', { class: cls }, text));
    }
    return tr;
  });
  document.querySelector('#history tbody').replaceChildren(...rows);
}

async function search() {
  const q = $('search').value;
  const response = await fetch(`/api/items?q=${encodeURIComponent(q)}`);
  if (response.ok) fillList($('customer-list'), await response.json(), showItem);
}

async function start() {
  const charts = await (await fetch('/api/charts')).json();
  $('charts').replaceChildren(...charts.map(drawChart));
  $('tabs').replaceChildren(...charts.map((chart) => {
    const button = el('button', { type: 'button', role: 'tab', 'data-tab': chart.machine }, `${chart.machine} machine`);
    button.addEventListener('click', () => showTab(chart.machine));
    return button;
  }));
  if (charts[0]) showTab(charts[0].machine);
  for (const button of document.querySelectorAll('[data-zoom]')) button.addEventListener('click', () => zoomTo(button.dataset.zoom));
  $('search').addEventListener('input', () => void search());
  window.addEventListener('resize', () => lastState && drawRates(lastState.rates));
  await search();
  const events = new EventSource('/events');
  events.addEventListener('state', (e) => {
    showState(JSON.parse(e.data));
    if (!$('search').value) void search();
  });
  document.body.dataset.ready = 'true';
}

void start();
window.dashboardState = () => lastState;
