// The managers' dashboards and the datasets behind them, defined once. The local twin renders
// them in the browser (infra/local/dashboard) and the CDK app turns them into QuickSight
// datasets and a dashboard definition (infra/aws): neither keeps its own list.
//
// A dataset is a named query (queries/*.sql); its typed columns come from the query's header,
// so a column can never be declared twice. A visual reads one dataset and says how to
// aggregate it; the dashboard's filters (site, date range) are bound to the query's
// parameters of the same name, never pasted into SQL.

/** A dataset: one named query, with the parameters a dashboard does not set. */
export interface DatasetDefinition {
  /** Dataset name (also the QuickSight DataSetId suffix); lowercase, [a-z0-9_]. */
  name: string;
  /** The named query in queries/ that computes it. */
  query: string;
  description: string;
  /** Parameters fixed for this dataset, as texts (bound like `--param k=v`). */
  fixedParams?: Record<string, string>;
  /**
   * QuickSight cannot bind Athena `?` parameters, so its (SPICE) copy of the dataset covers a
   * rolling window: the local days from `lookbackDays` before the refresh day to that day.
   * The dashboard's date filter then narrows inside that window.
   */
  lookbackDays: number;
}

/** Where a visual's number comes from: one column, aggregated over the filtered rows. */
export interface Measure {
  column: string;
  aggregate: 'sum' | 'max' | 'min' | 'avg';
  /** Unit printed next to the number (kWh, kW, %, kg CO2e, or a currency column's value). */
  unit: string;
  /** Decimals shown. */
  decimals: number;
}

export interface KpiVisual {
  kind: 'kpi';
  id: string;
  title: string;
  dataset: string;
  value: Measure;
  /** A second number under the value, e.g. the contracted capacity next to the peak. */
  secondary?: Measure & { label: string };
}

/** Line chart: `y` aggregated per `x` (summed over everything else), one line per `series` if given. */
export interface LineVisual {
  kind: 'line';
  id: string;
  title: string;
  dataset: string;
  x: string;
  y: Measure;
  series?: string;
}

/** Grouped bars: `y` per `x`, one bar per `series`; `comparison` is drawn as a second measure (e.g. a year earlier). */
export interface BarVisual {
  kind: 'bar';
  id: string;
  title: string;
  dataset: string;
  x: string;
  y: Measure;
  series?: string;
  comparison?: Measure & { label: string };
}

/** Heat map: `value` aggregated per (`x`, `y`) cell. */
export interface HeatmapVisual {
  kind: 'heatmap';
  id: string;
  title: string;
  dataset: string;
  x: string;
  y: string;
  /** Labels for the y values in order (e.g. ISO weekdays 1..7 -> Mon..Sun). */
  yLabels?: Record<string, string>;
  value: Measure;
}

export interface TableColumn {
  column: string;
  label: string;
  unit?: string;
  decimals?: number;
}

/** A table of the dataset's rows (already ranked or filtered by its query), first `limit` rows. */
export interface TableVisual {
  kind: 'table';
  id: string;
  title: string;
  dataset: string;
  columns: TableColumn[];
  limit: number;
  /** Shown when the query returns no rows (e.g. "No anomalies"). */
  emptyText: string;
}

export type Visual = KpiVisual | LineVisual | BarVisual | HeatmapVisual | TableVisual;

/**
 * A dashboard filter, bound to the query parameters of the same names: `site` sets `site_id`
 * (all sites when empty), `date_range` sets `start_date` and `end_date` (local days, inclusive).
 */
export type DashboardFilter =
  | { kind: 'site'; param: 'site_id'; label: string }
  | { kind: 'date_range'; params: ['start_date', 'end_date']; label: string; defaultRange: 'month_to_date' };

export interface DashboardDefinition {
  /** Dashboard id (also the QuickSight DashboardId suffix and the local URL path). */
  id: string;
  title: string;
  description: string;
  filters: DashboardFilter[];
  visuals: Visual[];
}

export const DATASETS: readonly DatasetDefinition[] = [
  { name: 'daily_consumption', query: 'daily_consumption', description: 'kWh per site, meter and local day', lookbackDays: 800 },
  { name: 'monthly_trend', query: 'monthly_trend', description: 'kWh per site and month with month-over-month and year-over-year change', lookbackDays: 800 },
  { name: 'time_of_use_cost', query: 'time_of_use_cost', description: 'kWh and cost per tariff band, site and month', lookbackDays: 800 },
  { name: 'carbon_emissions', query: 'carbon_emissions', description: 'kg CO2e per site and month', lookbackDays: 800 },
  { name: 'peak_demand', query: 'peak_demand', description: 'highest 15-minute demand per site and month vs contracted capacity', lookbackDays: 800 },
  { name: 'data_completeness', query: 'data_completeness', description: 'readings received vs expected per meter and day', lookbackDays: 400 },
  { name: 'weekday_hour_load', query: 'weekday_hour_load', description: 'mean kW per site, local weekday and hour', lookbackDays: 400 },
  { name: 'top_consumers', query: 'top_consumers', description: 'meters ranked by kWh', fixedParams: { rank_by: 'device', top_n: '10' }, lookbackDays: 400 },
  { name: 'consumption_anomalies', query: 'consumption_anomalies', description: 'days far from the same weekday trailing 4-week baseline', lookbackDays: 400 },
];

const kwh = (decimals = 1): Measure => ({ column: 'kwh', aggregate: 'sum', unit: 'kWh', decimals });

export const DASHBOARDS: readonly DashboardDefinition[] = [
  {
    id: 'energy-overview',
    title: 'Energy overview',
    description: 'Consumption, cost, emissions, peak demand and data quality for the selected sites and period.',
    filters: [
      { kind: 'site', param: 'site_id', label: 'Site' },
      { kind: 'date_range', params: ['start_date', 'end_date'], label: 'Period', defaultRange: 'month_to_date' },
    ],
    visuals: [
      { kind: 'kpi', id: 'kpi-kwh', title: 'Consumption', dataset: 'daily_consumption', value: kwh(0) },
      { kind: 'kpi', id: 'kpi-cost', title: 'Energy cost', dataset: 'time_of_use_cost', value: { column: 'cost', aggregate: 'sum', unit: 'currency', decimals: 2 } },
      { kind: 'kpi', id: 'kpi-co2', title: 'Emissions', dataset: 'carbon_emissions', value: { column: 'kg_co2e', aggregate: 'sum', unit: 'kg CO2e', decimals: 0 } },
      {
        kind: 'kpi', id: 'kpi-peak', title: 'Peak demand', dataset: 'peak_demand',
        value: { column: 'peak_kw', aggregate: 'max', unit: 'kW', decimals: 1 },
        secondary: { label: 'of contracted capacity', column: 'capacity_used_pct', aggregate: 'max', unit: '%', decimals: 0 },
      },
      { kind: 'kpi', id: 'kpi-completeness', title: 'Data completeness', dataset: 'data_completeness', value: { column: 'completeness_pct', aggregate: 'avg', unit: '%', decimals: 1 } },
      { kind: 'line', id: 'daily-trend', title: 'Daily consumption', dataset: 'daily_consumption', x: 'day', y: kwh(), series: 'site_id' },
      {
        kind: 'bar', id: 'monthly-by-site', title: 'Monthly consumption by site, vs a year earlier', dataset: 'monthly_trend',
        x: 'month', y: kwh(), series: 'site_id',
        comparison: { label: 'a year earlier', column: 'previous_year_kwh', aggregate: 'sum', unit: 'kWh', decimals: 1 },
      },
      {
        kind: 'heatmap', id: 'load-heatmap', title: 'Load by weekday and hour', dataset: 'weekday_hour_load',
        x: 'hour', y: 'weekday', yLabels: { 1: 'Mon', 2: 'Tue', 3: 'Wed', 4: 'Thu', 5: 'Fri', 6: 'Sat', 7: 'Sun' },
        value: { column: 'mean_kw', aggregate: 'sum', unit: 'kW', decimals: 1 },
      },
      {
        kind: 'table', id: 'top-consumers', title: 'Top consumers', dataset: 'top_consumers', limit: 10, emptyText: 'No consumption in this period',
        columns: [
          { column: 'rank', label: '#' },
          { column: 'site_id', label: 'Site' },
          { column: 'device_id', label: 'Meter' },
          { column: 'kwh', label: 'Consumption', unit: 'kWh', decimals: 1 },
          { column: 'share_pct', label: 'Share', unit: '%', decimals: 1 },
        ],
      },
      {
        kind: 'table', id: 'anomalies', title: 'Consumption anomalies', dataset: 'consumption_anomalies', limit: 50, emptyText: 'No anomalies in this period',
        columns: [
          { column: 'site_id', label: 'Site' },
          { column: 'day', label: 'Day' },
          { column: 'kwh', label: 'Consumption', unit: 'kWh', decimals: 1 },
          { column: 'baseline_kwh', label: 'Baseline', unit: 'kWh', decimals: 1 },
          { column: 'z_score', label: 'z-score', decimals: 1 },
        ],
      },
    ],
  },
];

export function getDataset(name: string): DatasetDefinition {
  const dataset = DATASETS.find((d) => d.name === name);
  if (!dataset) throw new Error(`unknown dataset ${JSON.stringify(name)}; datasets: ${DATASETS.map((d) => d.name).join(', ')}`);
  return dataset;
}

export function getDashboard(id: string): DashboardDefinition {
  const dashboard = DASHBOARDS.find((d) => d.id === id);
  if (!dashboard) throw new Error(`unknown dashboard ${JSON.stringify(id)}; dashboards: ${DASHBOARDS.map((d) => d.id).join(', ')}`);
  return dashboard;
}
