// What each kind of visual shows for realistic query rows (the shapes the named queries return).
import { describe, expect, it } from 'vitest';
import type { BarVisual, HeatmapVisual, KpiVisual, LineVisual, TableVisual } from '../../../pipeline/dashboards/definitions.ts';
import { DASHBOARDS } from '../../../pipeline/dashboards/definitions.ts';
import { aggregate, chartData, formatNumber, heatmapData, kpiData, tableData, visualData } from '../../../pipeline/dashboards/visual-data.ts';

const overview = DASHBOARDS.find((d) => d.id === 'energy-overview')!;
const visualOf = <T>(id: string) => overview.visuals.find((v) => v.id === id) as T;

// daily_consumption rows: site, meter, local day, kWh.
const DAILY = [
  { site_id: 'site-sto', device_id: 'sto-main', day: '2026-03-28', kwh: 13.25 },
  { site_id: 'site-sto', device_id: 'sto-heat', day: '2026-03-28', kwh: 41.5 },
  { site_id: 'site-sto', device_id: 'sto-main', day: '2026-03-29', kwh: 12 },
  { site_id: 'site-nyc', device_id: 'nyc-main', day: '2026-03-29', kwh: 1234.56 },
  { site_id: 'site-nyc', device_id: 'nyc-main', day: '2026-03-27', kwh: 8.04 },
];

describe('formatting', () => {
  it('rounds to the definition\'s decimals with thousands separators, never showing -0', () => {
    expect(formatNumber(1234.56, 1)).toBe('1,234.6');
    expect(formatNumber(1234.56, 0)).toBe('1,235');
    expect(formatNumber(-0.004, 2)).toBe('0.00');
    expect(formatNumber(-12.5, 1)).toBe('-12.5');
  });
});

describe('aggregates', () => {
  it('sum, avg, max and min ignore NULLs and give null without values', () => {
    const rows = [{ v: 2 }, { v: null }, { v: 7 }, { v: 3 }];
    expect(aggregate(rows, { column: 'v', aggregate: 'sum' })).toBe(12);
    expect(aggregate(rows, { column: 'v', aggregate: 'avg' })).toBe(4);
    expect(aggregate(rows, { column: 'v', aggregate: 'max' })).toBe(7);
    expect(aggregate(rows, { column: 'v', aggregate: 'min' })).toBe(2);
    expect(aggregate([{ v: null }], { column: 'v', aggregate: 'sum' })).toBeNull();
    expect(aggregate([], { column: 'v', aggregate: 'max' })).toBeNull();
  });
});

describe('KPI', () => {
  it('sums the consumption of every row with its unit', () => {
    expect(kpiData(visualOf<KpiVisual>('kpi-kwh'), DAILY)).toEqual({
      kind: 'kpi', id: 'kpi-kwh', title: 'Consumption', empty: false,
      values: [{ value: 1309.35, unit: 'kWh', text: '1,309 kWh' }],
    });
  });

  it('shows money per currency, from the rows\' currency column, never adding SEK to USD', () => {
    const cost = [
      { site_id: 'site-nyc', month: '2026-03-01', band: 'off_peak', currency: 'USD', kwh: 30, cost: 3.3 },
      { site_id: 'site-nyc', month: '2026-03-01', band: 'peak', currency: 'USD', kwh: 10, cost: 3.2 },
      { site_id: 'site-sto', month: '2026-03-01', band: 'peak', currency: 'SEK', kwh: 700, cost: 1155 },
      { site_id: 'site-sto', month: '2026-03-01', band: null, currency: null, kwh: 2, cost: null },
    ];
    expect(kpiData(visualOf<KpiVisual>('kpi-cost'), cost).values).toEqual([
      { value: 1155, unit: 'SEK', text: '1,155.00 SEK' },
      { value: 6.5, unit: 'USD', text: '6.50 USD' },
    ]);
  });

  it('shows the peak with its share of the contracted capacity as the secondary number', () => {
    const peaks = [
      { site_id: 'site-sto', month: '2026-03-01', peak_kw: 9.84, capacity_used_pct: 82 },
      { site_id: 'site-nyc', month: '2026-03-01', peak_kw: 5.2, capacity_used_pct: 130 },
    ];
    const data = kpiData(visualOf<KpiVisual>('kpi-peak'), peaks);
    expect(data.values).toEqual([{ value: 9.84, unit: 'kW', text: '9.8 kW' }]);
    expect(data.secondary).toEqual({ label: 'of contracted capacity', value: 130, unit: '%', text: '130 %' });
  });

  it('is empty, with a dash, when the period has no rows', () => {
    expect(kpiData(visualOf<KpiVisual>('kpi-kwh'), [])).toMatchObject({ empty: true, values: [{ value: null, unit: 'kWh', text: '–' }] });
    expect(kpiData(visualOf<KpiVisual>('kpi-cost'), [])).toMatchObject({ empty: true, values: [{ value: null, text: '–' }] });
  });
});

describe('line and bar charts', () => {
  it('sums kWh per day and site into one series per site, days in order, null where a site has no row', () => {
    const data = chartData(visualOf<LineVisual>('daily-trend'), DAILY);
    expect(data.categories).toEqual(['2026-03-27', '2026-03-28', '2026-03-29']);
    expect(data.series).toEqual([
      { name: 'site-nyc', values: [8.04, null, 1234.56] },
      { name: 'site-sto', values: [null, 54.75, 12] },
    ]);
    expect(data.table).toEqual({
      columns: ['day', 'site-nyc', 'site-sto'],
      rows: [['2026-03-27', '8.0 kWh', '–'], ['2026-03-28', '–', '54.8 kWh'], ['2026-03-29', '1,234.6 kWh', '12.0 kWh']],
    });
    expect(data.empty).toBe(false);
  });

  it('puts each site\'s bar next to its year-earlier bar', () => {
    const trend = [
      { site_id: 'site-sto', month: '2026-02-01', kwh: 900, previous_year_kwh: 950 },
      { site_id: 'site-sto', month: '2026-03-01', kwh: 800, previous_year_kwh: null },
      { site_id: 'site-nyc', month: '2026-03-01', kwh: 300, previous_year_kwh: 280.25 },
    ];
    const data = chartData(visualOf<BarVisual>('monthly-by-site'), trend);
    expect(data.series).toEqual([
      { name: 'site-nyc', values: [null, 300] },
      { name: 'site-nyc (a year earlier)', values: [null, 280.25] },
      { name: 'site-sto', values: [900, 800] },
      { name: 'site-sto (a year earlier)', values: [950, null] },
    ]);
  });

  it('is empty without rows', () => {
    expect(chartData(visualOf<LineVisual>('daily-trend'), [])).toMatchObject({ empty: true, categories: [], series: [] });
  });
});

describe('heat map', () => {
  it('lays weekdays Monday to Sunday against hours in numeric order, adding the sites of a cell', () => {
    const rows = [
      { site_id: 'site-sto', weekday: 1, hour: 10, mean_kw: 1.5, slots: 4 },
      { site_id: 'site-nyc', weekday: 1, hour: 10, mean_kw: 0.75, slots: 4 },
      { site_id: 'site-sto', weekday: 7, hour: 2, mean_kw: 0.25, slots: 8 },
      { site_id: 'site-sto', weekday: 1, hour: 9, mean_kw: 3, slots: 4 },
    ];
    const data = heatmapData(visualOf<HeatmapVisual>('load-heatmap'), rows);
    expect(data.xCategories).toEqual(['2', '9', '10']);
    expect(data.yCategories).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    expect(data.cells).toEqual([[1, 0, 3], [2, 0, 2.25], [0, 6, 0.25]]);
    expect([data.min, data.max]).toEqual([0.25, 3]);
    expect(data.table.rows[0]).toEqual(['Mon', '–', '3.0 kW', '2.3 kW']);
    expect(data.table.rows[6]).toEqual(['Sun', '0.3 kW', '–', '–']);
  });
});

describe('tables', () => {
  it('formats the first `limit` rows with units and decimals, and a dash for NULL', () => {
    const visual: TableVisual = { ...visualOf<TableVisual>('top-consumers'), limit: 2 };
    const rows = [
      { rank: 1, site_id: 'site-sto', device_id: 'sto-heat', kwh: 1520.449, share_pct: 61.23 },
      { rank: 2, site_id: 'site-sto', device_id: null, kwh: 700, share_pct: 28.2 },
      { rank: 3, site_id: 'site-nyc', device_id: 'nyc-main', kwh: 260, share_pct: 10.57 },
    ];
    expect(tableData(visual, rows)).toEqual({
      kind: 'table', id: 'top-consumers', title: 'Top consumers', emptyText: 'No consumption in this period', empty: false,
      table: {
        columns: ['#', 'Site', 'Meter', 'Consumption', 'Share'],
        rows: [['1', 'site-sto', 'sto-heat', '1,520.4 kWh', '61.2 %'], ['2', 'site-sto', '–', '700.0 kWh', '28.2 %']],
      },
    });
  });

  it('is empty with the definition\'s text when the query returns nothing', () => {
    expect(visualData(visualOf<TableVisual>('anomalies'), [])).toMatchObject({ empty: true, emptyText: 'No anomalies in this period', table: { rows: [] } });
  });
});
