// The compatibility layer, function by function: Trino expressions with the result Trino gives
// (quoted from the Trino documentation, or derived from its stated semantics with Athena's UTC
// session zone), evaluated on DuckDB through the layer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDb, type DuckDBConnection } from '../../../pipeline/query/duckdb.ts';
import { plainRows, type PlainValue } from '../../../pipeline/query/rows.ts';
import { installTrinoCompat, installTrinoFunctions, toDuckDbSql, TrinoCompatError } from '../../../pipeline/query/trino-compat.ts';

let duckdb: DuckDBInstance;
let trino: DuckDBConnection;
beforeAll(async () => {
  duckdb = await openDuckDb();
  trino = await duckdb.connect();
  await installTrinoCompat(trino);
});
afterAll(() => {
  trino.closeSync();
  duckdb.closeSync();
});

/** A value as Trino prints it: timestamps 'YYYY-MM-DD HH:MM:SS.sss', arrays '[1, 2]', NULL. */
function asTrinoPrints(value: PlainValue): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return `[${value.map(asTrinoPrints).join(', ')}]`;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) return value.replace('T', ' ').replace('Z', '');
  return String(value);
}

async function evaluate(connection: DuckDBConnection, expression: string): Promise<PlainValue> {
  const [row] = plainRows(await connection.runAndReadAll(toDuckDbSql(`SELECT ${expression} AS v`)));
  return row!.v!;
}

// [Trino expression, what Trino returns, where that comes from]
const TRINO_RESULTS: [string, string, string][] = [
  ["date_diff('second', TIMESTAMP '2020-03-01 00:00:00', TIMESTAMP '2020-03-02 00:00:00')", '86400', 'docs'],
  ["date_diff('day', DATE '2020-03-01', DATE '2020-03-02')", '1', 'docs'],
  ["date_diff('millisecond', TIMESTAMP '2020-06-01 12:30:45.000', TIMESTAMP '2020-06-02 12:30:45.123')", '86400123', 'docs (at millisecond precision)'],
  ["date_diff('day', TIMESTAMP '2026-01-01 23:00:00', TIMESTAMP '2026-01-02 01:00:00')", '0', 'whole days elapsed (DuckDB alone: 1)'],
  ["date_diff('hour', TIMESTAMP '2026-01-01 10:59:00', TIMESTAMP '2026-01-01 11:01:00')", '0', 'whole hours elapsed (DuckDB alone: 1)'],
  ["date_add('second', 86, TIMESTAMP '2020-03-01 00:00:00')", '2020-03-01 00:01:26.000', 'docs'],
  ["date_add('hour', 9, TIMESTAMP '2020-03-01 00:00:00')", '2020-03-01 09:00:00.000', 'docs'],
  ["date_add('day', -1, TIMESTAMP '2020-03-01 00:00:00')", '2020-02-29 00:00:00.000', 'docs'],
  ["date_add('month', 1, TIMESTAMP '2012-10-31 01:00')", '2012-11-30 01:00:00.000', 'docs: + interval month clips to the month end'],
  ["TIMESTAMP '2012-10-31 01:00' + INTERVAL '1' MONTH", '2012-11-30 01:00:00.000', 'docs'],
  ["TIMESTAMP '2012-08-08 01:00' - INTERVAL '29' HOUR", '2012-08-06 20:00:00.000', 'docs'],
  ["to_unixtime(with_timezone(TIMESTAMP '2022-11-01 09:08:07.321', 'America/Los_Angeles'))", '1667318887.321', 'docs: 2022-11-01 09:08:07.321 America/Los_Angeles'],
  ["CAST(at_timezone(TIMESTAMP '2022-11-01 09:08:07.321', 'America/Los_Angeles') AS timestamp)", '2022-11-01 02:08:07.321', 'docs, with the UTC session zone'],
  ["CAST(at_timezone(with_timezone(TIMESTAMP '2026-03-29 00:59:59.999', 'UTC'), 'Europe/Stockholm') AS timestamp)", '2026-03-29 01:59:59.999', 'CET before the change'],
  ["CAST(at_timezone(with_timezone(TIMESTAMP '2026-03-29 01:00:00', 'UTC'), 'Europe/Stockholm') AS timestamp)", '2026-03-29 03:00:00.000', 'CEST from 01:00 UTC'],
  ["CAST(at_timezone(with_timezone(TIMESTAMP '2026-11-01 05:30:00', 'UTC'), 'America/New_York') AS timestamp)", '2026-11-01 01:30:00.000', 'EDT: the first 01:30'],
  ["CAST(at_timezone(with_timezone(TIMESTAMP '2026-11-01 06:30:00', 'UTC'), 'America/New_York') AS timestamp)", '2026-11-01 01:30:00.000', 'EST: the second 01:30'],
  ["hour(at_timezone(with_timezone(TIMESTAMP '2026-03-08 07:00:00', 'UTC'), 'America/New_York'))", '3', 'EDT from 07:00 UTC: 02:00 is skipped'],
  ["date_diff('millisecond', CAST(at_timezone(with_timezone(CAST(DATE '2026-03-29' AS timestamp), 'Europe/Stockholm'), 'UTC') AS timestamp), CAST(at_timezone(with_timezone(CAST(DATE '2026-03-29' + INTERVAL '1' DAY AS timestamp), 'Europe/Stockholm'), 'UTC') AS timestamp))", String(23 * 3_600_000), 'a 23-hour local day (data_completeness)'],
  ["date_trunc('hour', TIMESTAMP '2026-03-29 01:37:12.345') + (minute(TIMESTAMP '2026-03-29 01:37:12.345') - minute(TIMESTAMP '2026-03-29 01:37:12.345') % 15) * INTERVAL '1' MINUTE", '2026-03-29 01:30:00.000', 'the slot of an instant (interval_slots)'],
  ["CAST(date_trunc('month', DATE '2026-03-15') AS date)", '2026-03-01', 'docs: date_trunc keeps the type; the CAST makes DuckDB agree'],
  ["CAST(DATE '2012-08-08' - INTERVAL '2' DAY AS date)", '2012-08-06', 'docs: date - interval is a date; DuckDB needs the CAST'],
  ['from_iso8601_date(\'2020-05-11\')', '2020-05-11', 'docs'],
  ["to_unixtime(from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00'))", '1589192105.055', 'docs: 2020-05-11 11:15:05.055 +01:00'],
  ["to_unixtime(TIMESTAMP '1970-01-01 00:00:01.500')", '1.5', 'UTC session zone'],
  ["CAST(from_unixtime(0, 'Europe/Stockholm') AS timestamp)", '1970-01-01 01:00:00.000', 'the epoch in Stockholm'],
  ["day_of_week(DATE '2026-03-29')", '7', 'docs: ISO, Sunday = 7'],
  ["dow(DATE '2026-03-29')", '7', 'docs: dow is day_of_week (DuckDB has only dayofweek, Sunday = 0)'],
  ["day_of_year(DATE '2026-02-01')", '32', 'docs'],
  ["day_of_month(DATE '2026-02-01')", '1', 'docs'],
  ["year_of_week(DATE '2021-01-01')", '2020', 'docs: ISO week-numbering year'],
  ["last_day_of_month(DATE '2026-02-10')", '2026-02-28', 'docs'],
  ['7 / 2', '3', 'integer division'],
  ['-7 / 2', '-3', 'integer division truncates toward zero'],
  ['7 / 2e0', '3.5', 'double division'],
  ['element_at(ARRAY[1, 2, 3], 2)', '2', 'docs'],
  ['element_at(ARRAY[1, 2, 3], -1)', '3', 'docs: negative index counts from the end'],
  ['element_at(ARRAY[1, 2, 3], 5)', 'NULL', 'docs: NULL beyond the end'],
  ["element_at(MAP(ARRAY['a', 'b'], ARRAY[1, 2]), 'b')", '2', 'docs: the value for the key'],
  ["element_at(MAP(ARRAY['a'], ARRAY[1]), 'z')", 'NULL', 'docs: NULL for a missing key'],
  ['cardinality(ARRAY[1, 2])', '2', 'docs'],
  ["regexp_like('1a 2b 14m', '\\d+b')", 'true', 'docs'],
  ["json_extract_scalar('[1, 2, 3]', '$[2]')", '3', 'docs'],
  ["json_extract_scalar('{\"ts\": \"2026-03-29T01:00:00Z\"}', '$.ts')", '2026-03-29T01:00:00Z', 'docs'],
  ['sequence(1, 5)', '[1, 2, 3, 4, 5]', 'docs'],
  ["cardinality(sequence(TIMESTAMP '2026-03-29 00:00', TIMESTAMP '2026-03-29 01:00', INTERVAL '15' MINUTE))", '5', 'docs: both ends included'],
  ['(SELECT approx_percentile(x, 0.5) FROM (VALUES (4), (4), (4)) t(x))', '4', 'any sketch is exact on a constant'],
  ['(SELECT approx_distinct(x) FROM (VALUES (1), (2), (2)) t(x))', '2', 'exact on tiny sets'],
];

describe('Trino functions on DuckDB through the layer', () => {
  it.each(TRINO_RESULTS)('%s is %s (%s)', async (expression, trinoResult) => {
    expect(asTrinoPrints(await evaluate(trino, expression))).toBe(trinoResult);
  });
});

describe('installTrinoFunctions (what the catalog installs on every connection)', () => {
  it("adds Trino's functions without changing DuckDB's own: dayofweek, date_diff and / keep their DuckDB meaning", async () => {
    const native = await duckdb.connect();
    try {
      await installTrinoFunctions(native);
      expect(await evaluate(native, "day_of_week(DATE '2026-03-29')")).toBe(7);
      expect(await evaluate(native, "dayofweek(DATE '2026-03-29')")).toBe(0);
      expect(await evaluate(native, "date_diff('day', TIMESTAMP '2026-01-01 23:00:00', TIMESTAMP '2026-01-02 01:00:00')")).toBe(1);
      expect(await evaluate(native, '7 / 2')).toBe(3.5);
    } finally {
      native.closeSync();
    }
  });

  it('keeps the macros on their connection: another connection does not see them', async () => {
    const other = await duckdb.connect();
    try {
      await expect(evaluate(other, "with_timezone(TIMESTAMP '2026-01-01 00:00:00', 'UTC')")).rejects.toThrow(/with_timezone/);
    } finally {
      other.closeSync();
    }
  });
});

describe('toDuckDbSql', () => {
  it('passes Trino text through unchanged', () => {
    const sql = "SELECT date_diff('day', a, b) FROM t WHERE s = 'it''s'";
    expect(toDuckDbSql(sql)).toBe(sql);
  });

  it('refuses AT TIME ZONE, whose meaning differs, and says what to write instead', () => {
    expect(() => toDuckDbSql("SELECT ts AT TIME ZONE 'Europe/Stockholm' FROM readings")).toThrow(TrinoCompatError);
    expect(() => toDuckDbSql("SELECT ts at  time\nzone 'UTC' FROM readings")).toThrow(/at_timezone\(with_timezone\(ts, 'UTC'\), zone\)/);
  });

  it('does not mistake AT TIME ZONE in a string, an identifier or a comment for the operator', () => {
    const sql = `SELECT 'at time zone' AS "at time zone" -- AT TIME ZONE
      /* at time zone */ FROM t`;
    expect(toDuckDbSql(sql)).toBe(sql);
  });
});
