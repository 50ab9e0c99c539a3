import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { timeZoneProblem } from '../../../pipeline/reference/time-zone.ts';

describe('timeZoneProblem', () => {
  it.each(['Europe/Stockholm', 'America/New_York', 'UTC', 'Etc/UTC', 'Etc/GMT+5', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'Europe/Kyiv'])(
    'accepts the IANA name %s', (name) => {
      expect(timeZoneProblem(name)).toBeNull();
    });

  it.each(['Europe/Stokholm', 'CET+1', '+01:00', 'UTC+1', '', 'Stockholm'])('refuses %j, which names no IANA zone', (name) => {
    expect(timeZoneProblem(name)).toMatch(/not an IANA time zone/);
  });

  it.each([['europe/stockholm', 'Europe/Stockholm'], ['utc', 'UTC'], ['AMERICA/NEW_YORK', 'America/New_York']])(
    'refuses %s, spelled differently from the database (Athena matches names exactly), and names %s', (name, spelling) => {
      expect(timeZoneProblem(name)).toBe(`must be spelled as in the IANA database: ${spelling}`);
    });

  describe('against DuckDB, which evaluates AT TIME ZONE locally', () => {
    let duckdb: DuckDBInstance;
    beforeAll(async () => { duckdb = await openDuckDb(); });
    afterAll(() => duckdb.closeSync());

    it('accepts only names that DuckDB knows', async () => {
      const connection = await duckdb.connect();
      const known = new Set((await connection.runAndReadAll('SELECT name FROM pg_timezone_names()')).getRows().map((r) => String(r[0])));
      connection.closeSync();
      const accepted = [...Intl.supportedValuesOf('timeZone'), 'UTC', 'Asia/Kolkata', 'Europe/Kyiv', 'Etc/UTC', 'Etc/GMT+5', 'US/Eastern'].filter((z) => timeZoneProblem(z) === null);
      expect(accepted.length).toBeGreaterThan(400);
      expect(accepted.filter((z) => !known.has(z))).toEqual([]);
    });
  });
});
