// The dashboard page in real headless Chromium, served by the twin's HTTP server over a copy of
// the golden lake. Every expected number comes from the TypeScript metering reference
// (test/helpers/metering-reference.ts), never from the API the page calls.
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestLines } from '../../../../infra/local/ingest.ts';
import { FolderStore } from '../../../../pipeline/storage/folder-store.ts';
import { startDashboardServer, type DashboardServer } from '../../../helpers/dashboard-server.ts';
import { openGoldenLake, type GoldenLake } from '../../../helpers/golden-lake.ts';
import { siteSlots, sumBy } from '../../../helpers/metering-reference.ts';
import { closeEnough } from '../../../helpers/rows-close.ts';

const SCREENSHOTS = new URL('../../../../test-output/', import.meta.url).pathname;

let golden: GoldenLake;
let lake: string;
let api: DashboardServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  golden = await openGoldenLake();
  // A private copy: the auto-refresh test adds data, and the golden lake is shared read-only.
  lake = await mkdtemp(join(tmpdir(), 'wattlake-dashboard-lake-'));
  await cp(golden.root, lake, { recursive: true });
  api = await startDashboardServer(golden.duckdb, lake);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.server.close();
  golden?.close();
  if (lake) await rm(lake, { recursive: true, force: true });
});

// --- what the reference says -------------------------------------------------------------

const inPeriod = (start: string, end: string, siteId?: string) => golden.reference.slots
  .filter((s) => s.local.day >= start && s.local.day <= end && (!siteId || s.siteId === siteId));
const referenceKwh = (start: string, end: string, siteId?: string) => inPeriod(start, end, siteId).reduce((sum, s) => sum + s.kwh, 0);
const dayKwh = (siteId: string, day: string) => referenceKwh(day, day, siteId);
function topConsumer(start: string, end: string, siteId?: string) {
  const [[device, kwh]] = [...sumBy(inPeriod(start, end, siteId), (s) => s.deviceId, (s) => s.kwh)].sort(([, a], [, b]) => b - a) as [[string, number]];
  return { device, kwh };
}
/** Heat-map cell: the sites' mean slot demand at that local weekday and hour, added over sites. */
function heatmapCell(start: string, end: string, weekday: number, hour: number, siteId?: string) {
  const slots = siteSlots(inPeriod(start, end, siteId)).filter((s) => s.local.weekday === weekday && s.local.hour === hour);
  return [...new Set(slots.map((s) => s.siteId))].reduce((total, site) => {
    const demands = slots.filter((s) => s.siteId === site).map((s) => s.kwh * 4);
    return total + demands.reduce((a, b) => a + b, 0) / demands.length;
  }, 0);
}
const shown = (value: number, decimals: number, unit: string) =>
  `${new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value)} ${unit}`;

// --- reading the page --------------------------------------------------------------------

async function openDashboard(query: string): Promise<void> {
  await page.goto(`${api.url}/?${query}`);
  await page.waitForSelector('#dashboard:is([data-state="ready"], [data-state="empty"])', { timeout: 90_000 });
}

/** Runs `change` and waits until the page has loaded the visuals it triggered. */
async function afterReload(change: () => Promise<unknown>): Promise<void> {
  await Promise.all([page.waitForResponse((r) => r.url().includes('/visuals'), { timeout: 90_000 }), change()]);
  await page.waitForSelector('#dashboard:is([data-state="ready"], [data-state="empty"])', { timeout: 30_000 });
}

const kpi = (id: string) => page.$eval(`#visual-${id} .kpi-value`, (el) => ({ text: el.textContent, value: Number(el.getAttribute('data-value')) }));
/** A visual's data table as text cells (header row first). */
const tableOf = (id: string) => page.$$eval(`#visual-${id} table tr`, (rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));
const rowOf = async (id: string, first: string) => {
  const rows = await tableOf(id);
  const header = rows[0]!;
  const row = rows.find((r) => r[0] === first);
  return row && Object.fromEntries(header.map((h, i) => [h, row[i]!]));
};

// --- the tests ---------------------------------------------------------------------------

describe('the dashboard page', () => {
  it('shows a loading state, then the March numbers of all sites that the reference computes', async () => {
    // Hold the data back a moment, so the loading state is observable rather than a race.
    await page.route('**/visuals*', async (route) => { await new Promise((r) => setTimeout(r, 400)); await route.continue(); });
    await page.goto(`${api.url}/?start_date=2026-03-01&end_date=2026-03-31`);
    await page.waitForSelector('#dashboard[data-state="loading"]');
    expect(await page.textContent('#status')).toBe('Loading…');
    await page.waitForSelector('#dashboard[data-state="ready"]', { timeout: 90_000 });
    await page.unroute('**/visuals*');

    const consumption = await kpi('kpi-kwh');
    expect(closeEnough(consumption.value, referenceKwh('2026-03-01', '2026-03-31'))).toBe(true);
    expect(consumption.text).toBe(shown(referenceKwh('2026-03-01', '2026-03-31'), 0, 'kWh'));

    // Daily trend: the chart is drawn, and its data table holds each site's day.
    expect(await page.$(`#visual-daily-trend canvas`)).not.toBeNull();
    const day = await rowOf('daily-trend', '2026-03-28');
    expect(day?.['site-sto']).toBe(shown(dayKwh('site-sto', '2026-03-28'), 1, 'kWh'));
    // New York's meter is silent from 10 March to 30 October: that interval is shared over every day in between.
    expect(day?.['site-nyc']).toBe(shown(dayKwh('site-nyc', '2026-03-28'), 1, 'kWh'));
    expect((await rowOf('daily-trend', '2026-03-08'))?.['site-lab']).toBe(shown(4, 1, 'kWh')); // lab-1, worked out by hand

    const top = topConsumer('2026-03-01', '2026-03-31');
    const [, first] = await tableOf('top-consumers');
    expect(first?.slice(0, 4)).toEqual(['1', expect.any(String), top.device, shown(top.kwh, 1, 'kWh')]);

    // Sunday 29 March 12:00, the spring-forward day in Stockholm, plus New York's Sundays.
    expect((await rowOf('load-heatmap', 'Sun'))?.['12']).toBe(shown(heatmapCell('2026-03-01', '2026-03-31', 7, 12), 1, 'kW'));

    for (const [id, unit] of [['kpi-co2', 'kg CO2e'], ['kpi-peak', 'kW'], ['kpi-completeness', '%']] as const) {
      expect((await kpi(id)).text).toMatch(new RegExp(`^[\\d,.]+ ${unit}$`));
    }
    expect(await page.$$eval('#visual-kpi-cost .kpi-value', (els) => els.map((e) => e.textContent?.split(' ').at(-1)))).toEqual(['SEK', 'USD']);
    expect(pageErrors).toEqual([]);
  });

  it('filters by site and by period, reflects both in the URL, and lists the anomaly of 10 February', async () => {
    await openDashboard('start_date=2026-03-01&end_date=2026-03-31');
    await afterReload(() => page.selectOption('#filter-site', 'site-nyc'));
    expect(new URL(page.url()).searchParams.get('site_id')).toBe('site-nyc');
    expect(closeEnough((await kpi('kpi-kwh')).value, referenceKwh('2026-03-01', '2026-03-31', 'site-nyc'))).toBe(true);
    expect((await tableOf('top-consumers')).slice(1).map((r) => r[1])).toSatisfy((sites: string[]) => sites.length > 0 && sites.every((s) => s === 'site-nyc'));

    await afterReload(async () => {
      await page.fill('#filter-start', '2026-02-01');
      await page.fill('#filter-end', '2026-02-28');
    });
    const url = new URL(page.url()).searchParams;
    expect([url.get('site_id'), url.get('start_date'), url.get('end_date')]).toEqual(['site-nyc', '2026-02-01', '2026-02-28']);
    expect(closeEnough((await kpi('kpi-kwh')).value, referenceKwh('2026-02-01', '2026-02-28', 'site-nyc'))).toBe(true);
    expect((await rowOf('daily-trend', '2026-02-10'))?.['site-nyc']).toBe(shown(dayKwh('site-nyc', '2026-02-10'), 1, 'kWh'));
    // The baseline of Tuesday 10 February: the four Tuesdays before it.
    const baseline = ['2026-02-03', '2026-01-27', '2026-01-20', '2026-01-13'].map((d) => dayKwh('site-nyc', d));
    const anomalies = await tableOf('anomalies');
    expect(anomalies[0]!.slice(0, 4)).toEqual(['Site', 'Day', 'Consumption', 'Baseline']);
    expect(anomalies.find((row) => row[1] === '2026-02-10')?.slice(0, 4)).toEqual([
      'site-nyc', '2026-02-10', shown(dayKwh('site-nyc', '2026-02-10'), 1, 'kWh'), shown(baseline.reduce((a, b) => a + b, 0) / 4, 1, 'kWh'),
    ]);
    // A reload of the bookmarked URL shows the same filters.
    await openDashboard(page.url().split('?')[1]!);
    expect(await page.inputValue('#filter-site')).toBe('site-nyc');
    expect(await page.inputValue('#filter-start')).toBe('2026-02-01');
  });

  it('says "No data for this period" when the period has none, and shows the anomaly table\'s own empty text', async () => {
    // New York's first reading is on 5 January 2026.
    await openDashboard('site_id=site-nyc&start_date=2025-12-01&end_date=2025-12-31');
    expect(await page.getAttribute('#dashboard', 'data-state')).toBe('empty');
    expect(await page.isVisible('#empty-state')).toBe(true);
    expect(await page.textContent('#empty-state')).toBe('No data for this period');
    expect((await kpi('kpi-kwh')).text).toBe('–');
    expect(await page.textContent('#visual-daily-trend .empty-text')).toBe('No data for this period');
    expect(await page.textContent('#visual-anomalies .empty-text')).toBe('No anomalies in this period');
  });

  it('defaults to month to date, shown in the URL', async () => {
    await openDashboard('');
    const now = new Date();
    const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
    const url = new URL(page.url()).searchParams;
    expect([url.get('start_date'), url.get('end_date')]).toEqual([`${today.slice(0, 8)}01`, today]);
  });

  it('shows a 400\'s message for a bad period instead of numbers', async () => {
    await page.goto(`${api.url}/?start_date=2026-03-31&end_date=2026-03-01`);
    await page.waitForSelector('#dashboard[data-state="error"]', { timeout: 60_000 });
    expect(await page.textContent('#error')).toBe('end_date 2026-03-01 is before start_date 2026-03-31');
  });

  // Before the refresh test adds data: the screenshots show the golden lake as it is.
  it('fits a 375 px phone without horizontal scrolling, one panel per row, and saves screenshots', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await openDashboard('start_date=2026-03-01&end_date=2026-03-31');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
    const laptopColumns = await page.$$eval('#panels > .card', (cards) => new Set(cards.map((c) => Math.round(c.getBoundingClientRect().left))).size);
    expect(laptopColumns).toBe(2);

    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(300); // charts resize on the resize event
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    const phone = await page.$$eval('#panels > .card', (cards) => cards.map((c) => c.getBoundingClientRect()).map((r) => ({ left: Math.round(r.left), right: Math.round(r.right) })));
    expect(new Set(phone.map((r) => r.left)).size).toBe(1);
    expect(phone.every((r) => r.right <= 375)).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-phone.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('refreshes by itself when new data lands in the lake', async () => {
    await openDashboard('start_date=2026-03-01&end_date=2026-03-31');
    const before = await kpi('kpi-kwh');
    const version = await page.getAttribute('#dashboard', 'data-version');
    // A new meter at the lab (UTC): 250 kWh between 10:00 and 12:00 on 15 March.
    const topic = 'dt/energy/site-lab/lab-2/readings';
    const lines = [['2026-03-15T10:00:00Z', 1000], ['2026-03-15T12:00:00Z', 1250]].map(([ts, kwh], i) =>
      JSON.stringify({ topic, payload: { ts, energy_import_kwh: kwh }, received_at: Date.parse(ts as string) + 1000 + i }));
    const summary = await ingestLines(lines, { store: new FolderStore(lake), duckdb: golden.duckdb });
    expect(summary.invalidLines).toEqual([]);
    await page.waitForFunction(`document.getElementById('dashboard').dataset.version !== ${JSON.stringify(version)} && document.getElementById('dashboard').dataset.state === 'ready'`, undefined, { timeout: 60_000 });
    const after = await kpi('kpi-kwh');
    expect(closeEnough(after.value, before.value + 250)).toBe(true);
    expect((await rowOf('daily-trend', '2026-03-15'))?.['site-lab']).toBe(shown(250, 1, 'kWh'));
  });
});
