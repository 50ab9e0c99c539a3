// The twin's dashboard page: a plain browser ES module, no build step. The server computes every
// number (pipeline/dashboards/visual-data.ts); this file only draws them. Filters live in the
// URL, so a view can be bookmarked or shared; the page polls the lake's version and reloads the
// numbers only when new data has landed.
const POLL_MS = 3000;
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const root = $('dashboard');
const charts = new Map();
const state = { dashboard: null, version: null, request: 0, loading: false };

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

/** Today in the browser's time zone, YYYY-MM-DD. */
function localToday() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

function filterValues() {
  return { site_id: $('filter-site').value, start_date: $('filter-start').value, end_date: $('filter-end').value };
}

/** Writes the filters into the URL (replacing the history entry: filter tweaks are not pages). */
function syncUrl() {
  const url = new URL(location.href);
  for (const [name, value] of Object.entries(filterValues())) {
    if (value) url.searchParams.set(name, value);
    else url.searchParams.delete(name);
  }
  history.replaceState(null, '', url);
}

/** Numbers (and their "–") align right, text left; a column follows its first row. */
const alignment = (text) => (/^(-?\d|–$)/.test(text) ? 'num' : 'text');

function dataTable(table) {
  const head = el('tr', {}, ...table.columns.map((c, i) => el('th', { scope: 'col', class: i === 0 ? 'text' : alignment(table.rows[0]?.[i] ?? ''), text: c })));
  const rows = table.rows.map((cells) => el('tr', {}, ...cells.map((c, i) =>
    el(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : undefined, class: i === 0 ? 'text' : alignment(c), text: c }))));
  return el('div', { class: 'table-wrap' }, el('table', { class: 'data-table' }, el('thead', {}, head), el('tbody', {}, ...rows)));
}

/** Empty card skeletons in definition order, with stable ids (`visual-<id>`), before any data arrives. */
function buildCards(dashboard) {
  $('kpis').replaceChildren();
  $('panels').replaceChildren();
  for (const visual of dashboard.visuals) {
    const card = el('section', { class: `card ${visual.kind}`, id: `visual-${visual.id}`, 'data-kind': visual.kind, 'aria-labelledby': `title-${visual.id}` },
      el('h2', { id: `title-${visual.id}`, text: visual.title }),
      el('div', { class: 'body' }));
    if (visual.kind === 'kpi') $('kpis').append(card);
    else {
      if (visual.kind !== 'table') card.classList.add('wide'); // charts take the whole width; tables pair up
      $('panels').append(card);
    }
  }
}

function renderKpi(card, data) {
  const body = card.querySelector('.body');
  const values = el('div', { class: 'kpi-values' }, ...data.values.map((v) =>
    el('span', { class: 'kpi-value', 'data-value': v.value === null ? '' : String(v.value), 'data-unit': v.unit, text: v.text })));
  body.replaceChildren(values);
  if (data.secondary) {
    const s = data.secondary;
    body.append(el('p', { class: 'kpi-secondary', 'data-value': s.value === null ? '' : String(s.value), 'data-unit': s.unit, text: `${s.text} ${s.label}` }));
  }
  if (data.empty) body.append(el('p', { class: 'empty-text', text: 'No data for this period' }));
}

function chartOptions(data) {
  const format = (value) => (value === null || value === undefined ? '–'
    : `${Number(value).toLocaleString('en-US', { minimumFractionDigits: data.decimals, maximumFractionDigits: data.decimals })} ${data.unit}`);
  const base = { animation: false, tooltip: { valueFormatter: format, confine: true }, grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true } };
  if (data.kind === 'heatmap') {
    return {
      ...base,
      tooltip: { confine: true, formatter: (p) => `${data.yCategories[p.value[1]]} ${data.xCategories[p.value[0]]}:00 — ${format(p.value[2])}` },
      grid: { ...base.grid, bottom: 72, top: 8 },
      xAxis: { type: 'category', data: data.xCategories, name: 'hour', splitArea: { show: true } },
      yAxis: { type: 'category', data: data.yCategories, inverse: true, splitArea: { show: true } },
      visualMap: { min: data.min ?? 0, max: data.max ?? 1, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, text: [data.unit, ''] },
      series: [{ type: 'heatmap', data: data.cells }],
    };
  }
  return {
    ...base,
    tooltip: { ...base.tooltip, trigger: 'axis' },
    legend: { type: 'scroll', top: 0 },
    xAxis: { type: 'category', data: data.categories },
    yAxis: { type: 'value', name: data.unit },
    series: data.series.map((s) => ({ type: data.kind, name: s.name, data: s.values, showSymbol: data.categories.length <= 62 })),
  };
}

function renderChart(card, data) {
  const body = card.querySelector('.body');
  const old = charts.get(card.id);
  if (old) { old.dispose(); charts.delete(card.id); }
  if (data.empty) {
    body.replaceChildren(el('p', { class: 'empty-text', text: 'No data for this period' }));
    return;
  }
  const canvas = el('div', { class: `chart ${data.kind}`, role: 'img', 'aria-label': `${data.title} chart; the numbers are in the data table below` });
  const details = el('details', { class: 'data' }, el('summary', { text: 'Data table' }), dataTable(data.table));
  body.replaceChildren(canvas, details);
  if (!window.echarts) {
    details.open = true; // no chart library: the table is the visual
    canvas.remove();
    return;
  }
  const chart = window.echarts.init(canvas);
  chart.setOption(chartOptions(data));
  charts.set(card.id, chart);
}

function renderTable(card, data) {
  const body = card.querySelector('.body');
  body.replaceChildren(data.empty ? el('p', { class: 'empty-text', text: data.emptyText }) : dataTable(data.table));
}

function render(visuals) {
  for (const data of visuals) {
    const card = $(`visual-${data.id}`);
    if (!card) continue;
    card.dataset.empty = String(data.empty);
    if (data.kind === 'kpi') renderKpi(card, data);
    else if (data.kind === 'table') renderTable(card, data);
    else renderChart(card, data);
  }
}

function setState(name, status) {
  root.dataset.state = name;
  root.setAttribute('aria-busy', String(name === 'loading'));
  $('status').textContent = status;
}

/** Loads every visual for the current filters; `quiet` keeps the numbers on screen while it refreshes. */
async function load({ quiet = false } = {}) {
  const request = ++state.request;
  state.loading = true;
  if (quiet) $('status').textContent = 'Updating…';
  else setState('loading', 'Loading…');
  const query = new URLSearchParams(Object.entries(filterValues()).filter(([, v]) => v !== ''));
  try {
    const result = await getJson(`/api/dashboards/${encodeURIComponent(state.dashboard.id)}/visuals?${query}`);
    if (request !== state.request) return; // a newer request is on its way
    $('error').hidden = true;
    render(result.visuals);
    state.version = result.version;
    root.dataset.version = result.version;
    const empty = result.visuals.every((v) => v.empty);
    $('empty-state').hidden = !empty;
    setState(empty ? 'empty' : 'ready', `Updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    if (request !== state.request) return;
    $('error').textContent = error.message;
    $('error').hidden = false;
    $('empty-state').hidden = true;
    setState('error', 'Could not load the data');
  } finally {
    if (request === state.request) state.loading = false;
  }
}

async function poll() {
  if (state.loading || document.hidden) return;
  try {
    const { version } = await getJson('/api/version');
    if (state.version !== null && version !== state.version && !state.loading) await load({ quiet: true });
  } catch {
    // The twin may be restarting: try again at the next tick.
  }
}

async function init() {
  const { dashboards } = await getJson('/api/dashboards');
  const id = params.get('dashboard') ?? dashboards[0]?.id;
  const { dashboard } = await getJson(`/api/dashboards/${encodeURIComponent(id)}`);
  state.dashboard = dashboard;
  document.title = `${dashboard.title} · wattlake`;
  $('dashboard-title').textContent = dashboard.title;
  $('dashboard-description').textContent = dashboard.description;

  const { sites } = await getJson('/api/sites');
  const select = $('filter-site');
  for (const site of sites) select.append(el('option', { value: site.site_id, text: site.name ? `${site.name} (${site.site_id})` : site.site_id }));
  const site = params.get('site_id') ?? '';
  // A site from the URL that the lake does not know yet stays selectable (it simply shows no data).
  if (site && ![...select.options].some((o) => o.value === site)) select.append(el('option', { value: site, text: site }));
  select.value = site;

  const today = localToday();
  $('filter-start').value = params.get('start_date') ?? `${today.slice(0, 8)}01`; // month to date
  $('filter-end').value = params.get('end_date') ?? today;
  syncUrl();

  buildCards(dashboard);
  $('filters').addEventListener('change', () => { syncUrl(); void load(); });
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  window.addEventListener('resize', () => { for (const chart of charts.values()) chart.resize(); });
  await load();
  setInterval(() => void poll(), POLL_MS);
}

init().catch((error) => {
  $('error').textContent = `The dashboard could not start: ${error.message}`;
  $('error').hidden = false;
  setState('error', '');
});
