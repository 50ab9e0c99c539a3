// Reports: one EventBridge Scheduler schedule per report in pipeline/reports/definitions.ts (its
// cron and timezone), each invoking the report Lambda with `{ "report": "<name>" }` and the
// scheduled time. The Lambda runs the named query on Athena, writes exports/{report}/ and
// announces the files on a KMS-encrypted topic; each recipient's e-mail subscription is filtered
// to the reports that name them. The Lambda may read what the queries read, write only
// exports/ and athena-results/, and publish only to that topic. Its errors alarm in operations.ts.
import { Duration, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { REPORTS, type ReportDefinition } from '../../pipeline/reports/definitions.ts';
import { LAKE_PREFIXES } from '../../pipeline/storage/keys.ts';
import type { Analytics } from './analytics.ts';
import { type Catalog, DATABASE_NAME } from './catalog.ts';
import { eventBridgeCron } from './eventbridge-cron.ts';
import { PipelineFunction } from './functions.ts';
import { ATHENA_RESULTS_PREFIX, type Lake } from './lake.ts';
import { acknowledgeLakePrefixes } from './nag.ts';
import { athenaReadGrants, QUERY_READ_PREFIXES } from './query-access.ts';

export const REPORT_TIMEOUT = Duration.minutes(15);

/** Each recipient and the reports they asked for (one filtered subscription per address). */
export function reportRecipients(reports: readonly ReportDefinition[] = REPORTS): Map<string, string[]> {
  const byRecipient = new Map<string, string[]>();
  for (const report of reports) {
    for (const address of report.recipients) byRecipient.set(address, [...(byRecipient.get(address) ?? []), report.name]);
  }
  return byRecipient;
}

export interface ReportsProps {
  stage: string;
  lake: Lake;
  catalog: Catalog;
  analytics: Analytics;
  logRetentionDays: number;
}

export class Reports extends Construct {
  readonly topic: sns.Topic;
  readonly fn: PipelineFunction;
  readonly schedules: Record<string, scheduler.Schedule> = {};

  constructor(scope: Construct, id: string, { stage, lake, catalog, analytics, logRetentionDays }: ReportsProps) {
    super(scope, id);

    const topicKey = new kms.Key(this, 'TopicKey', { description: `wattlake ${stage}: report notifications`, enableKeyRotation: true });
    this.topic = new sns.Topic(this, 'Topic', { displayName: `wattlake ${stage} reports`, masterKey: topicKey, enforceSSL: true });
    for (const [address, reports] of reportRecipients()) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address, {
        filterPolicy: { report: sns.SubscriptionFilter.stringFilter({ allowlist: reports }) },
      }));
    }

    // DuckDB: the parquet format renders through it (pipeline/reports/render-parquet.ts).
    this.fn = new PipelineFunction(this, 'Function', {
      handler: 'report',
      description: 'wattlake: scheduled report -> Athena named query -> exports/ + notification',
      withDuckDb: true,
      memorySize: 1024,
      timeout: REPORT_TIMEOUT,
      environment: {
        LAKE_BUCKET: lake.bucket.bucketName,
        LAKE_KMS_KEY_ARN: lake.key.keyArn,
        ATHENA_WORK_GROUP: analytics.workGroup.name,
        GLUE_DATABASE: DATABASE_NAME,
        REPORT_TOPIC_ARN: this.topic.topicArn,
        HOME: '/tmp',
      },
      logRetentionDays,
    });
    const role = this.fn.fn.role as iam.IRole;
    for (const statement of athenaReadGrants({ lake, catalog, analytics })) role.addToPrincipalPolicy(statement);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [lake.bucket.arnForObjects(`${LAKE_PREFIXES.exports}*`)] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [topicKey.keyArn] }));
    acknowledgeLakePrefixes(this.fn, lake.bucket, [...QUERY_READ_PREFIXES, ATHENA_RESULTS_PREFIX, LAKE_PREFIXES.exports].map((p) => `${p}*`),
      'The report Lambda reads what its Athena queries scan, writes their results and its own exports/ files.');

    const scheduleRole = this.fn.schedulerRole(this, 'wattlake: report schedules invoke the report Lambda', 'report');
    for (const report of REPORTS) {
      this.schedules[report.name] = new scheduler.Schedule(this, `Schedule-${report.name}`, {
        description: `wattlake report ${report.name}: ${report.schedule} (${report.timezone})`,
        schedule: scheduler.ScheduleExpression.expression(eventBridgeCron(report.schedule), TimeZone.of(report.timezone)),
        target: new targets.LambdaInvoke(this.fn.fn, {
          input: scheduler.ScheduleTargetInput.fromObject({ report: report.name, scheduled_time: scheduler.ContextAttribute.scheduledTime }),
          role: scheduleRole,
          retryAttempts: 2,
        }),
      });
    }
  }
}
