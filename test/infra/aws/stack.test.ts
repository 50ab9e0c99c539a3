import { Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/aws/app.ts';
import { FAST, resourcesOf, SKIP_BUNDLING, synthesized } from './synth.ts';

const { stack, template } = synthesized();

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const iamStatements = (): { path: string; statement: Statement }[] => resourcesOf(template, 'AWS::IAM::Policy').flatMap(([id, policy]) =>
  (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map((statement) => ({ path: id, statement })));

describe('cdk-nag AWS Solutions checks', () => {
  it('report no unacknowledged finding', () => {
    // cdk-nag 3 is a validation plugin: its findings are not Annotations, so ask it directly.
    const report = new AwsSolutionsChecks().validateScope(stack.node.root);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('fail synthesis on a finding nobody acknowledged (the plugin is wired into the app)', () => {
    const { app, stack: extra } = buildApp(SKIP_BUNDLING, FAST);
    new sqs.Queue(extra, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });

  it('keep every acknowledgement specific: a finding ID and a reason a reviewer can check', () => {
    const acknowledged: { id: string; reason: string }[] = [];
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acknowledged.push({ id: id.replace(/^annotation::/i, ''), reason });
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect(id).toMatch(/^AwsSolutions-[A-Z0-9]+(\[.+\])?$/);
      expect(reason.length, id).toBeGreaterThan(60);
    }
  });
});

describe('IAM', () => {
  it('grants nothing on Resource "*" (KMS key policies, which always say "*", are not IAM policies)', () => {
    const statements = iamStatements();
    expect(statements.length).toBeGreaterThan(10);
    expect(statements.filter(({ statement }) => [statement.Resource].flat().includes('*'))).toEqual([]);
  });

  it('scopes object grants to the lake zones each role works on', () => {
    const objectResources = iamStatements().flatMap(({ path, statement }) => [statement.Resource].flat()
      .map((r) => JSON.stringify(r)).filter((r) => r.includes('/*') && r.includes('LakeBucket')).map((r) => `${path.replace(/[A-F0-9]{8}$/, '')} ${/"\/([^"]*)"/.exec(r)?.[1]}`));
    expect(objectResources.sort()).toEqual([
      'ConvertCompactorRoleDefaultPolicy curated/readings/*',
      'ConvertCompactorRoleDefaultPolicy curated/rejected_readings/*',
      'ConvertCompactorRoleDefaultPolicy reference/*',
      'ConvertCompactorRoleDefaultPolicy rollup/*',
      'ConvertConverterRoleDefaultPolicy curated/readings/*',
      'ConvertConverterRoleDefaultPolicy curated/rejected_readings/*',
      'ConvertConverterRoleDefaultPolicy raw/readings/*',
      'IngestDeliveryRoleDefaultPolicy errors/readings/*',
      'IngestDeliveryRoleDefaultPolicy raw/readings/*',
      'ReportsFunctionRoleDefaultPolicy athena-results/*',
      'ReportsFunctionRoleDefaultPolicy athena-results/*',
      'ReportsFunctionRoleDefaultPolicy curated/readings/*',
      'ReportsFunctionRoleDefaultPolicy exports/*',
      'ReportsFunctionRoleDefaultPolicy reference/*',
      'ReportsFunctionRoleDefaultPolicy rollup/*',
    ]);
  });

  it('never grants a service-wide wildcard action', () => {
    const actions = iamStatements().flatMap(({ statement }) => [statement.Action].flat());
    expect(actions.filter((a) => a.endsWith(':*') || a === '*')).toEqual([]);
  });
});

describe('the app', () => {
  it('is environment-agnostic unless an account and region are configured', () => {
    expect(Stack.of(stack).account).toMatch(/^\$\{Token/);
    const pinned = buildApp({ ...SKIP_BUNDLING, 'wattlake:account': '123456789012', 'wattlake:region': 'eu-north-1' }, FAST).stack;
    expect([pinned.account, pinned.region]).toEqual(['123456789012', 'eu-north-1']);
  });

  it('tags every taggable resource with project and stage', () => {
    const [, key] = resourcesOf(template, 'AWS::KMS::Key')[0]!;
    expect(key.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'project', Value: 'wattlake' }, { Key: 'stage', Value: 'dev' }]));
  });

  it('names the stack and its named resources after the stage', () => {
    const prod = buildApp({ ...SKIP_BUNDLING, 'wattlake:stage': 'prod' }, FAST).stack;
    expect(prod.stackName).toBe('wattlake-prod');
    expect(prod.resolve(prod.ingest.deliveryStream.deliveryStreamName)).toBe('wattlake-prod-readings');
  });
});
