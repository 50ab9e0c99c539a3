import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { formatResult } from '../../../../infra/local/cli/result-format.ts';
import type { QueryResult } from '../../../../pipeline/query/lake-sql.ts';

const result: QueryResult = {
  columns: ['site_id', 'band', 'kwh'],
  types: ['VARCHAR', 'VARCHAR', 'DOUBLE'],
  rows: [
    { site_id: 'site-sto', band: 'peak, "weekday"\nonly', kwh: 12.3456 },
    { site_id: 'site-lab', band: null, kwh: 8 },
  ],
};

describe('formatResult', () => {
  it('aligns a table: text left, numbers right at 3 decimals, NULL empty, with a row count', () => {
    expect(formatResult({ ...result, rows: [{ site_id: 'site-sto', band: 'peak', kwh: 12.3456 }, { site_id: 'site-lab', band: null, kwh: 8 }] }, 'table')).toBe([
      'site_id   band     kwh',
      '--------  ----  ------',
      'site-sto  peak  12.346',
      'site-lab             8',
      '(2 rows)',
    ].join('\n'));
  });

  it('writes CSV that an RFC 4180 reader gives back exactly, NULL as an empty field', () => {
    const csv = formatResult(result, 'csv');
    expect(csv.split('\r\n')[0]).toBe('site_id,band,kwh');
    expect(parse(csv)).toEqual([['site_id', 'band', 'kwh'], ['site-sto', 'peak, "weekday"\nonly', '12.3456'], ['site-lab', '', '8']]);
  });

  it('writes JSON as an array of row objects with full precision', () => {
    expect(JSON.parse(formatResult(result, 'json'))).toEqual(result.rows);
  });
});
