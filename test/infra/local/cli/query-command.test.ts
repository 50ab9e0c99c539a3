import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, type GoldenLake } from '../../../helpers/golden-lake.ts';
import { execFileAsync, WATTLAKE_BIN } from '../../../helpers/cli.ts';
import { expectRowsClose } from '../../../helpers/rows-close.ts';
import type { PlainRow } from '../../../../pipeline/query/rows.ts';


let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

const wattlake = (...args: string[]) => execFileAsync(process.execPath, [WATTLAKE_BIN, ...args, '--lake', golden.root]);
const failure = (...args: string[]) => wattlake(...args).then(() => null, (error: { code: number; stderr: string }) => error);
const HAND_DAYS = ['daily_consumption', '--param', 'start_date=2026-03-28', '--param', 'end_date=2026-03-29', '--param', 'site_id=site-sto'];

describe('wattlake query', () => {
  it('prints an aligned table by default', async () => {
    const { stdout } = await wattlake('query', ...HAND_DAYS);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^site_id\s+device_id\s+day\s+kwh$/);
    expect(lines).toContain('site-sto  sto-hand-m  2026-03-28       13');
    expect(lines.at(-1)).toBe('(6 rows)');
  });

  it('prints JSON as an array of row objects, the same rows the query gives', async () => {
    const { stdout } = await wattlake('query', ...HAND_DAYS, '--format', 'json');
    // Same rows; kwh to the golden tests' 1e-9 relative tolerance (DuckDB's parallel sums may differ in the last bits between runs).
    expectRowsClose(JSON.parse(stdout) as PlainRow[], await golden.run('daily_consumption', { start_date: '2026-03-28', end_date: '2026-03-29', site_id: 'site-sto' }));
  });

  it('prints RFC 4180 CSV with a header row and CRLF line ends', async () => {
    const { stdout } = await wattlake('query', 'peak_demand', '--param', 'start_date=2026-03-01', '--param', 'end_date=2026-03-31', '--format', 'csv');
    expect(stdout).toMatch(/^site_id,month,peak_kw,peak_slot_start_local,peak_slot_start_utc,contracted_capacity_kw,capacity_used_pct,exceeds_capacity\r\n/);
    const records = parse(stdout, { columns: true }) as Record<string, string>[];
    const rows = await golden.run('peak_demand', { start_date: '2026-03-01', end_date: '2026-03-31' });
    expect(records.map((r) => [r.site_id, Number(r.peak_kw), r.contracted_capacity_kw])).toEqual(rows.map((r) => [r.site_id, r.peak_kw, r.contracted_capacity_kw === null ? '' : String(r.contracted_capacity_kw)]));
  });

  it('exits 1 with the list of queries for an unknown name', async () => {
    expect(await failure('query', 'daily_usage')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^wattlake: unknown query "daily_usage"; named queries: baseload, .*top_consumers(, [a-z_]+)*\n$/) });
  });

  it('exits 1 naming the parameter for a value of the wrong type, an unknown parameter or a missing one', async () => {
    expect(await failure('query', 'daily_consumption', '--param', 'start_date=yesterday', '--param', 'end_date=2026-03-01'))
      .toMatchObject({ code: 1, stderr: 'wattlake: query daily_consumption: parameter start_date must be a date YYYY-MM-DD, got "yesterday"\n' });
    expect(await failure('query', 'daily_consumption', '--param', 'site=x'))
      .toMatchObject({ code: 1, stderr: 'wattlake: query daily_consumption has no parameter "site" (parameters: start_date, end_date, site_id)\n' });
    expect(await failure('query', 'daily_consumption', '--param', 'start_date=2026-03-01'))
      .toMatchObject({ code: 1, stderr: expect.stringContaining('missing required parameter end_date') });
  });
});
