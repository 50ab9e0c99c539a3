// The shipped reports on the golden lake: each file, read back, holds the named query's answer
// for the report's period, and the XLSX totals are the sums of those answers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNamedQuery } from '../../../pipeline/query/lake-sql.ts';
import type { PlainRow } from '../../../pipeline/query/rows.ts';
import { getReport, REPORTS } from '../../../pipeline/reports/definitions.ts';
import { runReport, type ReportQueryRunner, type ReportRun } from '../../../pipeline/reports/run-report.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import { openGoldenLake, type GoldenLake } from '../../helpers/golden-lake.ts';
import { csvRows, parquetRows, xlsxRows } from '../../helpers/report-files.ts';
import { closeEnough, expectRowsClose } from '../../helpers/rows-close.ts';

let golden: GoldenLake;
let dir: string;
let store: FolderStore;
beforeAll(async () => {
  golden = await openGoldenLake();
  dir = await mkdtemp(join(tmpdir(), 'wattlake-report-test-'));
  store = new FolderStore(dir);
});
afterAll(async () => {
  golden.close();
  await rm(dir, { recursive: true, force: true });
});

const duckdbQuery: ReportQueryRunner = (name, texts) => runNamedQuery(golden.duckdb, golden.root, name, texts);

/** Scheduled runs whose periods hold golden data: March (DST change, three sites), the week of the Stockholm change, New York's anomalous Tuesday. */
const RUNS = [
  { report: 'monthly_consumption_cost', runAt: '2026-04-01T04:00:00Z', period: { start_date: '2026-03-01', end_date: '2026-03-31' } },
  { report: 'weekly_data_completeness', runAt: '2026-03-30T04:00:00Z', period: { start_date: '2026-03-23', end_date: '2026-03-29' } },
  { report: 'daily_anomalies', runAt: '2026-02-11T06:00:00Z', period: { start_date: '2026-02-10', end_date: '2026-02-10' } },
] as const;

/** Each report's run in all formats with the query's answer, once per file (the queries take seconds on the golden lake). */
const runs = new Map<string, Promise<{ run: ReportRun; expected: PlainRow[] }>>();
function runOnce(name: string, runAt: string): Promise<{ run: ReportRun; expected: PlainRow[] }> {
  if (!runs.has(name)) {
    runs.set(name, (async () => {
      const report = getReport(name);
      const run = await runReport({ report, runAt: new Date(runAt), formats: ['csv', 'xlsx', 'parquet'], runQuery: duckdbQuery, store });
      return { run, expected: await golden.run(report.query, { ...report.params, ...run.period }) };
    })());
  }
  return runs.get(name)!;
}

const sumOf = (rows: PlainRow[], column: string): number => rows.reduce((a, r) => a + (typeof r[column] === 'number' ? (r[column] as number) : 0), 0);
const cachedResult = (cell: ExcelJS.Cell): number => (cell.value as ExcelJS.CellFormulaValue).result as number;

describe('runReport on the golden lake', () => {
  it('covers every shipped report', () => {
    expect(RUNS.map((r) => r.report).sort()).toEqual(REPORTS.map((r) => r.name).sort());
  });

  it.each(RUNS)('$report: every format holds the named query\'s answer for the period', async ({ report: name, runAt, period }) => {
    const report = getReport(name);
    const { run, expected } = await runOnce(name, runAt);
    expect(run.period).toEqual(period);
    expect(expected.length).toBeGreaterThan(0);
    expect(run.files.map((f) => [f.key, f.format, f.rows])).toEqual(['csv', 'xlsx', 'parquet'].map((format) => [
      `exports/${name}/${name}_${period.start_date}_${period.end_date}.${format}`, format, expected.length,
    ]));
    const bytes = Object.fromEntries(await Promise.all(run.files.map(async (f) => [f.format, await store.get(f.key)] as const)));
    for (const f of run.files) expect(bytes[f.format]!.byteLength).toBe(f.bytes);

    expectRowsClose(csvRows(report.query, bytes.csv!), expected);
    expectRowsClose(await parquetRows(report.query, bytes.parquet!), expected);
    const xlsx = await xlsxRows(report.query, bytes.xlsx!, expected.length);
    expectRowsClose(xlsx.rows, expected);

    // The totals row (when the report has totals) sums the query's column.
    const totalsRow = xlsx.sheet.getRow(expected.length + 2);
    const columns = Object.keys(expected[0]!);
    const currencies = new Set(expected.map((r) => r.currency).filter(Boolean));
    for (const column of report.totals) {
      const cell = totalsRow.getCell(columns.indexOf(column) + 1);
      if (column === 'cost' && currencies.size > 1) continue; // per currency: below
      expect(closeEnough(cachedResult(cell), sumOf(expected, column)), `${column}: ${cachedResult(cell)} vs ${sumOf(expected, column)}`).toBe(true);
    }
    if (!report.totals.length) expect(xlsx.sheet.actualRowCount).toBe(expected.length + 1);
  });

  it('monthly_consumption_cost: totals cost per currency, since SEK and USD do not add up', async () => {
    const report = getReport('monthly_consumption_cost');
    const { run, expected } = await runOnce(report.name, RUNS[0].runAt);
    const xlsxFile = run.files.find((f) => f.format === 'xlsx')!;
    const { sheet } = await xlsxRows(report.query, await store.get(xlsxFile.key), expected.length);
    const currencies = [...new Set(expected.map((r) => r.currency).filter((c): c is string => typeof c === 'string'))].sort();
    expect(currencies).toEqual(['SEK', 'USD']);
    currencies.forEach((currency, i) => {
      const row = sheet.getRow(expected.length + 3 + i);
      expect(row.getCell('A').value).toBe(`Total ${currency}`);
      const mine = expected.filter((r) => r.currency === currency);
      expect(closeEnough(cachedResult(row.getCell('E')), sumOf(mine, 'kwh'))).toBe(true);
      expect(closeEnough(cachedResult(row.getCell('F')), sumOf(mine, 'cost'))).toBe(true);
    });
  });

  it('writes the report\'s own formats by default and passes the period and the report\'s parameters to the query', async () => {
    const calls: [string, Record<string, string>][] = [];
    const recording: ReportQueryRunner = (name, texts) => {
      calls.push([name, texts]);
      return duckdbQuery(name, texts);
    };
    const report = getReport('daily_anomalies');
    const run = await runReport({ report, runAt: new Date('2026-02-11T06:00:00Z'), runQuery: recording, store });
    expect(calls).toEqual([['consumption_anomalies', { z_threshold: '3', start_date: '2026-02-10', end_date: '2026-02-10' }]]);
    expect(run.files.map((f) => f.format)).toEqual(report.formats);
  });

  it('writes the same CSV from Athena\'s all-text answer as from DuckDB\'s', async () => {
    // Athena's GetQueryResults: every value a string, NULL absent, timestamps `YYYY-MM-DD hh:mm:ss.sss`.
    let duckRows: PlainRow[] = [];
    const duck: ReportQueryRunner = async (name, texts) => {
      const result = await duckdbQuery(name, texts);
      duckRows = result.rows;
      return result;
    };
    const athenaLike: ReportQueryRunner = async () => ({
      columns: Object.keys(duckRows[0]!), types: [],
      rows: duckRows.map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)
        .map(([k, v]) => [k, typeof v === 'string' && /T.*Z$/.test(v) ? v.replace('T', ' ').slice(0, -1) : String(v)]))),
    });
    const report = getReport('weekly_data_completeness');
    const runAt = new Date('2026-03-30T04:00:00Z');
    const [a] = (await runReport({ report, runAt, formats: ['csv'], runQuery: duck, store: new FolderStore(join(dir, 'duckdb')) })).files;
    const [b] = (await runReport({ report, runAt, formats: ['csv'], runQuery: athenaLike, store: new FolderStore(join(dir, 'athena')) })).files;
    expect(duckRows.some((r) => r.last_seen === null) && duckRows.some((r) => r.last_seen !== null)).toBe(true);
    expect(Buffer.from(await new FolderStore(join(dir, 'athena')).get(b!.key)).toString()).toBe(Buffer.from(await new FolderStore(join(dir, 'duckdb')).get(a!.key)).toString());
  });

  it('refuses an unknown format before running the query', async () => {
    let ran = false;
    const runQuery: ReportQueryRunner = async (name, texts) => {
      ran = true;
      return duckdbQuery(name, texts);
    };
    await expect(runReport({ report: getReport('daily_anomalies'), runAt: new Date(), formats: ['pdf' as never], runQuery, store })).rejects.toThrow('unknown report format "pdf"; formats: csv, xlsx, parquet');
    expect(ran).toBe(false);
  });
});
