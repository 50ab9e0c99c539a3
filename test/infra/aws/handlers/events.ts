// Realistic AWS events for the Lambda shells' tests: what Firehose, SQS (with S3 notifications)
// and Lambda hand a function, with the pipeline's own data in them.
import { gzipSync } from 'node:zlib';
import type { Context, FirehoseTransformationEvent, SQSRecord } from 'aws-lambda';
import { transformFirehoseEvent } from '../../../../pipeline/transform/firehose.ts';

export const BUCKET = 'wattlake-dev-lakebucket-1x2y3z4w5v6u';
export const KMS_KEY = 'arn:aws:kms:eu-north-1:123456789012:key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b';
const RECEIVED_AT = Date.UTC(2026, 2, 1, 10, 15, 0);

export const context = (functionName: string): Context => ({
  callbackWaitsForEmptyEventLoop: false, functionName, functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-north-1:123456789012:function:${functionName}`, memoryLimitInMB: '2048',
  awsRequestId: '7c0d7f7e-1c4e-4d52-9f0e-2b7b8d1e0a11', logGroupName: `/aws/lambda/${functionName}`, logStreamName: '2026/03/01/[$LATEST]abc',
  getRemainingTimeInMillis: () => 60_000, done: () => undefined, fail: () => undefined, succeed: () => undefined,
});

/** The IoT rule's output for one device message: payload plus site_id, topic_device_id, received_at. */
export function ruleOutput(device: string, readings: Record<string, unknown>[], seq = 1): Record<string, unknown> {
  return { device_id: device, seq, readings, site_id: 'site-stockholm-01', topic_device_id: device, received_at: RECEIVED_AT };
}

export function meterReadings(startKwh: number): Record<string, unknown>[] {
  return [0, 1, 2].map((i) => ({ ts: new Date(RECEIVED_AT - (3 - i) * 60_000).toISOString(), energy_import_kwh: startKwh + i * 0.021, power_w: 1260 + i, voltage_v: 231.2 }));
}

export function firehoseEvent(records: (Record<string, unknown> | string)[]): FirehoseTransformationEvent {
  return {
    invocationId: 'a6b1f5b2-3c41-4b7e-9a0d-6f1c2e3d4b5a',
    deliveryStreamArn: 'arn:aws:firehose:eu-north-1:123456789012:deliverystream/wattlake-dev-readings',
    region: 'eu-north-1',
    records: records.map((r, i) => ({
      recordId: `49546986683135544286507457936321625675700192471156785154000000${i}`,
      approximateArrivalTimestamp: RECEIVED_AT + 500,
      data: Buffer.from(typeof r === 'string' ? r : JSON.stringify(r)).toString('base64'),
    })),
  };
}

/** A raw object as Firehose writes it: the transform's output lines, gzipped. */
export function rawObject(messages: Record<string, unknown>[]): Uint8Array {
  const { response } = transformFirehoseEvent(firehoseEvent(messages));
  return gzipSync(Buffer.concat(response.records.map((r) => Buffer.from(r.data ?? '', 'base64'))));
}

/** An SQS message carrying S3's notification for one created object (S3 URL-encodes the key). */
export function s3NotificationMessage(messageId: string, key: string): SQSRecord {
  const body = {
    Records: [{
      eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'eu-north-1', eventTime: '2026-03-01T10:20:01.123Z', eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:AROAEXAMPLE:firehose' }, requestParameters: { sourceIPAddress: '10.0.0.1' },
      responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
      s3: {
        s3SchemaVersion: '1.0', configurationId: 'wattlake-raw',
        bucket: { name: BUCKET, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${BUCKET}` },
        object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size: 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' },
      },
    }],
  };
  return {
    messageId, receiptHandle: `AQEB${messageId}`, body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1772360401123', SenderId: 'AIDAEXAMPLE', ApproximateFirstReceiveTimestamp: '1772360401200' },
    messageAttributes: {}, md5OfBody: '0b5a5ebd3d3f7e2b1c0c4bb2a6e2f0d4', eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-north-1:123456789012:wattlake-dev-RawObjects', awsRegion: 'eu-north-1',
  };
}

/** JSON lines the Powertools logger and metrics wrote (stdout, and stderr for warnings and errors), parsed. */
export function captureOutput(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  const written: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof stream.write;
  }
  return {
    lines: () => written.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => streams.forEach((stream, i) => { stream.write = originals[i]!; }),
  };
}
