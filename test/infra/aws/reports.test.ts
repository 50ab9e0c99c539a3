import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventBridgeCron } from '../../../infra/aws/eventbridge-cron.ts';
import { HANDLERS_DIR } from '../../../infra/aws/functions.ts';
import { reportRecipients } from '../../../infra/aws/reports.ts';
import { REPORTS } from '../../../pipeline/reports/definitions.ts';
import { ROLLUP_TABLE_NAMES } from '../../../pipeline/schema/rollup.ts';
import { resourcesOf, synthesized } from './synth.ts';

/** Template JSON as parsed; the assertions below check its shape. */
type Json = ReturnType<typeof JSON.parse>;

const { stack, template } = synthesized();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, Json> }>;
const logicalId = (c: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(c.node.defaultChild as never);
const fnId = logicalId(stack.reports.fn.fn);
const roleId = logicalId(stack.reports.fn.fn.role as never);
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const reportStatements = (): Statement[] => resourcesOf(template, 'AWS::IAM::Policy')
  .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
  .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const grantsOf = (action: string): unknown[] => reportStatements().filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat());
const text = (value: unknown): string => JSON.stringify(value) ?? '';

describe('report schedules', () => {
  const schedules = resourcesOf(template, 'AWS::Scheduler::Schedule').filter(([, s]) => text(s.Properties.Target).includes(fnId));

  it('creates one schedule per report definition', () => {
    expect(schedules).toHaveLength(REPORTS.length);
    expect(Object.keys(stack.reports.schedules).sort()).toEqual(REPORTS.map((r) => r.name).sort());
  });

  it('fires on each report\'s cron, in EventBridge form, in the report\'s timezone', () => {
    for (const report of REPORTS) {
      const id = logicalId(stack.reports.schedules[report.name]!);
      expect(resources[id]!.Properties).toMatchObject({ ScheduleExpression: eventBridgeCron(report.schedule), ScheduleExpressionTimezone: report.timezone });
    }
    expect(resources[logicalId(stack.reports.schedules.weekly_data_completeness!)]!.Properties.ScheduleExpression).toBe('cron(0 6 ? * MON *)');
  });

  it('invokes the report Lambda with the report name and the scheduled time', () => {
    for (const report of REPORTS) {
      const target = resources[logicalId(stack.reports.schedules[report.name]!)]!.Properties.Target;
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      expect(JSON.parse(target.Input)).toEqual({ report: report.name, scheduled_time: '<aws.scheduler.scheduled-time>' });
    }
  });
});

describe('report Lambda', () => {
  it('runs the infra/aws/handlers/report.ts shell with the workgroup, database, lake and topic in its environment', () => {
    expect(stack.reports.fn.entry).toBe(join(HANDLERS_DIR, 'report.ts'));
    const env = resources[fnId]!.Properties.Environment.Variables;
    expect(env).toMatchObject({ ATHENA_WORK_GROUP: 'wattlake-dev', GLUE_DATABASE: 'energy_lake', LAKE_BUCKET: { Ref: logicalId(stack.lake.bucket) }, REPORT_TOPIC_ARN: { Ref: logicalId(stack.reports.topic) } });
  });

  it('may run queries only in the stack\'s workgroup', () => {
    const athena = reportStatements().filter((s) => [s.Action].flat().some((a) => a.startsWith('athena:')));
    expect(athena).toHaveLength(1);
    expect(text(athena[0]!.Resource)).toMatch(/:workgroup\/wattlake-dev"/);
  });

  it('reads the Glue database and its tables and views by name, never a wildcard', () => {
    const glue = grantsOf('glue:GetTable').map(text);
    expect(glue.some((r) => r.includes('table/energy_lake/readings"'))).toBe(true);
    expect(glue.some((r) => r.includes('table/energy_lake/interval_slots"'))).toBe(true);
    expect(glue.some((r) => r.includes('table/energy_lake/sites"'))).toBe(true);
    // The shared views read the rollup tables with the caller's rights.
    for (const name of ROLLUP_TABLE_NAMES) expect(glue.some((r) => r.includes(`table/energy_lake/${name}"`)), name).toBe(true);
    expect(glue.filter((r) => r.includes('*'))).toEqual([]);
  });

  it('reads curated readings, reference tables, the rollup and query results; writes only exports/ and athena-results/', () => {
    const prefix = (r: unknown): string => /"\/([^"]*)"/.exec(text(r))?.[1] ?? text(r);
    expect(grantsOf('s3:GetObject').map(prefix).sort()).toEqual(['athena-results/*', 'curated/readings/*', 'reference/*', 'rollup/*']);
    const lists = reportStatements().filter((s) => [s.Action].flat().includes('s3:ListBucket'));
    expect(lists.flatMap((s) => (s.Condition as { StringLike: { 's3:prefix': string[] } }).StringLike['s3:prefix']).sort())
      .toEqual(['athena-results/*', 'curated/readings/*', 'reference/*', 'rollup/*']);
    expect(grantsOf('s3:PutObject').map(prefix).sort()).toEqual(['athena-results/*', 'exports/*']);
    expect(grantsOf('s3:DeleteObject')).toEqual([]);
  });

  it('publishes only to the report topic', () => {
    expect(grantsOf('sns:Publish')).toEqual([{ Ref: logicalId(stack.reports.topic) }]);
  });

  it('alarms on failed runs through the operations topic', () => {
    const alarm = resourcesOf(template, 'AWS::CloudWatch::Alarm').find(([, a]) => text(a.Properties.Dimensions).includes(fnId));
    expect(alarm![1].Properties).toMatchObject({ MetricName: 'Errors', AlarmActions: [{ Ref: logicalId(stack.operations.topic) }] });
  });
});

describe('report notifications', () => {
  it('go to a KMS-encrypted topic', () => {
    expect(resources[logicalId(stack.reports.topic)]!.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ReportsTopicKey/), 'Arn'] });
  });

  it('reach each recipient only for the reports that name them', () => {
    const subs = resourcesOf(template, 'AWS::SNS::Subscription').filter(([, s]) => text(s.Properties.TopicArn).includes(logicalId(stack.reports.topic)));
    const expected = reportRecipients();
    expect(subs).toHaveLength(expected.size);
    for (const [, sub] of subs) {
      expect(sub.Properties.Protocol).toBe('email');
      expect(sub.Properties.FilterPolicy).toEqual({ report: expected.get(sub.Properties.Endpoint as string) });
    }
    expect(expected.get('energy-managers@example.com')).toEqual(['monthly_consumption_cost', 'daily_anomalies']);
  });
});
