// Operations: one alarm topic (optionally mailed), alarms for every way the pipeline can stall or
// lose data silently, and one CloudWatch dashboard with the same signals.
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { READINGS_RULE_NAME } from '../../pipeline/rule/readings-rule.ts';
import type { Convert } from './convert.ts';
import type { Ingest } from './ingest.ts';

/** Share of rejected readings (of all readings the transform saw) that raises an alarm. */
export const REJECTED_RATE_THRESHOLD = 0.05;
/** The transform's EMF metrics (handlers/transform.ts). */
export const TRANSFORM_METRICS = { namespace: 'wattlake', service: 'wattlake-transform', accepted: 'AcceptedReadings', rejected: 'RejectedReadings' } as const;

export interface OperationsProps {
  stage: string;
  ingest: Ingest;
  convert: Convert;
  bufferIntervalSeconds: number;
  alertEmail?: string;
  /** Further Lambdas whose errors and throttles alarm here (report runs, the provisioning hook). */
  functions?: Record<string, lambda.IFunction>;
}

export class Operations extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, { stage, ingest, convert, bufferIntervalSeconds, alertEmail, functions = {} }: OperationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // CloudWatch alarms may publish to an encrypted topic only when the key lets CloudWatch use it.
    const topicKey = new kms.Key(this, 'AlarmTopicKey', { description: `wattlake ${stage}: alarm topic`, enableKeyRotation: true });
    topicKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    this.topic = new sns.Topic(this, 'Alarms', { displayName: `wattlake ${stage} alarms`, masterKey: topicKey, enforceSSL: true });
    if (alertEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(alertEmail));

    const stream = { DeliveryStreamName: ingest.deliveryStream.ref };
    const firehoseMetric = (metricName: string, statistic: string): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: 'AWS/Firehose', metricName, dimensionsMap: stream, statistic, period: Duration.minutes(5) });
    const transformMetric = (metricName: string): cloudwatch.Metric => new cloudwatch.Metric({
      namespace: TRANSFORM_METRICS.namespace, metricName, dimensionsMap: { service: TRANSFORM_METRICS.service }, statistic: 'Sum', period: Duration.minutes(15),
    });
    const rejectedRate = new cloudwatch.MathExpression({
      expression: 'IF(accepted + rejected > 0, rejected / (accepted + rejected), 0)',
      usingMetrics: { accepted: transformMetric(TRANSFORM_METRICS.accepted), rejected: transformMetric(TRANSFORM_METRICS.rejected) },
      label: 'rejected share of readings',
      period: Duration.minutes(15),
    });

    const alarm = (id: string, description: string, metric: cloudwatch.IMetric, threshold: number,
      comparison = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods = 1): void => {
      const created = new cloudwatch.Alarm(this, id, {
        alarmDescription: description, metric, threshold, comparisonOperator: comparison, evaluationPeriods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      this.alarms.push(created);
    };

    // Data older than two buffer intervals plus the transform's own buffering is not being delivered.
    alarm('DeliveryFreshness', 'Firehose: oldest undelivered record is older than expected (delivery stalled)',
      firehoseMetric('DeliveryToS3.DataFreshness', 'Maximum'), 2 * bufferIntervalSeconds + 600);
    alarm('DeliveryFailures', 'Firehose: deliveries to S3 are failing', firehoseMetric('DeliveryToS3.Success', 'Minimum'), 1, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD);
    alarm('TransformInvocationFailures', 'Firehose: transform Lambda invocations are failing', firehoseMetric('ExecuteProcessing.Success', 'Minimum'), 1, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD);
    // Firehose allows 500 active partitions per stream; a flood of far-past or future days hits it.
    alarm('ActivePartitions', 'Firehose: close to the 500 active dt partitions per stream',
      firehoseMetric('PartitionCount', 'Maximum'), 450);
    alarm('RuleActionFailures', 'IoT rule: messages could not be handed to Firehose (see the rule error log)',
      new cloudwatch.Metric({ namespace: 'AWS/IoT', metricName: 'Failure', dimensionsMap: { RuleName: READINGS_RULE_NAME, ActionType: 'Firehose' }, statistic: 'Sum', period: Duration.minutes(5) }), 0);

    for (const [name, fn] of [['Transform', ingest.transform.fn], ['Converter', convert.converter.fn], ['Compactor', convert.compactor.fn], ...Object.entries(functions)] as const) {
      alarm(`${name}Errors`, `${name} Lambda: errors`, fn.metricErrors({ period: Duration.minutes(5) }), 0);
      alarm(`${name}Throttles`, `${name} Lambda: throttles`, fn.metricThrottles({ period: Duration.minutes(5) }), 0);
    }
    alarm('DeadLetters', 'Converter: raw objects in the dead-letter queue (conversion failed 5 times)',
      convert.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), 0);
    alarm('ConversionBacklog', 'Converter: a raw object has waited more than an hour',
      convert.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }), 3600);
    alarm('RejectedReadingRate', `Transform: more than ${REJECTED_RATE_THRESHOLD * 100} % of readings rejected (see rejected_readings)`, rejectedRate, REJECTED_RATE_THRESHOLD, undefined, 2);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `wattlake-${stage}` });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Readings accepted / rejected', left: [transformMetric(TRANSFORM_METRICS.accepted), transformMetric(TRANSFORM_METRICS.rejected)], right: [rejectedRate] }),
      new cloudwatch.GraphWidget({ title: 'Firehose', left: [firehoseMetric('IncomingRecords', 'Sum'), firehoseMetric('DeliveryToS3.Records', 'Sum')], right: [firehoseMetric('DeliveryToS3.DataFreshness', 'Maximum')] }),
      new cloudwatch.GraphWidget({ title: 'Conversion queue', left: [convert.queue.metricApproximateNumberOfMessagesVisible(), convert.deadLetterQueue.metricApproximateNumberOfMessagesVisible()], right: [convert.queue.metricApproximateAgeOfOldestMessage()] }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }
}
