// One run of a scheduled report, the same in the twin (DuckDB, FolderStore) and in AWS (the
// report Lambda: Athena, S3): compute the period from the run time, run the named query for it,
// render each format and put the files under exports/{report}/. The caller brings the engine
// (`runQuery`) and the store, so this file never knows where it runs.
import type { QueryResult } from '../query/lake-sql.ts';
import { getNamedQuery } from '../query/named-queries.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { REPORT_FORMATS, type ReportDefinition, type ReportFormat } from './definitions.ts';
import { reportFileKey } from './file-name.ts';
import { reportPeriod, type ReportPeriod } from './periods.ts';
import { renderReport } from './render.ts';
import { reportTable, type ReportTable } from './report-table.ts';

/** Runs a named query with parameter texts (as `wattlake query --param` takes them). */
export type ReportQueryRunner = (name: string, texts: Record<string, string>) => Promise<QueryResult>;

export interface RunReportOptions {
  report: ReportDefinition;
  /** The scheduled time of the run (or the time a user asks for); the period is relative to it. */
  runAt: Date;
  /** Formats to write; the report's own formats when omitted. */
  formats?: ReportFormat[];
  runQuery: ReportQueryRunner;
  store: ObjectStore;
}

export interface ReportFile {
  key: string;
  format: ReportFormat;
  /** Data rows (the XLSX totals row not counted). */
  rows: number;
  bytes: number;
}

export interface ReportRun {
  period: ReportPeriod;
  files: ReportFile[];
}

/** The period of a run and the query's rows for it, typed by the query's header. */
export async function queryReport({ report, runAt, runQuery }: Pick<RunReportOptions, 'report' | 'runAt' | 'runQuery'>): Promise<ReportTable> {
  const period = reportPeriod(report.period, runAt, report.timezone);
  const params = { ...report.params, start_date: period.start_date, end_date: period.end_date };
  const header = getNamedQuery(report.query).columns;
  const result = await runQuery(report.query, params);
  return reportTable({ report, period, runAt, params, header, result });
}

/** Throws for a format that is not csv, xlsx or parquet (a CLI argument, an event field). */
export function checkFormats(formats: readonly string[]): ReportFormat[] {
  for (const format of formats) {
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new Error(`unknown report format ${JSON.stringify(format)}; formats: ${REPORT_FORMATS.join(', ')}`);
  }
  return [...new Set(formats)] as ReportFormat[];
}

export async function runReport({ report, runAt, formats = report.formats, runQuery, store }: RunReportOptions): Promise<ReportRun> {
  const wanted = checkFormats(formats);
  const table = await queryReport({ report, runAt, runQuery });
  const files: ReportFile[] = [];
  for (const format of wanted) {
    const body = await renderReport(table, format);
    const key = reportFileKey(report.name, table.period, format);
    await store.put(key, body);
    files.push({ key, format, rows: table.rows.length, bytes: body.byteLength });
  }
  return { period: table.period, files };
}
