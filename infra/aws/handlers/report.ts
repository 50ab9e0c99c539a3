// Lambda shell: an EventBridge Scheduler schedule -> runReport for the named report, on Athena
// (the stack's workgroup), writing exports/{report}/ in the lake, then one SNS notification that
// names the period and the files. A failed query throws: the schedule's invocation fails, the
// error alarm fires, and nothing is announced.
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { athenaRunner } from '../../../pipeline/query/athena-runner.ts';
import { getReport, type ReportDefinition } from '../../../pipeline/reports/definitions.ts';
import { runReport, type ReportRun } from '../../../pipeline/reports/run-report.ts';
import { S3Store } from '../../../pipeline/storage/s3-store.ts';

const logger = new Logger({ serviceName: 'wattlake-report' });
const metrics = new Metrics({ namespace: 'wattlake', serviceName: 'wattlake-report' });
const athena = new AthenaClient({});
const s3 = new S3Client({});
const sns = new SNSClient({});

/** What the schedule sends (infra/aws/reports.ts); `scheduled_time` is Scheduler's `<aws.scheduler.scheduled-time>`. */
export interface ReportEvent {
  report: string;
  scheduled_time?: string;
}

export interface ReportResult extends ReportRun {
  report: string;
}

/** SNS subjects must be under 100 ASCII characters without line breaks. */
const subject = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?').slice(0, 99);

/** The notification e-mail: what ran, for which local days, and where the files are. */
export function reportNotification(report: ReportDefinition, run: ReportRun, bucket: string): { subject: string; message: string } {
  const { start_date: start, end_date: end } = run.period;
  const days = start === end ? start : `${start} to ${end}`;
  return {
    subject: subject(`wattlake report: ${report.title}, ${days}`),
    message: [
      `${report.title} (${report.name})`,
      report.description,
      '',
      `Period: ${days} (local days, ${report.timezone})`,
      'Files:',
      ...run.files.map((f) => `  s3://${bucket}/${f.key}  (${f.format}, ${f.rows} rows, ${f.bytes} bytes)`),
    ].join('\n'),
  };
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The run's time: the scheduled time when Scheduler gives it (a retry reports the same period), now otherwise. */
function runTime(event: ReportEvent): Date {
  const scheduled = typeof event.scheduled_time === 'string' ? new Date(event.scheduled_time) : undefined;
  return scheduled && Number.isFinite(scheduled.getTime()) ? scheduled : new Date();
}

export async function handler(event: ReportEvent, context: Context): Promise<ReportResult> {
  logger.addContext(context);
  const report = getReport(String(event?.report));
  const bucket = env('LAKE_BUCKET');
  const runAt = runTime(event);
  logger.info('report run', { report: report.name, runAt: runAt.toISOString() });
  const run = await runReport({
    report,
    runAt,
    runQuery: athenaRunner({ client: athena, workGroup: env('ATHENA_WORK_GROUP'), database: env('GLUE_DATABASE') }),
    store: new S3Store({ client: s3, bucket, kmsKeyId: process.env.LAKE_KMS_KEY_ARN || undefined }),
  });
  const note = reportNotification(report, run, bucket);
  await sns.send(new PublishCommand({
    TopicArn: env('REPORT_TOPIC_ARN'),
    Subject: note.subject,
    Message: note.message,
    // Recipients subscribe with a filter on this attribute: each gets only the reports that name them.
    MessageAttributes: { report: { DataType: 'String', StringValue: report.name } },
  }));
  logger.info('report written', { report: report.name, period: run.period, files: run.files });
  metrics.addDimension('report', report.name);
  metrics.addMetric('ReportRows', MetricUnit.Count, run.files[0]?.rows ?? 0);
  metrics.addMetric('ReportFiles', MetricUnit.Count, run.files.length);
  metrics.publishStoredMetrics();
  return { report: report.name, ...run };
}
