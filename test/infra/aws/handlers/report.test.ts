import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler, type ReportEvent } from '../../../../infra/aws/handlers/report.ts';
import { getNamedQuery } from '../../../../pipeline/query/named-queries.ts';
import { BUCKET, captureOutput, context, KMS_KEY } from './events.ts';

const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-north-1:123456789012:wattlake-dev-reports';
const EXECUTION = '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
/** What the weekly schedule sends on Monday 2026-03-09 06:00 Europe/Stockholm (infra/aws/reports.ts). */
const WEEKLY: ReportEvent = { report: 'weekly_data_completeness', scheduled_time: '2026-03-09T05:00:00Z' };
const COMPLETENESS = getNamedQuery('data_completeness').columns.map((c) => ({ Name: c.name, Type: c.type.replace(/\(\d+\)$/, '') }));
const row = (...values: (string | undefined)[]) => ({ Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) });
let output: ReturnType<typeof captureOutput> | undefined;

beforeEach(() => {
  athena.reset();
  s3.reset();
  sns.reset();
  vi.stubEnv('LAKE_BUCKET', BUCKET);
  vi.stubEnv('LAKE_KMS_KEY_ARN', KMS_KEY);
  vi.stubEnv('ATHENA_WORK_GROUP', 'wattlake-dev');
  vi.stubEnv('GLUE_DATABASE', 'energy_lake');
  vi.stubEnv('REPORT_TOPIC_ARN', TOPIC);
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: EXECUTION });
  athena.on(GetQueryResultsCommand).resolves({
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: COMPLETENESS },
      Rows: [
        row(...COMPLETENESS.map((c) => c.Name)),
        row('site-01', 'meter-0001', '2026-03-02', '288', '288.0', '100.0', '0', '0.0', '2026-03-02 22:55:00.000'),
        row('site-01', 'meter-0001', '2026-03-03', '250', '288.0', '86.80555555555556', '1', '190.0', '2026-03-03 22:55:00.000'),
        row('site-01', 'meter-0002', '2026-03-03', '0', '288.0', '0.0', '1', '1440.0', undefined),
      ],
    },
  });
  s3.on(PutObjectCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: '5a3b2c1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d' });
  output = captureOutput();
});

afterEach(() => {
  output?.restore();
  vi.unstubAllEnvs();
});

describe('report Lambda', () => {
  it('runs the report\'s query on Athena for the previous ISO week of the scheduled time', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const result = await handler(WEEKLY, context('wattlake-dev-report'));
    expect(result.period).toEqual({ start_date: '2026-03-02', end_date: '2026-03-08' });
    const [start] = athena.commandCalls(StartQueryExecutionCommand);
    expect(start!.args[0].input).toMatchObject({ WorkGroup: 'wattlake-dev', QueryExecutionContext: { Database: 'energy_lake' }, ExecutionParameters: ["'2026-03-02'", "'2026-03-08'", 'NULL'] });
  });

  it('writes each of the report\'s formats under exports/{report}/, KMS-encrypted', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    await handler(WEEKLY, context('wattlake-dev-report'));
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key)).toEqual([
      'exports/weekly_data_completeness/weekly_data_completeness_2026-03-02_2026-03-08.xlsx',
      'exports/weekly_data_completeness/weekly_data_completeness_2026-03-02_2026-03-08.csv',
    ]);
    for (const put of puts) expect(put).toMatchObject({ Bucket: BUCKET, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KMS_KEY });
    const csv = Buffer.from(puts[1]!.Body as Uint8Array).toString('utf8');
    expect(csv).toContain('meter-0001');
    expect(csv).toContain('86.80555555555556');
    expect(csv.trim().split(/\r?\n/)).toHaveLength(4);
  });

  it('announces the period and the S3 keys on the report topic, tagged with the report name', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    await handler(WEEKLY, context('wattlake-dev-report'));
    const [publish] = sns.commandCalls(PublishCommand);
    const input = publish!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Subject).toBe('wattlake report: Weekly data completeness, 2026-03-02 to 2026-03-08');
    expect(input.Message).toContain(`s3://${BUCKET}/exports/weekly_data_completeness/weekly_data_completeness_2026-03-02_2026-03-08.xlsx`);
    expect(input.Message).toContain('(csv, 3 rows,');
    expect(input.MessageAttributes).toEqual({ report: { DataType: 'String', StringValue: 'weekly_data_completeness' } });
  });

  it('throws when the Athena query FAILED, writing and announcing nothing', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'FAILED', AthenaError: { ErrorMessage: 'HIVE_BAD_DATA: Error parsing field value' } } } });
    await expect(handler(WEEKLY, context('wattlake-dev-report'))).rejects.toThrow(/data_completeness .*FAILED: HIVE_BAD_DATA/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('refuses an unknown report before touching Athena', async () => {
    await expect(handler({ report: '../../etc' }, context('wattlake-dev-report'))).rejects.toThrow(/unknown report/);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});
