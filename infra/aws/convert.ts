// Convert: every raw object Firehose writes raises an S3 event on an SQS queue (redriven to a DLQ
// after repeated failures); the converter shell turns it into curated Parquet. Conversion is
// idempotent (output names derive from the raw key), so SQS's at-least-once delivery is safe.
// A daily schedule runs compaction over the curated partitions that need it, which also
// refreshes the query rollup (rollup/) that the shared views read.
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAKE_PREFIXES } from '../../pipeline/storage/keys.ts';
import { PipelineFunction } from './functions.ts';
import type { Lake } from './lake.ts';
import { acknowledgeLakePrefixes } from './nag.ts';

/** A raw object that fails this many times goes to the DLQ (replay: `aws sqs start-message-move-task`). */
export const MAX_RECEIVE_COUNT = 5;
export const CONVERTER_TIMEOUT = Duration.minutes(5);
export const COMPACTOR_TIMEOUT = Duration.minutes(15);
/**
 * What compaction may do in each lake zone (pipeline/convert/compact.ts and rollup.ts), and
 * nothing else: it may list every one of them.
 */
export const COMPACTOR_ZONES: readonly { prefix: string; actions: readonly string[] }[] = [
  { prefix: LAKE_PREFIXES.curated, actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] },
  { prefix: LAKE_PREFIXES.rejected, actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] },
  // The rollup replaces each of its objects with one PUT and never deletes one.
  { prefix: LAKE_PREFIXES.rollup, actions: ['s3:GetObject', 's3:PutObject'] },
  // The sites CSV gives the rollup each site's timezone.
  { prefix: LAKE_PREFIXES.reference, actions: ['s3:GetObject'] },
];
/** Daily, after the UTC day closed and Firehose flushed its last buffers. */
export const COMPACTION_SCHEDULE = { minute: '30', hour: '2' };

export interface ConvertProps {
  lake: Lake;
  logRetentionDays: number;
}

export class Convert extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly converter: PipelineFunction;
  readonly compactor: PipelineFunction;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, { lake, logRetentionDays }: ConvertProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const lakeEnvironment = { LAKE_BUCKET: lake.bucket.bucketName, LAKE_KMS_KEY_ARN: lake.key.keyArn, HOME: '/tmp' };
    const kmsViaS3 = { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } };

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'RawObjects', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's guidance: at least 6x the function timeout, so a slow batch is not redelivered meanwhile.
      visibilityTimeout: Duration.seconds(CONVERTER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    lake.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), { prefix: LAKE_PREFIXES.raw });
    acknowledgeNotificationsHandler(stack);

    this.converter = new PipelineFunction(this, 'Converter', {
      handler: 'convert',
      description: 'wattlake: raw gzip JSON lines -> curated Parquet (DuckDB)',
      withDuckDb: true,
      memorySize: 2048,
      timeout: CONVERTER_TIMEOUT,
      ephemeralStorageMiB: 2048,
      environment: lakeEnvironment,
      logRetentionDays,
    });
    this.converter.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [lake.bucket.arnForObjects(`${LAKE_PREFIXES.raw}*`)] }));
    this.converter.fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [lake.bucket.arnForObjects(`${LAKE_PREFIXES.curated}*`), lake.bucket.arnForObjects(`${LAKE_PREFIXES.rejected}*`)],
    }));
    this.converter.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [lake.key.keyArn], conditions: kmsViaS3 }));
    this.converter.fn.addEventSource(new sources.SqsEventSource(this.queue, {
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(30),
      reportBatchItemFailures: true,
    }));
    acknowledgeLakePrefixes(this.converter, lake.bucket, [`${LAKE_PREFIXES.raw}*`, `${LAKE_PREFIXES.curated}*`, `${LAKE_PREFIXES.rejected}*`],
      'The converter reads raw objects and writes curated Parquet only.');

    // Sizing (unchanged by the rollup, checked for it): besides merging curated files, each run
    // rebuilds the rollup of the closed days whose readings changed (pipeline/convert/rollup.ts),
    // one day at a time through DuckDB, at a cost that does not grow with the lake's age. For
    // 1,000 meters at 15-minute cadence a day took 0.7 s locally on two lightly shared cores (2.5 s
    // on busy ones, where a year took 15 min), so the first run over a year of data should take
    // ~5-8 min here with S3 round trips: inside the timeout, already Lambda's maximum. More memory
    // buys vCPUs (4 GiB: ~2.3) but little speed: a day is small, much of its cost fixed. A daily
    // run rebuilds a day or a few. A year at 1-minute cadence does not fit: see docs/deploy.md.
    this.compactor = new PipelineFunction(this, 'Compactor', {
      handler: 'compact',
      description: 'wattlake: daily compaction of curated partitions and rollup refresh (DuckDB)',
      withDuckDb: true,
      memorySize: 4096,
      timeout: COMPACTOR_TIMEOUT,
      ephemeralStorageMiB: 10240,
      environment: lakeEnvironment,
      logRetentionDays,
    });
    // Listing every zone it reads also makes a GET of a missing object there (the anchors before
    // the first run, a reference table not loaded yet) answer 404 NoSuchKey, which the rollup
    // reads as "absent", instead of 403 (S3 checks ListBucket for it with the key as s3:prefix).
    const zones = COMPACTOR_ZONES.map((z) => `${z.prefix}*`);
    this.compactor.fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [lake.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': zones } },
    }));
    for (const zone of COMPACTOR_ZONES) {
      this.compactor.fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...zone.actions], resources: [lake.bucket.arnForObjects(`${zone.prefix}*`)] }));
    }
    this.compactor.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [lake.key.keyArn], conditions: kmsViaS3 }));
    acknowledgeLakePrefixes(this.compactor, lake.bucket, zones,
      'Compaction rewrites curated partitions, writes the rollup and reads the reference tables only.');

    // One run a day, never retried by the scheduler: a run that stops leaves partitions that the
    // next run finishes (pipeline/convert/compact.ts), and two runs must not overlap.
    const scheduleRole = this.compactor.schedulerRole(this, 'wattlake: the daily schedule invokes the compaction Lambda', 'compaction');
    this.schedule = new scheduler.Schedule(this, 'DailyCompaction', {
      description: 'wattlake: daily compaction of curated partitions',
      schedule: scheduler.ScheduleExpression.cron(COMPACTION_SCHEDULE),
      target: new targets.LambdaInvoke(this.compactor.fn, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 0,
        role: scheduleRole,
      }),
    });
    this.compactor.fn.configureAsyncInvoke({ retryAttempts: 0 });
  }
}

/**
 * S3 notifications are configured by CDK's own singleton custom resource (BucketNotificationsHandler…),
 * whose role CDK defines (its policy is scoped to the lake bucket); acknowledge its one finding there only.
 */
function acknowledgeNotificationsHandler(stack: Stack): void {
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
    Validations.of(child).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "CDK's bucket-notifications custom resource (runs only during deployment) uses the AWS managed basic execution policy for its own logs; its code and role are defined by aws-cdk-lib, not here.",
    });
  }
}
