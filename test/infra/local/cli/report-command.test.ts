import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextReportRun } from '../../../../infra/local/report-jobs.ts';
import { REPORTS } from '../../../../pipeline/reports/definitions.ts';
import { execFileAsync, WATTLAKE_BIN } from '../../../helpers/cli.ts';
import { openGoldenLake, type GoldenLake } from '../../../helpers/golden-lake.ts';
import { csvRows, xlsxRows } from '../../../helpers/report-files.ts';
import { expectRowsClose } from '../../../helpers/rows-close.ts';

let golden: GoldenLake;
let dir: string;
let lake: string;
beforeAll(async () => {
  golden = await openGoldenLake();
  dir = await mkdtemp(join(tmpdir(), 'wattlake-report-cli-'));
  // `report run` writes into the lake: a copy, since the golden lake is shared read-only.
  lake = join(dir, 'lake');
  await cp(golden.root, lake, { recursive: true });
});
afterAll(async () => {
  golden.close();
  await rm(dir, { recursive: true, force: true });
});

const wattlake = (...args: string[]) => execFileAsync(process.execPath, [WATTLAKE_BIN, ...args, '--lake', lake], { encoding: 'buffer' as const })
  .then(({ stdout, stderr }) => ({ stdout: stdout.toString(), stderr: stderr.toString(), bytes: new Uint8Array(stdout) }));
const failure = (...args: string[]) => wattlake(...args).then(() => null, (error: { code: number; stderr: Buffer }) => ({ code: error.code, stderr: error.stderr.toString() }));
const WEEK = { start_date: '2026-03-23', end_date: '2026-03-29' };
const MONDAY = '2026-03-30T06:00:00+02:00';
const exportsOf = async (report: string) => (await readdir(join(lake, 'exports', report)).catch(() => [])).sort();

describe('wattlake report list', () => {
  it('lists each report with its query, period, schedule and timezone, formats and next run', async () => {
    const { stdout } = await wattlake('report', 'list');
    for (const report of REPORTS) {
      const block = stdout.split('\n\n').find((b) => b.startsWith(`${report.name}: ${report.title}\n`));
      expect(block, report.name).toBeDefined();
      expect(block).toContain(`query:    ${report.query}`);
      expect(block).toContain(`period:   ${report.period} (local days in ${report.timezone})`);
      expect(block).toContain(`schedule: ${report.schedule} (${report.timezone})`);
      expect(block).toContain(`formats:  ${report.formats.join(', ')}`);
      expect(block).toContain(`(${nextReportRun(report)!.toISOString()})`);
    }
    expect(stdout).toContain('query:    consumption_anomalies z_threshold=3');
  });
});

describe('wattlake report run', () => {
  it('writes the report\'s formats into <lake>/exports/<report>/ for the period before --at', async () => {
    const { stdout } = await wattlake('report', 'run', 'weekly_data_completeness', '--at', MONDAY);
    const folder = join(lake, 'exports', 'weekly_data_completeness');
    expect(stdout).toMatch(/^weekly_data_completeness: 2026-03-23 to 2026-03-29 \(Europe\/Stockholm\), \d+ rows\n/);
    expect(stdout).toContain(`${folder}/weekly_data_completeness_2026-03-23_2026-03-29.xlsx (`);
    expect(await exportsOf('weekly_data_completeness')).toEqual(['weekly_data_completeness_2026-03-23_2026-03-29.csv', 'weekly_data_completeness_2026-03-23_2026-03-29.xlsx']);
    const expected = await golden.run('data_completeness', WEEK);
    expectRowsClose(csvRows('data_completeness', await readFile(join(folder, 'weekly_data_completeness_2026-03-23_2026-03-29.csv'))), expected);
  });

  it('writes one format with --format', async () => {
    await wattlake('report', 'run', 'daily_anomalies', '--at', '2026-02-11T07:00:00+01:00', '--format', 'parquet');
    expect(await exportsOf('daily_anomalies')).toEqual(['daily_anomalies_2026-02-10_2026-02-10.parquet']);
  });

  it('writes one file to --out instead of the lake, its format from the file name', async () => {
    const out = join(dir, 'march.xlsx');
    const { stdout } = await wattlake('report', 'run', 'monthly_consumption_cost', '--at', '2026-04-01T06:00:00+02:00', '--out', out);
    expect(stdout).toMatch(new RegExp(`^monthly_consumption_cost: 2026-03-01 to 2026-03-31 \\(Europe/Stockholm\\), 6 rows -> ${out} \\(\\d+ bytes\\)\\n$`));
    expect(await exportsOf('monthly_consumption_cost')).toEqual([]);
    const expected = await golden.run('time_of_use_cost', { start_date: '2026-03-01', end_date: '2026-03-31' });
    expectRowsClose((await xlsxRows('time_of_use_cost', await readFile(out), expected.length)).rows, expected);
  });

  it('prints CSV on standard output with --out -', async () => {
    const { bytes, stdout } = await wattlake('report', 'run', 'weekly_data_completeness', '--at', MONDAY, '--out', '-');
    expect(stdout.startsWith('site_id,device_id,day,readings,expected,completeness_pct,gaps,gap_minutes,last_seen\r\n')).toBe(true);
    expectRowsClose(csvRows('data_completeness', bytes), await golden.run('data_completeness', WEEK));
  });

  it('exits 1 naming the reports for an unknown report', async () => {
    expect(await failure('report', 'run', 'monthly_cost')).toEqual({
      code: 1, stderr: 'wattlake: unknown report "monthly_cost"; reports: monthly_consumption_cost, weekly_data_completeness, daily_anomalies\n',
    });
  });

  it('exits 1 for an unknown format, a time without a zone, or --out that cannot hold the format', async () => {
    const [format, at, stdoutXlsx, mismatch] = await Promise.all([
      failure('report', 'run', 'daily_anomalies', '--format', 'pdf'),
      failure('report', 'run', 'daily_anomalies', '--at', '2026-02-11 07:00'),
      failure('report', 'run', 'daily_anomalies', '--out', '-', '--format', 'xlsx'),
      failure('report', 'run', 'daily_anomalies', '--out', join(dir, 'x.csv'), '--format', 'parquet'),
    ]);
    expect(format).toMatchObject({ code: 1, stderr: expect.stringContaining("option '--format <format>' argument 'pdf' is invalid. must be one of csv, xlsx, parquet") });
    expect(at).toMatchObject({ code: 1, stderr: expect.stringContaining('must be an ISO-8601 time with Z or an offset') });
    expect(stdoutXlsx).toEqual({ code: 1, stderr: 'wattlake: --out - writes CSV to standard output; use --out FILE for xlsx or parquet\n' });
    expect(mismatch).toMatchObject({ code: 1, stderr: expect.stringContaining('--format parquet does not match the file name') });
    expect(await exportsOf('daily_anomalies').then((files) => files.filter((f) => f.endsWith('.csv')))).toEqual([]);
  });
});
