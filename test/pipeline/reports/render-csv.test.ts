import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { renderCsv } from '../../../pipeline/reports/render-csv.ts';
import { fixtureTable, queryFixture } from '../../helpers/report-fixtures.ts';

const text = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

describe('renderCsv', () => {
  it('writes a header row and one record per row, with CRLF line ends', () => {
    const csv = text(renderCsv(fixtureTable('data_completeness-2026-03-28', 'weekly_data_completeness')));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('site_id,device_id,day,readings,expected,completeness_pct,gaps,gap_minutes,last_seen');
    expect(lines).toHaveLength(1 + 8 + 1); // header, rows, and the empty string after the final CRLF
    expect(lines.at(-1)).toBe('');
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  });

  it('writes numbers in full, dates as YYYY-MM-DD, timestamps as ISO-8601 UTC and NULL as an empty field', () => {
    const fixture = queryFixture('data_completeness-2026-03-28');
    const records = parse(text(renderCsv(fixtureTable('data_completeness-2026-03-28', 'weekly_data_completeness'))), { columns: true }) as Record<string, string>[];
    expect(records).toEqual(fixture.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : String(v)]))));
    expect(records[2]).toMatchObject({ day: '2026-03-28', expected: '2.181818', completeness_pct: '137.5', last_seen: '2026-03-28T21:00:00.000Z' });
    expect(records[0]!.last_seen).toBe('');
  });

  it('quotes fields with commas, quotes, and lone CR or LF (RFC 4180), so a CSV reader gets them back', () => {
    const table = fixtureTable('time_of_use_cost-2026-03', 'monthly_consumption_cost');
    const awkward = ['peak, winter', 'say "peak"', 'two\nlines', 'old\rmac', 'plain'];
    table.rows = awkward.map((band, i) => ['site-sto', '2026-03-01', band, 'SEK', i + 0.5, null]);
    const csv = text(renderCsv(table));
    expect(csv).toContain('"peak, winter"');
    expect(csv).toContain('"say ""peak"""');
    expect(csv).toContain('"two\nlines"');
    expect(csv).toContain('"old\rmac"');
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(records.map((r) => r.band)).toEqual(awkward);
    expect(records.map((r) => r.kwh)).toEqual(['0.5', '1.5', '2.5', '3.5', '4.5']);
  });

  it('writes the header alone for a period without rows', () => {
    const table = fixtureTable('time_of_use_cost-2026-03', 'monthly_consumption_cost');
    table.rows = [];
    expect(text(renderCsv(table))).toBe('site_id,month,band,currency,kwh,cost\r\n');
  });
});
