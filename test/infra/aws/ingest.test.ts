import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../infra/aws/config.ts';
import { HANDLERS_DIR } from '../../../infra/aws/functions.ts';
import { READINGS_RULE_NAME, READINGS_RULE_SQL } from '../../../pipeline/rule/readings-rule.ts';
import { resourcesOf, synthesized } from './synth.ts';

const { stack, template } = synthesized();
const [, rule] = resourcesOf(template, 'AWS::IoT::TopicRule')[0]!;
const payload = rule.Properties.TopicRulePayload as Record<string, unknown>;
const [, stream] = resourcesOf(template, 'AWS::KinesisFirehose::DeliveryStream')[0]!;
const destination = stream.Properties.ExtendedS3DestinationConfiguration as Record<string, unknown>;

describe('IoT topic rule', () => {
  it('deploys the shared rule SQL under the contract\'s rule name (Basic Ingest: $aws/rules/<name>/…)', () => {
    expect(payload.Sql).toBe(READINGS_RULE_SQL);
    expect(payload.AwsIotSqlVersion).toBe('2016-03-23');
    expect(rule.Properties.RuleName).toBe(READINGS_RULE_NAME);
  });

  it('hands every message to the delivery stream and logs failed actions', () => {
    expect(payload.Actions).toEqual([{ Firehose: expect.objectContaining({ DeliveryStreamName: { Ref: stack.getLogicalId(stack.ingest.deliveryStream) }, BatchMode: false, Separator: '\n' }) }]);
    expect(payload.ErrorAction).toEqual({ CloudwatchLogs: expect.objectContaining({ LogGroupName: { Ref: stack.getLogicalId(stack.ingest.ruleErrors.node.defaultChild as never) } }) });
  });
});

describe('Firehose delivery stream', () => {
  it('writes the raw zone partitioned by the transform\'s dt key, failures to errors/readings/', () => {
    expect(destination.Prefix).toBe('raw/readings/dt=!{partitionKeyFromLambda:dt}/');
    expect(destination.ErrorOutputPrefix).toBe('errors/readings/!{firehose:error-output-type}/');
    expect(destination.DynamicPartitioningConfiguration).toMatchObject({ Enabled: true });
  });

  it('buffers with the configured hints, gzips and encrypts with the lake key', () => {
    expect(destination.BufferingHints).toEqual({ SizeInMBs: DEFAULT_CONFIG.bufferSizeMiB, IntervalInSeconds: DEFAULT_CONFIG.bufferIntervalSeconds });
    expect(destination.CompressionFormat).toBe('GZIP');
    expect(destination.EncryptionConfiguration).toEqual({ KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [stack.getLogicalId(stack.lake.key.node.defaultChild as never), 'Arn'] } } });
    expect(stream.Properties.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'AWS_OWNED_CMK' });
  });

  it('logs delivery errors to CloudWatch', () => {
    expect(destination.CloudWatchLoggingOptions).toMatchObject({ Enabled: true });
  });

  it('calls the transform Lambda, whose code is the infra/aws/handlers/transform.ts shell', () => {
    const processors = (destination.ProcessingConfiguration as { Processors: { Type: string; Parameters: { ParameterName: string; ParameterValue: unknown }[] }[] }).Processors;
    expect(processors).toHaveLength(1);
    expect(processors[0]!.Parameters).toContainEqual({ ParameterName: 'LambdaArn', ParameterValue: { 'Fn::GetAtt': [stack.getLogicalId(stack.ingest.transform.fn.node.defaultChild as never), 'Arn'] } });
    expect(stack.ingest.transform.entry).toBe(join(HANDLERS_DIR, 'transform.ts'));
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs24.x', Architectures: ['x86_64'] });
  });
});
