import type ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { columnLetter, renderXlsx } from '../../../pipeline/reports/render-xlsx.ts';
import { fixtureTable, queryFixture } from '../../helpers/report-fixtures.ts';
import { readXlsx, sheetRows } from '../../helpers/xlsx.ts';

const completeness = () => fixtureTable('data_completeness-2026-03-28', 'weekly_data_completeness', new Date('2026-03-30T04:00:00Z'));
const cost = () => fixtureTable('time_of_use_cost-2026-03', 'monthly_consumption_cost');
const formula = (value: ExcelJS.CellValue) => value as ExcelJS.CellFormulaValue;
const sum = (values: unknown[]): number => values.reduce<number>((a, v) => a + (typeof v === 'number' ? v : 0), 0);

describe('renderXlsx: the data sheet', () => {
  it('has a bold header row, frozen in place, with an autofilter over header and data', async () => {
    const workbook = await readXlsx(await renderXlsx(completeness()));
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('weekly_data_completeness');
    expect(sheetRows(sheet)[0]).toEqual(['site_id', 'device_id', 'day', 'readings', 'expected', 'completeness_pct', 'gaps', 'gap_minutes', 'last_seen']);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1, topLeftCell: 'A2' });
    expect(sheet.autoFilter).toBe('A1:I9');
  });

  it('writes numbers as numbers with number formats, dates and UTC timestamps as Excel dates', async () => {
    const fixture = queryFixture('data_completeness-2026-03-28');
    const sheet = (await readXlsx(await renderXlsx(completeness()))).worksheets[0]!;
    const row = sheet.getRow(4); // sto-hand-m, 28 March
    expect(row.getCell('C').value).toEqual(new Date('2026-03-28T00:00:00Z'));
    expect(row.getCell('C').numFmt).toBe('yyyy-mm-dd');
    expect(row.getCell('D').value).toBe(3);
    expect(row.getCell('D').numFmt).toBe('#,##0');
    expect(row.getCell('E').value).toBe(2.181818);
    expect(row.getCell('E').numFmt).toBe('#,##0.000');
    expect(row.getCell('F').numFmt).toBe('#,##0.0');
    expect(row.getCell('I').value).toEqual(new Date('2026-03-28T21:00:00Z'));
    expect(row.getCell('I').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    // Every data cell as the query gave it; NULL as an empty cell.
    const data = sheetRows(sheet, 2).slice(0, fixture.rows.length);
    expect(data).toEqual(fixture.rows.map((r) => [
      r.site_id, r.device_id, new Date(`${r.day as string}T00:00:00Z`), r.readings, r.expected, r.completeness_pct, r.gaps, r.gap_minutes,
      r.last_seen === null ? null : new Date(r.last_seen as string),
    ]));
  });

  it('ends with a totals row: SUM formulas over exactly the data rows, with their results cached', async () => {
    const fixture = queryFixture('data_completeness-2026-03-28');
    const sheet = (await readXlsx(await renderXlsx(completeness()))).worksheets[0]!;
    expect(sheet.rowCount).toBe(10);
    const totals = sheet.getRow(10);
    expect(totals.getCell('A').value).toBe('Total');
    expect(totals.getCell('A').font?.bold).toBe(true);
    for (const [letter, column] of [['D', 'readings'], ['E', 'expected'], ['G', 'gaps'], ['H', 'gap_minutes']] as const) {
      expect(formula(totals.getCell(letter).value)).toEqual({ formula: `SUM(${letter}2:${letter}9)`, result: sum(fixture.rows.map((r) => r[column])) });
    }
    expect(formula(totals.getCell('D').value).result).toBe(460);
    // Not a totals column: empty.
    expect(totals.getCell('F').value).toBeNull();
  });

  it('totals money per currency when currencies are mixed, and energy over all rows', async () => {
    const fixture = queryFixture('time_of_use_cost-2026-03');
    const sheet = (await readXlsx(await renderXlsx(cost()))).worksheets[0]!;
    const [total, sek, usd] = [8, 9, 10].map((r) => sheet.getRow(r));
    const kwhOf = (currency?: string) => sum(fixture.rows.filter((r) => currency === undefined || r.currency === currency).map((r) => r.kwh));
    const costOf = (currency: string) => sum(fixture.rows.filter((r) => r.currency === currency).map((r) => r.cost));
    expect(total!.getCell('A').value).toBe('Total');
    expect(formula(total!.getCell('E').value)).toEqual({ formula: 'SUM(E2:E7)', result: kwhOf() });
    expect(total!.getCell('F').value).toBeNull(); // SEK + USD has no meaning
    expect(sek!.getCell('A').value).toBe('Total SEK');
    expect(formula(sek!.getCell('E').value)).toEqual({ formula: 'SUMIFS(E2:E7,D2:D7,"SEK")', result: kwhOf('SEK') });
    expect(formula(sek!.getCell('F').value)).toEqual({ formula: 'SUMIFS(F2:F7,D2:D7,"SEK")', result: costOf('SEK') });
    expect(usd!.getCell('A').value).toBe('Total USD');
    expect(formula(usd!.getCell('F').value)).toEqual({ formula: 'SUMIFS(F2:F7,D2:D7,"USD")', result: costOf('USD') });
    expect(sheet.getRow(2).getCell('F').numFmt).toBe('#,##0.00');
  });

  it('totals money in one currency in the Total row', async () => {
    const table = cost();
    table.rows = table.rows.filter((row) => row[3] === 'SEK');
    const sheet = (await readXlsx(await renderXlsx(table))).worksheets[0]!;
    expect(sheet.rowCount).toBe(5);
    expect(formula(sheet.getRow(5).getCell('F').value)).toEqual({ formula: 'SUM(F2:F4)', result: sum(table.rows.map((r) => r[5])) });
  });

  it('writes zero totals without formulas for a period without rows, and no totals row for a report without totals', async () => {
    const empty = completeness();
    empty.rows = [];
    const sheet = (await readXlsx(await renderXlsx(empty))).worksheets[0]!;
    expect(sheetRows(sheet)).toEqual([
      ['site_id', 'device_id', 'day', 'readings', 'expected', 'completeness_pct', 'gaps', 'gap_minutes', 'last_seen'],
      ['Total', null, null, 0, 0, null, 0, 0, null],
    ]);
    const noTotals = completeness();
    noTotals.report = { ...noTotals.report, totals: [] };
    expect((await readXlsx(await renderXlsx(noTotals))).worksheets[0]!.rowCount).toBe(9);
  });

  it('fits column widths to the longest shown value', async () => {
    const sheet = (await readXlsx(await renderXlsx(completeness()))).worksheets[0]!;
    expect(sheet.getColumn('B').width).toBe('sto-hand-m'.length + 2);
    expect(sheet.getColumn('I').width).toBe('yyyy-mm-dd hh:mm:ss'.length + 2);
    expect(sheet.getColumn('F').width).toBe('completeness_pct'.length + 2);
  });
});

describe('renderXlsx: what the workbook says about itself', () => {
  it('carries the title and period in the workbook properties', async () => {
    const workbook = await readXlsx(await renderXlsx(cost()));
    expect(workbook.title).toBe('Monthly consumption and cost per site');
    expect(workbook.subject).toBe('2026-03-01 to 2026-03-31');
    expect(workbook.creator).toBe('wattlake');
  });

  it('explains the report, its period, parameters and columns on an About sheet', async () => {
    const about = (await readXlsx(await renderXlsx(completeness()))).getWorksheet('About')!;
    const rows = sheetRows(about);
    expect(rows).toContainEqual(['Report', 'Weekly data completeness', null]);
    expect(rows).toContainEqual(['Period', '2026-03-28 to 2026-03-29 (local days in Europe/Stockholm, inclusive)', null]);
    expect(rows).toContainEqual(['Query', 'data_completeness', null]);
    expect(rows).toContainEqual(['Run at', '2026-03-30T04:00:00.000Z', null]);
    expect(rows).toContainEqual(['last_seen', 'timestamp(3)', 'the day\'s last reading, UTC (NULL when none)']);
  });
});

describe('columnLetter', () => {
  it('counts A..Z, then AA', () => {
    expect([1, 9, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'I', 'Z', 'AA', 'AZ', 'AAA']);
  });
});
