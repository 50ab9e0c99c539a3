import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { COMPACTOR_TIMEOUT, COMPACTOR_ZONES, CONVERTER_TIMEOUT, MAX_RECEIVE_COUNT } from '../../../infra/aws/convert.ts';
import { HANDLERS_DIR } from '../../../infra/aws/functions.ts';
import { resourcesOf, synthesized } from './synth.ts';

const { stack, template } = synthesized();
const logicalId = (c: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(c.node.defaultChild as never);
const queueId = logicalId(stack.convert.queue);
const dlqId = logicalId(stack.convert.deadLetterQueue);
const converterId = logicalId(stack.convert.converter.fn);
const compactorRoleId = logicalId(stack.convert.compactor.fn.role as never);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: { StringLike?: Record<string, string[]> } };
const compactorStatements = (): Statement[] => resourcesOf(template, 'AWS::IAM::Policy')
  .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === compactorRoleId))
  .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
/** The object prefixes (`rollup/*` …) the compactor's policy allows `action` on, sorted. */
const compactorObjectGrants = (action: string): string[] => compactorStatements()
  .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action))
  .flatMap((s) => [s.Resource].flat().map((r) => /"\/([^"]*)"/.exec(JSON.stringify(r))?.[1] ?? JSON.stringify(r)))
  .sort();

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
  it('may read, write and delete objects exactly where compaction and the rollup refresh work (COMPACTOR_ZONES)', () => {
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
      expect(compactorObjectGrants(action), action).toEqual(COMPACTOR_ZONES.filter((z) => z.actions.includes(action)).map((z) => `${z.prefix}*`).sort());
    }
    // Least privilege: the rollup is written but never deleted, the reference tables only read.
    expect(compactorObjectGrants('s3:GetObject')).toEqual(['curated/readings/*', 'curated/rejected_readings/*', 'reference/*', 'rollup/*']);
    expect(compactorObjectGrants('s3:PutObject')).toEqual(['curated/readings/*', 'curated/rejected_readings/*', 'rollup/*']);
    expect(compactorObjectGrants('s3:DeleteObject')).toEqual(['curated/readings/*', 'curated/rejected_readings/*']);
  });

  it('may list the zones it reads, and only those, so that a missing rollup or reference object is a 404', () => {
    const lists = compactorStatements().filter((s) => [s.Action].flat().includes('s3:ListBucket'));
    expect(lists).toHaveLength(1);
    expect(lists[0]!.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack.lake.bucket), 'Arn'] });
    expect([...(lists[0]!.Condition?.StringLike?.['s3:prefix'] ?? [])].sort()).toEqual(['curated/readings/*', 'curated/rejected_readings/*', 'reference/*', 'rollup/*']);
  });

  it('gets Lambda\'s longest timeout, for a first run that rebuilds a year of rollup days', () => {
    expect(template.toJSON().Resources[logicalId(stack.convert.compactor.fn)].Properties.Timeout).toBe(COMPACTOR_TIMEOUT.toSeconds());
    expect(COMPACTOR_TIMEOUT.toSeconds()).toBe(900);
  });


  it('invokes the infra/aws/handlers/compact.ts shell once a day, without scheduler retries', () => {
    expect(stack.convert.compactor.entry).toBe(join(HANDLERS_DIR, 'compact.ts'));
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 2 * * ? *)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack.convert.compactor.fn), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } }),
    });
  });
});
