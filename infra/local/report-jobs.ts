// The scheduled reports in the twin: one scheduler job per report definition (its cron and
// timezone, as EventBridge Scheduler runs them in AWS), each running the shared runReport on
// DuckDB into the twin's lake folder. Recipients are logged here; AWS notifies them over SNS.
import type { DuckDBInstance } from '@duckdb/node-api';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { runNamedQuery } from '../../pipeline/query/lake-sql.ts';
import { REPORTS, type ReportDefinition } from '../../pipeline/reports/definitions.ts';
import { runReport, type ReportQueryRunner } from '../../pipeline/reports/run-report.ts';
import type { ObjectStore } from '../../pipeline/storage/object-store.ts';
import type { ScheduledJob } from './scheduler.ts';

/** Named queries on the local lake: the twin's Athena. */
export const lakeQueryRunner = (duckdb: DuckDBInstance, lake: string): ReportQueryRunner =>
  (name, texts) => runNamedQuery(duckdb, lake, name, texts);

/** The scheduler's name of a report's job. */
export const reportJobName = (report: ReportDefinition): string => `report:${report.name}`;

/** The first scheduled run of a report strictly after `after`, as the twin's scheduler (croner) computes it. */
export function nextReportRun(report: ReportDefinition, after = new Date()): Date | null {
  return new Cron(report.schedule, { timezone: report.timezone }).nextRun(after);
}

export function reportJobs({ duckdb, store, lake, logger, reports = REPORTS }: {
  duckdb: DuckDBInstance;
  store: ObjectStore;
  lake: string;
  logger: Logger;
  reports?: readonly ReportDefinition[];
}): ScheduledJob[] {
  const runQuery = lakeQueryRunner(duckdb, lake);
  return reports.map((report) => ({
    name: reportJobName(report),
    cron: report.schedule,
    timezone: report.timezone,
    run: async (scheduledAt: Date) => {
      const { period, files } = await runReport({ report, runAt: scheduledAt, runQuery, store });
      logger.info({ report: report.name, period, files, recipients: report.recipients }, 'report: files written, recipients to notify');
    },
  }));
}
