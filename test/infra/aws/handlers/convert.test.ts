import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler, rawKeysOf } from '../../../../infra/aws/handlers/convert.ts';
import { outputFileName } from '../../../../pipeline/convert/converter.ts';
import { BUCKET, captureOutput, context, KMS_KEY, meterReadings, rawObject, ruleOutput, s3NotificationMessage } from './events.ts';

const s3 = mockClient(S3Client);
const GOOD_KEY = 'raw/readings/dt=2026-03-01/wattlake-dev-readings-1-2026-03-01-10-15-00-4f1c9a2e-6b7d-4c1e-9a0b-2d3e4f5a6b7c.jsonl.gz';
const CORRUPT_KEY = 'raw/readings/dt=2026-03-01/wattlake-dev-readings-1-2026-03-01-10-16-00-8e2d1c0b-5a4f-4e3d-8c2b-1a0f9e8d7c6b.jsonl.gz';
const body = (bytes: Uint8Array) => sdkStreamMixin(Readable.from([bytes]));
let output: ReturnType<typeof captureOutput> | undefined;

beforeEach(() => {
  s3.reset();
  vi.stubEnv('LAKE_BUCKET', BUCKET);
  vi.stubEnv('LAKE_KMS_KEY_ARN', KMS_KEY);
  s3.on(PutObjectCommand).resolves({});
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: GOOD_KEY }).callsFake(async () => ({ Body: body(rawObject([ruleOutput('meter-0001', meterReadings(1520.25)), ruleOutput('meter-0002', meterReadings(88.5))])) }));
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: CORRUPT_KEY }).callsFake(async () => ({ Body: body(gzipSync('{"site_id": "site-stockholm-01", "device_id": \n')) }));
  output = captureOutput();
});
afterEach(() => {
  output?.restore();
  vi.unstubAllEnvs();
});

describe('rawKeysOf', () => {
  it('decodes the URL-encoded key S3 puts in the notification', () => {
    expect(rawKeysOf(s3NotificationMessage('m', GOOD_KEY).body)).toEqual([GOOD_KEY]);
  });

  it('has nothing to convert in the test event S3 sends when the notification is set up', () => {
    expect(rawKeysOf(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-03-01T10:00:00.000Z', Bucket: BUCKET }))).toEqual([]);
  });
});

describe('converter Lambda shell', () => {
  it('converts the raw object of each message into curated Parquet, encrypted with the lake key', async () => {
    const response = await handler({ Records: [s3NotificationMessage('msg-1', GOOD_KEY)] }, context('wattlake-dev-convert'));
    output?.restore();
    expect(response).toEqual({ batchItemFailures: [] });
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.Bucket, p.Key, p.ServerSideEncryption, p.SSEKMSKeyId])).toEqual([
      [BUCKET, `curated/readings/dt=2026-03-01/${outputFileName(GOOD_KEY)}`, 'aws:kms', KMS_KEY],
    ]);
    expect(Buffer.from(puts[0]!.Body as Uint8Array).subarray(0, 4).toString()).toBe('PAR1');
  });

  it('reports only the message whose object fails as a batch item failure, so SQS retries just that one', async () => {
    const response = await handler({ Records: [s3NotificationMessage('msg-1', GOOD_KEY), s3NotificationMessage('msg-2', CORRUPT_KEY)] }, context('wattlake-dev-convert'));
    output?.restore();
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-2' }] });
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([`curated/readings/dt=2026-03-01/${outputFileName(GOOD_KEY)}`]);
    expect(output!.lines()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'conversion failed; message will be retried', messageId: 'msg-2' }));
  });
});

describe('converter Lambda shell, whole batch failing', () => {
  it('reports every message as failed instead of throwing', async () => {
    const response = await handler({ Records: [s3NotificationMessage('msg-7', CORRUPT_KEY)] }, context('wattlake-dev-convert'));
    output?.restore();
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-7' }] });
  });
});
