// A report as an Excel workbook (exceljs) that opens ready to read and to compute with:
// - sheet 1 (the report's name): a bold header row frozen in place with an autofilter, real
//   numbers with number formats (kWh to the Wh, money to the cent, % to a tenth), dates and
//   timestamps as Excel dates, column widths fitted to the content, and a totals row with SUM
//   formulas whose cached results are filled in (viewers that do not calculate, and programs
//   reading the file, see the totals too), per currency where money in several currencies meets;
// - sheet "About": title, period and timezone, query and parameters, run time, and what each
//   column means; the workbook properties carry the title and period as well.
// Timestamps are UTC (the lake's time; the column descriptions say so): Excel has no time zones.
import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { Cell, ReportColumn, ReportTable } from './report-table.ts';

const MAX_WIDTH = 60;
const DATE_FORMAT = 'yyyy-mm-dd';
const TIMESTAMP_FORMAT = 'yyyy-mm-dd hh:mm:ss';

/** Decimals shown for a numeric column: by its unit, which the column names carry (kwh, _kw, _pct, cost, _v). */
function decimals(column: ReportColumn): number {
  if (column.kind === 'integer') return 0;
  const name = column.name;
  if (name.endsWith('_pct') || name.includes('minutes')) return 1;
  if (name === 'cost' || name.endsWith('_cost') || name.endsWith('_v') || name === 'z_score') return 2;
  return 3; // kWh and kW to the Wh / W, readings expected, kg CO2e
}

/** The Excel number format of a column, or undefined for text and booleans. */
export function numberFormat(column: ReportColumn): string | undefined {
  switch (column.kind) {
    case 'number':
    case 'integer': {
      const d = decimals(column);
      return d ? `#,##0.${'0'.repeat(d)}` : '#,##0';
    }
    case 'date':
      return DATE_FORMAT;
    case 'timestamp':
      return TIMESTAMP_FORMAT;
    default:
      return undefined;
  }
}

/** The value exceljs should write: dates as JS Dates (UTC; exceljs turns them into Excel serials). */
function excelValue(column: ReportColumn, cell: Cell): ExcelJS.CellValue {
  if (cell === null) return null;
  if (column.kind === 'date') return new Date(`${cell as string}T00:00:00Z`);
  if (column.kind === 'timestamp') return new Date(cell as number);
  return cell;
}

// One formatter per precision: toLocaleString builds a new one on every call, which costs
// seconds over a large report.
const numberTexts = new Map<number, Intl.NumberFormat>();
function numberText(decimals: number): Intl.NumberFormat {
  let format = numberTexts.get(decimals);
  if (!format) numberTexts.set(decimals, (format = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })));
  return format;
}

/** Roughly what Excel shows, for column widths. */
function shownText(column: ReportColumn, cell: Cell): string {
  if (cell === null) return '';
  if (column.kind === 'number' || column.kind === 'integer') return numberText(decimals(column)).format(cell as number);
  if (column.kind === 'date') return DATE_FORMAT;
  if (column.kind === 'timestamp') return TIMESTAMP_FORMAT;
  return String(cell);
}

/** Excel's column letters: 1 -> A, 27 -> AA. */
export function columnLetter(index1: number): string {
  let letters = '';
  for (let n = index1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** Sheet names: at most 31 characters, none of []:*?/\ (report names are [a-z0-9_] anyway). */
const sheetName = (name: string): string => name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || 'Report';

/** Money columns: summed per currency when a `currency` column holds more than one. */
const isMoney = (column: ReportColumn): boolean => column.name === 'cost' || column.name.endsWith('_cost');

function sum(rows: readonly Cell[][], index: number, include: (row: readonly Cell[]) => boolean = () => true): number {
  return rows.reduce((total, row) => total + (include(row) && typeof row[index] === 'number' ? (row[index] as number) : 0), 0);
}

/**
 * The totals rows under the data: "Total" sums each totals column over all rows. Money in more
 * than one currency has no total (SEK + USD means nothing): it is left empty there, and a
 * "Total <currency>" row per currency follows with SUMIFS over that currency's rows.
 */
function totalsRows(table: ReportTable): ExcelJS.CellValue[][] {
  const { columns, rows, report } = table;
  const totals = columns.map((c) => report.totals.includes(c.name));
  if (!totals.some(Boolean)) return [];
  const currencyAt = columns.findIndex((c) => c.name === 'currency' && c.kind === 'text');
  const currencies = currencyAt < 0 ? [] : [...new Set(rows.map((row) => row[currencyAt]).filter((c): c is string => typeof c === 'string' && c !== ''))].sort();
  const mixed = currencies.length > 1;
  const range = (i: number): string => `${columnLetter(i + 1)}2:${columnLetter(i + 1)}${rows.length + 1}`;
  const labelAt = totals.indexOf(false);
  const totalsRow = (label: string, currency: string | undefined): ExcelJS.CellValue[] => columns.map((column, i) => {
    if (i === labelAt) return label;
    if (!totals[i] || (currency === undefined && mixed && isMoney(column))) return null;
    const result = sum(rows, i, currency === undefined ? undefined : (row) => row[currencyAt] === currency);
    // Over no rows there is no range to sum.
    if (!rows.length) return result;
    const formula = currency === undefined ? `SUM(${range(i)})` : `SUMIFS(${range(i)},${range(currencyAt)},"${currency.replaceAll('"', '""')}")`;
    return { formula, result };
  });
  return [totalsRow('Total', undefined), ...(mixed ? currencies.map((currency) => totalsRow(`Total ${currency}`, currency)) : [])];
}

function addDataSheet(workbook: ExcelJS.Workbook, table: ReportTable): void {
  const { columns, rows, report } = table;
  const sheet = workbook.addWorksheet(sheetName(report.name), { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
  const totals = totalsRows(table);
  sheet.columns = columns.map((column, i) => {
    const texts = [column.name, ...rows.map((row) => shownText(column, row[i] ?? null))];
    for (const row of totals) {
      const value = row[i];
      if (value !== null && value !== undefined) texts.push(typeof value === 'string' ? value : shownText(column, typeof value === 'number' ? value : (value as ExcelJS.CellFormulaValue).result as number));
    }
    const numFmt = numberFormat(column);
    return { key: column.name, width: Math.min(MAX_WIDTH, Math.max(...texts.map((t) => t.length)) + 2), ...(numFmt ? { style: { numFmt } } : {}) };
  });
  // Rows are committed as they are written: the streaming writer keeps only the current one in memory.
  const header = sheet.addRow(columns.map((c) => c.name));
  header.font = { bold: true };
  header.commit();
  for (const row of rows) sheet.addRow(row.map((cell, i) => excelValue(columns[i]!, cell))).commit();
  for (const values of totals) {
    const row = sheet.addRow(values);
    row.font = { bold: true };
    row.commit();
  }
  // The totals rows sit outside the autofilter range, so sorting or filtering leaves them last.
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: rows.length + 1, column: columns.length } };
  sheet.commit();
}

function addAboutSheet(workbook: ExcelJS.Workbook, table: ReportTable): void {
  const { report, period } = table;
  const sheet = workbook.addWorksheet('About');
  sheet.columns = [
    { width: Math.max(12, ...table.columns.map((c) => c.name.length + 2)), style: { font: { bold: true } } },
    { width: 14 },
    { width: 80 },
  ];
  const params = Object.entries(table.params).map(([k, v]) => `${k}=${v}`).join(', ');
  const lines: ExcelJS.CellValue[][] = [
    ['Report', report.title],
    ['Description', report.description],
    ['Period', `${period.start_date} to ${period.end_date} (local days in ${report.timezone}, inclusive)`],
    ['Query', report.query],
    ['Parameters', params],
    ['Run at', table.runAt.toISOString()],
    ['Rows', table.rows.length],
    [],
  ];
  for (const line of lines) sheet.addRow(line).commit();
  const columnsHeader = sheet.addRow(['Column', 'Type', 'Description']);
  columnsHeader.font = { bold: true };
  columnsHeader.commit();
  for (const c of table.columns) sheet.addRow([c.name, c.type, c.description]).commit();
  sheet.commit();
}

export async function renderXlsx(table: ReportTable): Promise<Uint8Array> {
  // Loaded on first use: exceljs takes longer to load than the rest of the CLI together, and
  // every `wattlake` command (main.ts imports them all) would otherwise pay for it.
  const { default: Excel } = await import('exceljs');
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  // The streaming writer: about three times faster than building the whole workbook in memory.
  const workbook = new Excel.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: true });
  workbook.creator = 'wattlake';
  workbook.title = table.report.title;
  workbook.subject = `${table.period.start_date} to ${table.period.end_date}`;
  workbook.description = table.report.description;
  workbook.keywords = table.report.name;
  workbook.created = table.runAt;
  workbook.modified = table.runAt;
  addDataSheet(workbook, table);
  addAboutSheet(workbook, table);
  await workbook.commit();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}
