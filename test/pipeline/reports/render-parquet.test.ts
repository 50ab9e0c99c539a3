import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import { renderParquet } from '../../../pipeline/reports/render-parquet.ts';
import { fixtureTable, queryFixture } from '../../helpers/report-fixtures.ts';

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

describe('renderParquet', () => {
  it('types each column from the query header, timestamps as TIMESTAMP(MILLIS) like the lake', async () => {
    const bytes = await renderParquet(fixtureTable('data_completeness-2026-03-28', 'weekly_data_completeness'));
    const leaves = parquetMetadata(buffer(bytes)).schema.slice(1);
    // DuckDB annotates strings, dates and integers the Parquet 1.0 way (converted types UTF8, DATE, INT_64).
    const spelled = Object.fromEntries(leaves.map((e) => {
      const logical = e.logical_type as { type: string; unit?: string } | undefined;
      const annotation = logical ? (logical.type === 'TIMESTAMP' ? `TIMESTAMP(${logical.unit})` : logical.type) : e.converted_type === 'UTF8' ? 'STRING' : e.converted_type;
      return [e.name, annotation ? `${e.type} ${annotation}` : e.type];
    }));
    expect(spelled).toEqual({
      site_id: 'BYTE_ARRAY STRING',
      device_id: 'BYTE_ARRAY STRING',
      day: 'INT32 DATE',
      readings: 'INT64 INT_64',
      expected: 'DOUBLE',
      completeness_pct: 'DOUBLE',
      gaps: 'INT64 INT_64',
      gap_minutes: 'DOUBLE',
      last_seen: 'INT64 TIMESTAMP(MILLIS)',
    });
  });

  it('holds the rows as the query gave them, NULL included (read back with an independent reader)', async () => {
    const fixture = queryFixture('data_completeness-2026-03-28');
    const bytes = await renderParquet(fixtureTable('data_completeness-2026-03-28', 'weekly_data_completeness'));
    const rows = await parquetReadObjects({ file: buffer(bytes), compressors });
    expect(rows).toEqual(fixture.rows.map((r) => ({
      ...r,
      day: new Date(`${r.day as string}T00:00:00Z`),
      readings: BigInt(r.readings as number),
      gaps: BigInt(r.gaps as number),
      last_seen: r.last_seen === null ? null : new Date(r.last_seen as string),
    })));
  });

  it('keeps text as data, never as SQL: quotes, semicolons and NULL bands survive', async () => {
    const table = fixtureTable('time_of_use_cost-2026-03', 'monthly_consumption_cost');
    const bands = ["peak'); DROP TABLE report_rows; --", 'say "peak"', null];
    table.rows = bands.map((band, i) => ['site-sto', '2026-03-01', band, 'SEK', i + 0.25, i * 2]);
    const rows = await parquetReadObjects({ file: buffer(await renderParquet(table)), compressors });
    expect(rows.map((r) => r.band)).toEqual(bands);
    expect(rows.map((r) => r.kwh)).toEqual([0.25, 1.25, 2.25]);
  });

  it('writes a valid file with the columns and no rows for an empty period', async () => {
    const table = fixtureTable('time_of_use_cost-2026-03', 'monthly_consumption_cost');
    table.rows = [];
    const metadata = parquetMetadata(buffer(await renderParquet(table)));
    expect(Number(metadata.num_rows)).toBe(0);
    expect(parquetSchema(metadata).children.map((c) => c.element.name)).toEqual(['site_id', 'month', 'band', 'currency', 'kwh', 'cost']);
  });
});
