import { describe, expect, it } from 'vitest';
import { getNamedQuery, loadNamedQueries } from '../../../pipeline/query/named-queries.ts';
import type { PlainRow } from '../../../pipeline/query/rows.ts';
import { getReport } from '../../../pipeline/reports/definitions.ts';
import { cellKind, ReportDataError, reportTable } from '../../../pipeline/reports/report-table.ts';
import { queryFixture } from '../../helpers/report-fixtures.ts';

const completeness = queryFixture('data_completeness-2026-03-28');
const header = getNamedQuery('data_completeness').columns;
const names = header.map((c) => c.name);
const table = (rows: PlainRow[], columns = names) => reportTable({
  report: getReport('weekly_data_completeness'), period: { start_date: '2026-03-28', end_date: '2026-03-29' },
  runAt: new Date('2026-03-30T04:00:00Z'), params: completeness.params, header, result: { columns, rows },
});

/** A row as Athena's GetQueryResults gives it: every value as text, NULL missing, timestamps `YYYY-MM-DD hh:mm:ss.sss`. */
const athenaText = (row: PlainRow): PlainRow => Object.fromEntries(Object.entries(row)
  .filter(([, v]) => v !== null)
  .map(([k, v]) => [k, typeof v === 'string' && /T.*Z$/.test(v) ? v.replace('T', ' ').replace('Z', '') : String(v)]));

describe('reportTable', () => {
  it('types each cell by the query header: dates as YYYY-MM-DD, timestamps as epoch ms, counts and measures as numbers', () => {
    const { rows, columns } = table(completeness.rows);
    expect(columns.map((c) => c.kind)).toEqual(['text', 'text', 'date', 'integer', 'number', 'number', 'integer', 'number', 'timestamp']);
    expect(rows[2]).toEqual(['site-sto', 'sto-hand-m', '2026-03-28', 3, 2.181818, 137.5, 0, 0, Date.parse('2026-03-28T21:00:00Z')]);
    expect(rows[0]!.at(-1)).toBeNull();
  });

  it('gives the same cells for Athena\'s all-text rows as for DuckDB\'s typed rows', () => {
    expect(table(completeness.rows.map(athenaText)).rows).toEqual(table(completeness.rows).rows);
  });

  it('refuses a result whose columns differ from the header', () => {
    expect(() => table(completeness.rows, [...names].reverse())).toThrow(ReportDataError);
    expect(() => table(completeness.rows, names.slice(1))).toThrow(/returned columns \[device_id, .*\], its header lists \[site_id, /);
  });

  it('names the row and column of a value that does not fit its type', () => {
    const bad = completeness.rows.map((row, i) => (i === 4 ? { ...row, readings: 'many' } : row));
    expect(() => table(bad)).toThrow('query data_completeness, row 5, column readings (bigint): unexpected value "many"');
    expect(() => table([{ ...completeness.rows[0]!, expected: 'NaN' }])).toThrow(/column expected \(double\)/);
    expect(() => table([{ ...completeness.rows[0]!, readings: '9007199254740993' }])).toThrow(/column readings/);
    expect(() => table([{ ...completeness.rows[0]!, day: '2026-02-30' }])).toThrow(/column day/);
    expect(() => table([{ ...completeness.rows[0]!, last_seen: 'yesterday' }])).toThrow(/column last_seen/);
  });

  it('supports the column types of every named query, so any query can be a report', () => {
    for (const query of loadNamedQueries()) for (const column of query.columns) expect(() => cellKind(column.type)).not.toThrow();
    expect(() => cellKind('array(varchar)')).toThrow(ReportDataError);
  });
});
