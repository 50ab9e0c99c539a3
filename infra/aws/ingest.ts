// Ingest: the IoT topic rule (its SQL defined once in pipeline/rule/readings-rule.ts) hands each
// message to a Firehose delivery stream; Firehose calls the transform shell, partitions on the
// `dt` key the transform returns, gzips and writes raw/readings/dt=…/ in the lake. Failed
// records land in errors/readings/; messages the rule cannot deliver go to the rule's error log.
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { READINGS_RULE_NAME, READINGS_RULE_SEPARATOR, READINGS_RULE_SQL } from '../../pipeline/rule/readings-rule.ts';
import { LAKE_PREFIXES } from '../../pipeline/storage/keys.ts';
import { PipelineFunction } from './functions.ts';
import type { Lake } from './lake.ts';
import { acknowledgeLakePrefixes } from './nag.ts';

/** Firehose's S3 prefixes: the contract's raw and error zones. */
export const RAW_PREFIX = `${LAKE_PREFIXES.raw}dt=!{partitionKeyFromLambda:dt}/`;
export const ERROR_PREFIX = `${LAKE_PREFIXES.errors}!{firehose:error-output-type}/`;
/** Lambda's 6 MB response limit: the transform may grow its input (one line per reading), so feed it 1 MiB at a time. */
export const TRANSFORM_BUFFER_MIB = 1;

export interface IngestProps {
  stage: string;
  lake: Lake;
  bufferSizeMiB: number;
  bufferIntervalSeconds: number;
  logRetentionDays: number;
}

export class Ingest extends Construct {
  readonly transform: PipelineFunction;
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly rule: iot.CfnTopicRule;
  readonly ruleErrors: logs.LogGroup;

  constructor(scope: Construct, id: string, { stage, lake, bufferSizeMiB, bufferIntervalSeconds, logRetentionDays }: IngestProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.transform = new PipelineFunction(this, 'Transform', {
      handler: 'transform',
      description: 'wattlake: Firehose transformation (decode, validate, normalize, dt partition key)',
      withDuckDb: false,
      memorySize: 1024,
      // Firehose waits at most 5 minutes for a transformation invocation.
      timeout: Duration.minutes(1),
      logRetentionDays,
    });

    const deliveryLogs = new logs.LogGroup(this, 'DeliveryLogs', {
      retention: logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const deliveryLogStream = new logs.LogStream(this, 'DeliveryLogStream', { logGroup: deliveryLogs, removalPolicy: RemovalPolicy.DESTROY });

    // Firehose writes only the raw and error zones of the lake.
    const deliveryRole = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'wattlake Firehose: write raw/ and errors/ of the lake, invoke the transform, log',
    });
    deliveryRole.addToPolicy(new iam.PolicyStatement({
      actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      resources: [lake.bucket.bucketArn],
    }));
    deliveryRole.addToPolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
      resources: [lake.bucket.arnForObjects(`${LAKE_PREFIXES.raw}*`), lake.bucket.arnForObjects(`${LAKE_PREFIXES.errors}*`)],
    }));
    deliveryRole.addToPolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [lake.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
    }));
    deliveryRole.addToPolicy(new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
      resources: [this.transform.fn.functionArn],
    }));
    deliveryRole.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:PutLogEvents'],
      resources: [stack.formatArn({
        service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: `${deliveryLogs.logGroupName}:log-stream:${deliveryLogStream.logStreamName}`,
      })],
    }));

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamName: `wattlake-${stage}-readings`,
      deliveryStreamType: 'DirectPut',
      // Encrypts records at rest while Firehose buffers them; the lake key encrypts the objects.
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: lake.bucket.bucketArn,
        roleArn: deliveryRole.roleArn,
        prefix: RAW_PREFIX,
        errorOutputPrefix: ERROR_PREFIX,
        bufferingHints: { sizeInMBs: bufferSizeMiB, intervalInSeconds: bufferIntervalSeconds },
        compressionFormat: 'GZIP',
        fileExtension: '.jsonl.gz',
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: lake.key.keyArn } },
        cloudWatchLoggingOptions: { enabled: true, logGroupName: deliveryLogs.logGroupName, logStreamName: deliveryLogStream.logStreamName },
        dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
        processingConfiguration: {
          enabled: true,
          processors: [{
            type: 'Lambda',
            parameters: [
              { parameterName: 'LambdaArn', parameterValue: this.transform.fn.functionArn },
              { parameterName: 'BufferSizeInMBs', parameterValue: String(TRANSFORM_BUFFER_MIB) },
              { parameterName: 'BufferIntervalInSeconds', parameterValue: '60' },
              { parameterName: 'NumberOfRetries', parameterValue: '3' },
            ],
          }],
        },
      },
    });
    acknowledgeLakePrefixes(deliveryRole, lake.bucket, [`${LAKE_PREFIXES.raw}*`, `${LAKE_PREFIXES.errors}*`],
      'Firehose writes the raw zone and its error output only.');
    // The role's policy must exist before Firehose validates the destination.
    this.deliveryStream.node.addDependency(deliveryRole);

    this.ruleErrors = new logs.LogGroup(this, 'RuleErrors', {
      retention: logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const ruleRole = new iam.Role(this, 'RuleRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'wattlake IoT rule: put records on the readings delivery stream, log action errors',
    });
    ruleRole.addToPolicy(new iam.PolicyStatement({
      actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
      resources: [this.deliveryStream.attrArn],
    }));
    ruleRole.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [this.ruleErrors.logGroupArn],
    }));

    // The rule name is fixed by the contract: devices publish to $aws/rules/<name>/… (Basic Ingest).
    this.rule = new iot.CfnTopicRule(this, 'ReadingsRule', {
      ruleName: READINGS_RULE_NAME,
      topicRulePayload: {
        sql: READINGS_RULE_SQL,
        awsIotSqlVersion: '2016-03-23',
        ruleDisabled: false,
        description: 'wattlake: every reading message to the readings delivery stream',
        // The contract's newline separator (shared with the twin); the transform ignores it.
        actions: [{ firehose: { deliveryStreamName: this.deliveryStream.ref, roleArn: ruleRole.roleArn, batchMode: false, separator: READINGS_RULE_SEPARATOR } }],
        errorAction: { cloudwatchLogs: { logGroupName: this.ruleErrors.logGroupName, roleArn: ruleRole.roleArn } },
      },
    });
    this.rule.node.addDependency(ruleRole);
  }
}
