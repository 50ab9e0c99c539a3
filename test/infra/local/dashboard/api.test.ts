// The dashboard's JSON API over HTTP, on the golden lake: filters are checked and bound, user
// mistakes are 400s with a message, and the numbers are the reference's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../../../pipeline/dashboards/definitions.ts';
import type { KpiData, TableData, VisualData } from '../../../../pipeline/dashboards/visual-data.ts';
import { startDashboardServer, type DashboardServer } from '../../../helpers/dashboard-server.ts';
import { openGoldenLake, type GoldenLake } from '../../../helpers/golden-lake.ts';
import { closeEnough } from '../../../helpers/rows-close.ts';

let golden: GoldenLake;
let api: DashboardServer;
beforeAll(async () => {
  golden = await openGoldenLake();
  api = await startDashboardServer(golden.duckdb, golden.root);
});
afterAll(async () => {
  await api?.server.close();
  golden?.close();
});

const MARCH = 'start_date=2026-03-01&end_date=2026-03-31';
const visualsOf = (body: Record<string, unknown>) => body.visuals as VisualData[];
const visual = <T extends VisualData>(body: Record<string, unknown>, id: string) => visualsOf(body).find((v) => v.id === id) as T;

/** kWh of the reference's slots in [start, end] (local days), optionally of one site. */
const referenceKwh = (start: string, end: string, siteId?: string) => golden.reference.slots
  .filter((s) => s.local.day >= start && s.local.day <= end && (!siteId || s.siteId === siteId))
  .reduce((sum, s) => sum + s.kwh, 0);

describe('GET /api/dashboards/:id/visuals', () => {
  it('returns every visual of the dashboard, with the consumption KPI the reference computes for the period', async () => {
    const { status, body } = await api.getJson(`/api/dashboards/energy-overview/visuals?${MARCH}`);
    expect(status).toBe(200);
    expect(visualsOf(body).map((v) => v.id)).toEqual(DASHBOARDS[0]!.visuals.map((v) => v.id));
    expect(body.filters).toEqual({ start_date: '2026-03-01', end_date: '2026-03-31' });
    const kpi = visual<KpiData>(body, 'kpi-kwh');
    expect(closeEnough(kpi.values[0]!.value!, referenceKwh('2026-03-01', '2026-03-31'))).toBe(true);
    expect(kpi.values[0]!.unit).toBe('kWh');
  });

  it('binds the site filter: only that site counts', async () => {
    const { body } = await api.getJson(`/api/dashboards/energy-overview/visuals?${MARCH}&site_id=site-nyc`);
    expect(closeEnough(visual<KpiData>(body, 'kpi-kwh').values[0]!.value!, referenceKwh('2026-03-01', '2026-03-31', 'site-nyc'))).toBe(true);
    const sites = new Set(visual<TableData>(body, 'top-consumers').table.rows.map((row) => row[1]));
    expect(sites).toEqual(new Set(['site-nyc']));
  });

  it('binds an SQL-injection-looking site_id as a plain value: 200 with no rows, not an error', async () => {
    const site = encodeURIComponent("site-nyc' OR '1'='1' --");
    const { status, body } = await api.getJson(`/api/dashboards/energy-overview/visuals?${MARCH}&site_id=${site}`);
    expect(status).toBe(200);
    expect(visualsOf(body).every((v) => v.empty)).toBe(true);
    expect(visual<KpiData>(body, 'kpi-kwh').values[0]!.value).toBeNull();
  });

  it.each([
    ['a malformed date', 'start_date=2026-02-30&end_date=2026-03-31', /start_date must be a date YYYY-MM-DD, got "2026-02-30"/],
    ['SQL in a date', `start_date=${encodeURIComponent("2026-03-01'; DROP TABLE sites; --")}&end_date=2026-03-31`, /start_date must be a date/],
    ['a range that ends before it starts', 'start_date=2026-03-31&end_date=2026-03-01', /end_date 2026-03-01 is before start_date 2026-03-31/],
    ['an unknown filter', `${MARCH}&z_threshold=0`, /unknown filter "z_threshold"/],
    ['a repeated filter', `${MARCH}&site_id=a&site_id=b`, /site_id is given twice/],
  ])('answers 400 with a message for %s', async (_what, query, message) => {
    const { status, body } = await api.getJson(`/api/dashboards/energy-overview/visuals?${query}`);
    expect(status).toBe(400);
    expect(body.error).toMatch(message);
  });

  it('defaults the period to month to date when no dates are given', async () => {
    const { status, body } = await api.getJson('/api/dashboards/energy-overview/visuals');
    expect(status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(body.filters).toEqual({ start_date: `${today.slice(0, 8)}01`, end_date: today });
  });
});

describe('the rest of the API', () => {
  it('answers 404 with a message for an unknown dashboard, with or without /visuals', async () => {
    for (const path of ['/api/dashboards/nope', '/api/dashboards/nope/visuals', '/api/dashboards/..%2F..%2Fetc']) {
      const { status, body } = await api.getJson(path);
      expect(status).toBe(404);
      expect(body.error).toMatch(/unknown dashboard/);
    }
  });

  it('lists the dashboards and serves a definition', async () => {
    expect((await api.getJson('/api/dashboards')).body.dashboards).toEqual([{ id: 'energy-overview', title: 'Energy overview', description: DASHBOARDS[0]!.description }]);
    const { body } = await api.getJson('/api/dashboards/energy-overview');
    expect(body.dashboard).toEqual(JSON.parse(JSON.stringify(DASHBOARDS[0])));
  });

  it('lists the sites of the sites table and those that only send data', async () => {
    const { body } = await api.getJson('/api/sites');
    expect(body.sites).toEqual([
      { site_id: 'site-lab', name: null },
      { site_id: 'site-nyc', name: 'Queens townhouse' },
      { site_id: 'site-sto', name: 'Södermalm flats' },
    ]);
  });

  it('gives a stable lake version while nothing lands', async () => {
    const first = (await api.getJson('/api/version')).body.version;
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect((await api.getJson('/api/version')).body.version).toBe(first);
  });

  it('refuses to change anything: POST is 405', async () => {
    const response = await fetch(`${api.url}/api/dashboards/energy-overview/visuals?${MARCH}`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(((await response.json()) as { error: string }).error).toMatch(/read-only/);
  });

  it('serves the page, its script and ECharts from fixed routes, and nothing else', async () => {
    for (const [path, type] of [['/', 'text/html'], ['/dashboard.js', 'text/javascript'], ['/dashboard.css', 'text/css'], ['/vendor/echarts.min.js', 'text/javascript']] as const) {
      const response = await fetch(`${api.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
    }
    for (const path of ['/vendor/../package.json', '/vendor/echarts.js', '/static/index.html', '/%2e%2e/package.json']) {
      expect((await fetch(`${api.url}${path}`)).status, path).toBe(404);
    }
  });
});
