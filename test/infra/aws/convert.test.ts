import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CONVERTER_TIMEOUT, MAX_RECEIVE_COUNT } from '../../../infra/aws/convert.ts';
import { HANDLERS_DIR } from '../../../infra/aws/functions.ts';
import { synthesized } from './synth.ts';

const { stack, template } = synthesized();
const logicalId = (c: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(c.node.defaultChild as never);
const queueId = logicalId(stack.convert.queue);
const dlqId = logicalId(stack.convert.deadLetterQueue);
const converterId = logicalId(stack.convert.converter.fn);

describe('raw object events', () => {
  it('sends every object created under raw/readings/ to the conversion queue', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'raw/readings/' }] } }, QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] } }] },
    });
  });

  it('redrives a message to the dead-letter queue after repeated failures', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: MAX_RECEIVE_COUNT } });
  });

  it('keeps a message invisible for six converter timeouts, as Lambda recommends', () => {
    const queue = template.toJSON().Resources[queueId].Properties;
    expect(queue.VisibilityTimeout).toBe(CONVERTER_TIMEOUT.toSeconds() * 6);
  });

  it('encrypts both queues and refuses non-TLS requests', () => {
    for (const id of [queueId, dlqId]) {
      expect(template.toJSON().Resources[id].Properties.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });
});

describe('converter Lambda', () => {
  it('runs the infra/aws/handlers/convert.ts shell and reports partial batch failures', () => {
    expect(stack.convert.converter.entry).toBe(join(HANDLERS_DIR, 'convert.ts'));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: converterId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('knows the lake bucket and key from its environment', () => {
    const env = template.toJSON().Resources[converterId].Properties.Environment.Variables;
    expect(env.LAKE_BUCKET).toEqual({ Ref: logicalId(stack.lake.bucket) });
    expect(env.LAKE_KMS_KEY_ARN).toEqual({ 'Fn::GetAtt': [logicalId(stack.lake.key), 'Arn'] });
  });
});

describe('daily compaction', () => {
  it('invokes the infra/aws/handlers/compact.ts shell once a day, without scheduler retries', () => {
    expect(stack.convert.compactor.entry).toBe(join(HANDLERS_DIR, 'compact.ts'));
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 2 * * ? *)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack.convert.compactor.fn), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } }),
    });
  });
});
