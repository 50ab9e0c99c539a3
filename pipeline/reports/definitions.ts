// The scheduled reports, defined once. The twin's scheduler and `wattlake report run` execute
// them on DuckDB into lake/exports/{report}/; the AWS report Lambda (run by EventBridge
// Scheduler) executes the same definitions on Athena into s3://…/exports/{report}/.
//
// A report is a named query (queries/*.sql) run for a period relative to the run time: the
// period becomes the query's start_date/end_date parameters (local days, inclusive), computed
// in the report's timezone.

export const REPORT_FORMATS = ['csv', 'xlsx', 'parquet'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * The period a run covers, relative to the scheduled time in the report's timezone:
 * previous_day = yesterday; previous_week = the last complete ISO week (Monday–Sunday);
 * previous_month = the last complete calendar month.
 */
export const RELATIVE_PERIODS = ['previous_day', 'previous_week', 'previous_month'] as const;
export type RelativePeriod = (typeof RELATIVE_PERIODS)[number];

export interface ReportDefinition {
  /** Report name: lowercase [a-z0-9_], the folder under exports/. */
  name: string;
  title: string;
  description: string;
  /** The named query in queries/ that computes it. */
  query: string;
  period: RelativePeriod;
  /** IANA timezone in which the period and the schedule are evaluated. */
  timezone: string;
  /** Further query parameters, as texts (bound like `--param k=v`). */
  params?: Record<string, string>;
  /** Formats written on a scheduled run (`report run --format` picks one). */
  formats: ReportFormat[];
  /** Cron expression (5 fields: minute hour day-of-month month day-of-week) in `timezone`. */
  schedule: string;
  /** Who is told when a run has written its files (SNS subscriptions in AWS; logged locally). */
  recipients: string[];
  /** Numeric columns summed in the XLSX totals row. */
  totals: string[];
}

export const REPORTS: readonly ReportDefinition[] = [
  {
    name: 'monthly_consumption_cost',
    title: 'Monthly consumption and cost per site',
    description: 'Energy imported and its cost per site and tariff band in the previous calendar month.',
    query: 'time_of_use_cost',
    period: 'previous_month',
    timezone: 'Europe/Stockholm',
    formats: ['xlsx', 'csv'],
    schedule: '0 6 1 * *',
    recipients: ['energy-managers@example.com'],
    totals: ['kwh', 'cost'],
  },
  {
    name: 'weekly_data_completeness',
    title: 'Weekly data completeness',
    description: 'Readings received vs expected per meter and day in the previous ISO week, with gaps and last-seen time.',
    query: 'data_completeness',
    period: 'previous_week',
    timezone: 'Europe/Stockholm',
    formats: ['xlsx', 'csv'],
    schedule: '0 6 * * 1',
    recipients: ['metering-operations@example.com'],
    totals: ['readings', 'expected', 'gaps', 'gap_minutes'],
  },
  {
    name: 'daily_anomalies',
    title: 'Daily consumption anomalies',
    description: "Yesterday's consumption per site that deviates from the same weekday's trailing 4-week baseline by more than 3 standard deviations.",
    query: 'consumption_anomalies',
    period: 'previous_day',
    timezone: 'Europe/Stockholm',
    params: { z_threshold: '3' },
    formats: ['csv'],
    schedule: '0 7 * * *',
    recipients: ['energy-managers@example.com'],
    totals: [],
  },
];

export function getReport(name: string): ReportDefinition {
  const report = REPORTS.find((r) => r.name === name);
  if (!report) throw new Error(`unknown report ${JSON.stringify(name)}; reports: ${REPORTS.map((r) => r.name).join(', ')}`);
  return report;
}
