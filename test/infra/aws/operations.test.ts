import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../infra/aws/config.ts';
import { resourcesOf, synthesized } from './synth.ts';

const { stack, template } = synthesized();
const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Record<string, unknown>);
const alarmOn = (metricName: string): Record<string, unknown> | undefined => alarms.find((a) => a.MetricName === metricName);

describe('operations', () => {
  it('alarms on Firehose delivery freshness and failures', () => {
    expect(alarmOn('DeliveryToS3.DataFreshness')).toMatchObject({ Namespace: 'AWS/Firehose', Threshold: 2 * DEFAULT_CONFIG.bufferIntervalSeconds + 600 });
    expect(alarmOn('DeliveryToS3.Success')).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 1 });
  });

  it('alarms on errors and throttles of each Lambda', () => {
    const lambdaAlarms = alarms.filter((a) => a.Namespace === 'AWS/Lambda').map((a) => a.MetricName);
    // transform, converter, compactor, report, provisioning hook
    expect(lambdaAlarms.filter((m) => m === 'Errors')).toHaveLength(5);
    expect(lambdaAlarms.filter((m) => m === 'Throttles')).toHaveLength(5);
  });

  it('alarms as soon as a raw object reaches the dead-letter queue', () => {
    expect(alarms).toContainEqual(expect.objectContaining({
      MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.getLogicalId(stack.convert.deadLetterQueue.node.defaultChild as never), 'QueueName'] } }],
    }));
  });

  it('alarms on the share of rejected readings from the transform\'s metrics', () => {
    const rate = alarms.find((a) => Array.isArray(a.Metrics));
    expect(JSON.stringify(rate?.Metrics)).toContain('RejectedReadings');
    expect(JSON.stringify(rate?.Metrics)).toContain('AcceptedReadings');
  });

  it('sends every alarm to the encrypted, TLS-only alarm topic', () => {
    const topicId = stack.getLogicalId(stack.operations.topic.node.defaultChild as never);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(template.toJSON().Resources[topicId].Properties.KmsMasterKeyId).toBeDefined();
    expect(JSON.stringify(template.findResources('AWS::SNS::TopicPolicy'))).toContain('aws:SecureTransport');
  });

  it('sets a retention on every log group', () => {
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(5);
    for (const [, group] of groups) expect(group.Properties.RetentionInDays).toBe(DEFAULT_CONFIG.logRetentionDays);
  });

  it('draws a dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
