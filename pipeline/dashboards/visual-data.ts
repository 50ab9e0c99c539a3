// What a visual shows, from its definition and its dataset's rows: the numbers, already
// aggregated and formatted with their units. Pure, so the twin's page only draws what it is
// given and tests read the same numbers the page displays. QuickSight does this aggregation
// itself from the same definitions (infra/aws).
import type { PlainRow, PlainValue } from '../query/rows.ts';
import type { BarVisual, HeatmapVisual, KpiVisual, LineVisual, Measure, TableVisual, Visual } from './definitions.ts';

/** A unit of `currency` means: the value of the row's `currency` column (SEK, USD, …). */
export const CURRENCY_UNIT = 'currency';
const CURRENCY_COLUMN = 'currency';

/** A number as shown: the exact value, its unit and the text with the definition's decimals. */
export interface ShownNumber {
  value: number | null;
  unit: string;
  /** e.g. "1,234.5 kWh"; "–" when there is no value. */
  text: string;
}

/** A data table under a chart, or a table visual: header and formatted cells. */
export interface ShownTable {
  columns: string[];
  rows: string[][];
}

interface Common {
  id: string;
  title: string;
  /** No rows in the period (or only empty values): the page shows an empty state. */
  empty: boolean;
}

export interface KpiData extends Common {
  kind: 'kpi';
  /** One number, or one per currency when a money measure spans several. */
  values: ShownNumber[];
  secondary?: ShownNumber & { label: string };
}

export interface SeriesData {
  name: string;
  /** One value per category, null where the series has no row. */
  values: (number | null)[];
}

export interface ChartData extends Common {
  kind: 'line' | 'bar';
  unit: string;
  decimals: number;
  categories: string[];
  series: SeriesData[];
  table: ShownTable;
}

export interface HeatmapData extends Common {
  kind: 'heatmap';
  unit: string;
  decimals: number;
  xCategories: string[];
  yCategories: string[];
  /** [x index, y index, value] per cell with data. */
  cells: [number, number, number][];
  min: number | null;
  max: number | null;
  /** Rows = y categories, columns = x categories. */
  table: ShownTable;
}

export interface TableData extends Common {
  kind: 'table';
  emptyText: string;
  table: ShownTable;
}

export type VisualData = KpiData | ChartData | HeatmapData | TableData;

const NO_VALUE = '–';
const formats = new Map<number, Intl.NumberFormat>();

/** `value` with `decimals` decimals and thousands separators (en-US, so the text is the same everywhere). */
export function formatNumber(value: number, decimals: number): string {
  let format = formats.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formats.set(decimals, format);
  }
  // Avoid "-0.0" for a tiny negative rounding to zero.
  const text = format.format(value);
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

export function shownNumber(value: number | null, unit: string, decimals: number): ShownNumber {
  if (value === null) return { value, unit, text: NO_VALUE };
  const number = formatNumber(value, decimals);
  return { value, unit, text: unit === '' ? number : unit === '%' ? `${number} %` : `${number} ${unit}` };
}

function numberOf(value: PlainValue | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  // Integers beyond 2^53 arrive as strings (pipeline/query/rows.ts).
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return null;
}

/** The measure's aggregate over the rows' non-null values; null when there are none. */
export function aggregate(rows: readonly PlainRow[], measure: Pick<Measure, 'column' | 'aggregate'>): number | null {
  const values = rows.map((row) => numberOf(row[measure.column])).filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  switch (measure.aggregate) {
    case 'sum': return values.reduce((a, b) => a + b, 0);
    case 'avg': return values.reduce((a, b) => a + b, 0) / values.length;
    case 'max': return Math.max(...values);
    case 'min': return Math.min(...values);
  }
}

/** Category text of a cell value: dates stay YYYY-MM-DD, numbers print plainly. */
const category = (value: PlainValue | undefined): string => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** Categories in order: numerically when all are numbers, else as text (ISO dates sort as text). */
function sortedCategories(rows: readonly PlainRow[], column: string): string[] {
  const values = [...new Set(rows.map((row) => row[column]).filter((v) => v !== null && v !== undefined))];
  if (values.every((v) => typeof v === 'number')) return (values as number[]).sort((a, b) => a - b).map(String);
  return [...new Set(values.map(category))].sort();
}

/** Splits rows by their currency when the measure's unit is a currency, else one group with the measure's unit. */
function byUnit(rows: readonly PlainRow[], unit: string): { unit: string; rows: PlainRow[] }[] {
  if (unit !== CURRENCY_UNIT) return [{ unit, rows: [...rows] }];
  const groups = new Map<string, PlainRow[]>();
  for (const row of rows) {
    if (row[CURRENCY_COLUMN] === null || row[CURRENCY_COLUMN] === undefined) continue; // consumption no tariff prices
    const currency = category(row[CURRENCY_COLUMN]);
    groups.set(currency, [...(groups.get(currency) ?? []), row]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, list]) => ({ unit: currency, rows: list }));
}

export function kpiData(visual: KpiVisual, rows: readonly PlainRow[]): KpiData {
  const { unit, decimals } = visual.value;
  const values = byUnit(rows, unit)
    .map((group) => shownNumber(aggregate(group.rows, visual.value), group.unit, decimals))
    .filter((shown) => shown.value !== null);
  const data: KpiData = {
    kind: 'kpi', id: visual.id, title: visual.title,
    // Without a value: one dash, with the unit when it is known without rows.
    values: values.length ? values : [shownNumber(null, unit === CURRENCY_UNIT ? '' : unit, decimals)],
    empty: values.length === 0,
  };
  if (visual.secondary) {
    const { label } = visual.secondary;
    data.secondary = { label, ...shownNumber(aggregate(rows, visual.secondary), visual.secondary.unit, visual.secondary.decimals) };
  }
  return data;
}

/** Sums `measure` per (category, series name); `seriesOf` names a row's series. */
function seriesValues(rows: readonly PlainRow[], x: string, categories: string[], measure: Measure, seriesOf: (row: PlainRow) => string): SeriesData[] {
  const index = new Map(categories.map((c, i) => [c, i]));
  const series = new Map<string, (number | null)[]>();
  for (const row of rows) {
    const value = numberOf(row[measure.column]);
    const at = index.get(category(row[x]));
    if (value === null || at === undefined) continue;
    const name = seriesOf(row);
    const values = series.get(name) ?? categories.map(() => null);
    values[at] = (values[at] ?? 0) + value;
    series.set(name, values);
  }
  return [...series.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, values]) => ({ name, values }));
}

/** The data table of a chart: one row per category, one column per series. */
function chartTable(xLabel: string, categories: string[], series: SeriesData[], unit: string, decimals: number): ShownTable {
  return {
    columns: [xLabel, ...series.map((s) => s.name)],
    rows: categories.map((c, i) => [c, ...series.map((s) => shownNumber(s.values[i] ?? null, unit, decimals).text)]),
  };
}

export function chartData(visual: LineVisual | BarVisual, rows: readonly PlainRow[]): ChartData {
  const categories = sortedCategories(rows, visual.x);
  const seriesName = (suffix = '') => (row: PlainRow): string => `${visual.series ? category(row[visual.series]) : visual.y.column}${suffix}`;
  const series = seriesValues(rows, visual.x, categories, visual.y, seriesName());
  if (visual.kind === 'bar' && visual.comparison) {
    const comparison = seriesValues(rows, visual.x, categories, visual.comparison, seriesName(` (${visual.comparison.label})`));
    // Each series next to its comparison, so a site's two bars stand together in the legend.
    const byName = new Map(comparison.map((s) => [s.name, s]));
    series.splice(0, series.length, ...series.flatMap((s) => {
      const twin = byName.get(`${s.name} (${visual.comparison!.label})`);
      return twin ? [s, twin] : [s];
    }));
  }
  return {
    kind: visual.kind, id: visual.id, title: visual.title, unit: visual.y.unit, decimals: visual.y.decimals,
    categories, series, empty: series.length === 0,
    table: chartTable(visual.x, categories, series, visual.y.unit, visual.y.decimals),
  };
}

export function heatmapData(visual: HeatmapVisual, rows: readonly PlainRow[]): HeatmapData {
  const xCategories = sortedCategories(rows, visual.x);
  const yKeys = visual.yLabels ? Object.keys(visual.yLabels) : sortedCategories(rows, visual.y);
  const yCategories = yKeys.map((key) => visual.yLabels?.[key] ?? key);
  const sums = new Map<string, number>();
  for (const row of rows) {
    const value = numberOf(row[visual.value.column]);
    if (value === null) continue;
    const key = `${category(row[visual.x])}\u0000${category(row[visual.y])}`;
    sums.set(key, (sums.get(key) ?? 0) + value);
  }
  const cells: [number, number, number][] = [];
  const table: ShownTable = { columns: [`${visual.y} / ${visual.x}`, ...xCategories], rows: [] };
  yKeys.forEach((y, yi) => {
    const line = [yCategories[yi]!];
    xCategories.forEach((x, xi) => {
      const value = sums.get(`${x}\u0000${y}`);
      if (value !== undefined) cells.push([xi, yi, value]);
      line.push(shownNumber(value ?? null, visual.value.unit, visual.value.decimals).text);
    });
    table.rows.push(line);
  });
  const values = cells.map((c) => c[2]);
  return {
    kind: 'heatmap', id: visual.id, title: visual.title, unit: visual.value.unit, decimals: visual.value.decimals,
    xCategories, yCategories, cells,
    min: values.length ? Math.min(...values) : null, max: values.length ? Math.max(...values) : null,
    empty: cells.length === 0, table,
  };
}

export function tableData(visual: TableVisual, rows: readonly PlainRow[]): TableData {
  const shown = rows.slice(0, visual.limit);
  return {
    kind: 'table', id: visual.id, title: visual.title, emptyText: visual.emptyText, empty: shown.length === 0,
    table: {
      columns: visual.columns.map((c) => c.label),
      rows: shown.map((row) => visual.columns.map((c) => {
        const value = row[c.column];
        if (value === null || value === undefined) return NO_VALUE;
        if (typeof value !== 'number') return category(value);
        const unit = c.unit === CURRENCY_UNIT ? category(row[CURRENCY_COLUMN]) : c.unit ?? '';
        return shownNumber(value, unit, c.decimals ?? 0).text;
      })),
    },
  };
}

/** The data of any visual from its dataset's rows. */
export function visualData(visual: Visual, rows: readonly PlainRow[]): VisualData {
  switch (visual.kind) {
    case 'kpi': return kpiData(visual, rows);
    case 'line':
    case 'bar': return chartData(visual, rows);
    case 'heatmap': return heatmapData(visual, rows);
    case 'table': return tableData(visual, rows);
  }
}
