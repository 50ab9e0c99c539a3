// The twin's report schedule: one job per report at the definition's cron and timezone, whose
// run at the scheduled time writes that period's files, never touching an earlier period's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextReportRun, reportJobs } from '../../../infra/local/report-jobs.ts';
import { startScheduler } from '../../../infra/local/scheduler.ts';
import { getReport, REPORTS } from '../../../pipeline/reports/definitions.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import { openGoldenLake, type GoldenLake } from '../../helpers/golden-lake.ts';

const silent = pino({ level: 'silent' });
let golden: GoldenLake;
let dir: string;
beforeAll(async () => {
  golden = await openGoldenLake();
  dir = await mkdtemp(join(tmpdir(), 'wattlake-report-jobs-'));
});
afterAll(async () => {
  golden.close();
  await rm(dir, { recursive: true, force: true });
});

/** The golden lake is shared read-only: queries read it, files go to a store of the test's own. */
const jobsInto = (store: FolderStore, logger = silent) => reportJobs({ duckdb: golden.duckdb, store, lake: golden.root, logger });
const jobOf = (store: FolderStore, name: string, logger = silent) => jobsInto(store, logger).find((j) => j.name === `report:${name}`)!;

describe('nextReportRun', () => {
  it('follows each definition\'s cron in its own timezone, across daylight saving', () => {
    // 06:00 on the 1st in Stockholm: CEST (UTC+2) in April.
    expect(nextReportRun(getReport('monthly_consumption_cost'), new Date('2026-03-15T00:00:00Z'))).toEqual(new Date('2026-04-01T04:00:00Z'));
    // Mondays 06:00: the Monday after the spring change is in CEST.
    expect(nextReportRun(getReport('weekly_data_completeness'), new Date('2026-03-25T00:00:00Z'))).toEqual(new Date('2026-03-30T04:00:00Z'));
    // 07:00 daily: the morning after the autumn change is in CET (UTC+1).
    expect(nextReportRun(getReport('daily_anomalies'), new Date('2026-10-25T12:00:00Z'))).toEqual(new Date('2026-10-26T06:00:00Z'));
  });
});

describe('reportJobs', () => {
  it('schedules one job per report with its cron and timezone, as the twin\'s scheduler runs them', () => {
    const jobs = jobsInto(new FolderStore(dir));
    expect(jobs.map((j) => [j.name, j.cron, j.timezone])).toEqual(REPORTS.map((r) => [`report:${r.name}`, r.schedule, r.timezone]));
    const scheduler = startScheduler(jobs, silent);
    try {
      const now = Date.now();
      for (const { name, next } of scheduler.nextRuns()) {
        const report = getReport(name.slice('report:'.length));
        // Computed a moment apart: the same next run unless a run time falls in between.
        expect(next?.getTime()).toBe(nextReportRun(report, new Date(now))?.getTime());
      }
    } finally {
      scheduler.stop();
    }
  });

  it('a run at the scheduled time writes the period before it, named by that period', async () => {
    const store = new FolderStore(join(dir, 'monthly'));
    const report = getReport('monthly_consumption_cost');
    const scheduledAt = nextReportRun(report, new Date('2026-03-15T00:00:00Z'))!;
    await jobOf(store, report.name).run(scheduledAt);
    expect(await store.list('exports/')).toEqual([
      'exports/monthly_consumption_cost/monthly_consumption_cost_2026-03-01_2026-03-31.csv',
      'exports/monthly_consumption_cost/monthly_consumption_cost_2026-03-01_2026-03-31.xlsx',
    ]);
  });

  it('the next period\'s run adds its own files and leaves the earlier period\'s untouched', async () => {
    const store = new FolderStore(join(dir, 'weekly'));
    const report = getReport('weekly_data_completeness');
    const job = jobOf(store, report.name);
    const first = nextReportRun(report, new Date('2026-03-25T00:00:00Z'))!;
    await job.run(first);
    const firstCsv = 'exports/weekly_data_completeness/weekly_data_completeness_2026-03-23_2026-03-29.csv';
    const before = await store.get(firstCsv);
    await job.run(nextReportRun(report, first)!);
    expect(await store.list('exports/weekly_data_completeness/')).toEqual([
      firstCsv,
      'exports/weekly_data_completeness/weekly_data_completeness_2026-03-23_2026-03-29.xlsx',
      'exports/weekly_data_completeness/weekly_data_completeness_2026-03-30_2026-04-05.csv',
      'exports/weekly_data_completeness/weekly_data_completeness_2026-03-30_2026-04-05.xlsx',
    ]);
    expect(Buffer.from(await store.get(firstCsv)).equals(Buffer.from(before))).toBe(true);
  });

  it('logs the files and the recipients to notify', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const report = getReport('daily_anomalies');
    await jobOf(new FolderStore(join(dir, 'daily')), report.name, logger).run(new Date('2026-02-11T06:00:00Z'));
    expect(lines).toContainEqual(expect.objectContaining({
      report: 'daily_anomalies',
      period: { start_date: '2026-02-10', end_date: '2026-02-10' },
      recipients: ['energy-managers@example.com'],
      files: [expect.objectContaining({ key: 'exports/daily_anomalies/daily_anomalies_2026-02-10_2026-02-10.csv', format: 'csv', rows: 1 })],
    }));
  });
});
