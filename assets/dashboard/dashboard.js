// The dashboard page: draws the statecharts the server laid out, then follows the job over
// server-sent events. Everything comes from this page's own origin; text is set as text, never as
// markup, so a customer id cannot inject anything.
const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, text) => {
  const node = tag === 'svg' || ['g', 'rect', 'text', 'polyline', 'defs', 'marker', 'path', 'title'].includes(tag)
    ? document.createElementNS(SVG, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
};

let selected = null;
let lastState = null;

function drawChart(chart) {
  const box = el('div', { class: 'machine', 'data-machine': chart.machine });
  box.append(el('h2', {}, `${chart.machine} machine`));
  const svg = el('svg', { viewBox: `0 0 ${Math.ceil(chart.width)} ${Math.ceil(chart.height)}`, 'data-machine': chart.machine });
  const defs = el('defs');
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
  marker.append(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#a3acbb' }));
  defs.append(marker);
  svg.append(defs);
  const ordered = [...chart.states].sort((a, b) => a.path.split('.').length - b.path.split('.').length);
  for (const s of ordered) {
    const g = el('g', { class: `state${s.compound ? ' compound' : ''}${s.final ? ' final' : ''}`, 'data-state': s.path });
    g.append(el('rect', { x: s.x, y: s.y, width: s.width, height: s.height }));
    g.append(el('text', { x: s.x + 8, y: s.y + 17 }, s.key));
    g.append(el('text', { x: s.x + 8, y: s.y + 34, class: 'count', 'data-count': s.path }, ''));
    g.append(el('title', {}, s.path));
    svg.append(g);
  }
  for (const t of chart.transitions) {
    if (t.points.length < 2) continue;
    const g = el('g', { class: 'transition', 'data-from': t.source, 'data-to': t.target });
    g.append(el('polyline', { points: t.points.map((p) => `${p.x},${p.y}`).join(' ') }));
    const mid = t.points[Math.floor(t.points.length / 2)];
    const label = t.label.split('\n');
    g.append(el('text', { x: mid.x + 3, y: mid.y - 3 }, label[0] + (label.length > 1 ? ` (+${label.length - 1})` : '')));
    g.append(el('title', {}, t.label));
    svg.append(g);
  }
  box.append(svg);
  return box;
}

function showCounts(counts) {
  for (const svg of document.querySelectorAll('#charts svg[data-machine]')) {
    const table = counts.machines[svg.dataset.machine] ?? {};
    for (const g of svg.querySelectorAll('g.state')) {
      const path = g.dataset.state;
      let n = 0;
      for (const [state, count] of Object.entries(table)) if (state === path || state.startsWith(`${path}.`)) n += count;
      g.classList.toggle('occupied', n > 0);
      g.querySelector('.count').textContent = n > 0 ? String(n) : '';
    }
  }
}

function drawRates(samples) {
  const svg = $('rate-chart');
  svg.replaceChildren();
  if (samples.length === 0) return;
  const series = { rps: (s) => s.requestsPerSecond, limit: (s) => s.limit ?? 0, r429: (s) => s.rateLimited, queue: (s) => s.queued, inflight: (s) => s.inFlight };
  const colours = { rps: '#2f6fdb', limit: '#c9302c', r429: '#e08a00', queue: '#7a4fd1', inflight: '#2f8f4e' };
  const max = Math.max(1, ...samples.flatMap((s) => Object.values(series).map((f) => f(s))));
  const w = 600 / Math.max(1, samples.length - 1);
  for (const [name, f] of Object.entries(series)) {
    const points = samples.map((s, i) => `${(i * w).toFixed(1)},${(135 - (f(s) / max) * 125).toFixed(1)}`).join(' ');
    svg.append(el('polyline', { points, stroke: colours[name], 'data-series': name }));
  }
  const last = samples[samples.length - 1];
  $('rate-figures').textContent = `${last.requestsPerSecond} requests/s of ${last.limit ?? 'a limit still being learnt'} · ${last.rateLimited} 429s in the last second · ` +
    `limiter queue ${last.queued} · in flight ${last.inFlight} · ETA ${last.etaSeconds === null ? '…' : `${last.etaSeconds} s`}`;
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
  $('summary').textContent = `${c.total} customers: ${c.notStarted} not started, ${c.items.active} in progress, ${c.items.done} done, ` +
    `${c.items.needsAction} need action, ${c.items.failed} failed${c.items.halted ? `, ${c.items.halted} halted` : ''}`;
  $('summary').dataset.total = String(c.total);
  $('summary').dataset.notStarted = String(c.notStarted);
  $('halt').hidden = !state.halt;
  $('halt').textContent = state.halt ? `halted: ${state.halt.kind}: ${state.halt.message}` : '';
  showCounts(c);
  drawRates(state.rates);
  $('needs-count').textContent = `(${c.items.needsAction})`;
  $('failed-count').textContent = `(${c.items.failed})`;
  fillList($('needs-action'), state.needsAction, showItem);
  fillList($('failed'), state.failed, showItem);
  if (selected) void showItem(selected);
}

const time = (at) => new Date(at).toISOString().slice(11, 23);

async function showItem(id) {
  selected = id;
  const response = await fetch(`/api/items/${encodeURIComponent(id)}`);
  if (!response.ok) return;
  const item = await response.json();
  $('timeline').hidden = false;
  $('timeline-id').textContent = item.id;
  $('timeline-state').textContent = item.state;
  $('timeline-reason').textContent = item.reason ?? '';
  const rows = item.timeline.map((t) => {
    const tr = el('tr');
    const exchange = t.exchange ? `${t.exchange.request ? `${t.exchange.request.method} ${t.exchange.request.path}` : ''} ${t.exchange.response ? `→ ${t.exchange.response.status} ${t.exchange.response.bodyExcerpt}` : ''}` : '';
    for (const [cls, text] of [['at', time(t.at)], ['actor', t.actor], ['from', t.from.join(', ')], ['to', t.to.join(', ')], ['event', t.event], ['kind', t.errorKind ?? ''], ['exchange', exchange]]) {
      tr.append(el('td', { class: cls }, text));
    }
    return tr;
  });
  document.querySelector('#timeline tbody').replaceChildren(...rows);
}

async function search() {
  const q = $('search').value;
  const response = await fetch(`/api/items?q=${encodeURIComponent(q)}`);
  if (response.ok) fillList($('customer-list'), await response.json(), showItem);
}

async function start() {
  const charts = await (await fetch('/api/charts')).json();
  $('charts').replaceChildren(...charts.map(drawChart));
  $('search').addEventListener('input', () => void search());
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
