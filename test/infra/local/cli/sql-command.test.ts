import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, type GoldenLake } from '../../../helpers/golden-lake.ts';
import { execFileAsync, WATTLAKE_BIN } from '../../../helpers/cli.ts';


let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

const wattlake = (...args: string[]) => execFileAsync(process.execPath, [WATTLAKE_BIN, ...args, '--lake', golden.root]);

describe('wattlake sql', () => {
  it('runs Athena SQL on the lake with Trino meanings (date_diff counts whole days)', async () => {
    const { stdout } = await wattlake('sql', `SELECT count(*) AS readings, date_diff('day', TIMESTAMP '2026-01-01 23:00:00', TIMESTAMP '2026-01-02 01:00:00') AS days,
      7 / 2 AS half FROM readings_unique`, '--format', 'json');
    expect(JSON.parse(stdout)).toEqual([{ readings: golden.reference.unique.length, days: 0, half: 3 }]);
  });

  it('exits 1 explaining the portable spelling when the SQL uses AT TIME ZONE', async () => {
    const failure = await wattlake('sql', "SELECT ts AT TIME ZONE 'Europe/Stockholm' FROM readings").then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining("write at_timezone(with_timezone(ts, 'UTC'), zone)") });
  });
});
