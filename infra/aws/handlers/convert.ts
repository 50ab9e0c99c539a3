// Lambda shell: SQS messages carrying S3 "object created" events for raw/readings/ ->
// convertRawObject for each raw object. Each SQS message succeeds or fails on its own (partial
// batch response), so one bad object is retried and eventually dead-lettered without holding
// back the others. Conversion is idempotent, so redelivery is harmless.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { convertRawObject } from '../../../pipeline/convert/converter.ts';
import { LAKE_PREFIXES } from '../../../pipeline/storage/keys.ts';
import { lakeDuckDb, lakeStore } from './lake-store.ts';

const logger = new Logger({ serviceName: 'wattlake-convert' });
const metrics = new Metrics({ namespace: 'wattlake', serviceName: 'wattlake-convert' });
const processor = new BatchProcessor(EventType.SQS);

/**
 * Raw object keys of one SQS message body: an S3 event notification (keys URL-encoded, spaces as
 * `+`), or S3's `s3:TestEvent` when the notification is first configured (no keys).
 */
export function rawKeysOf(body: string): string[] {
  const message = JSON.parse(body) as Partial<S3Event> & { Event?: string };
  if (message.Event === 's3:TestEvent') return [];
  if (!Array.isArray(message.Records)) throw new Error('SQS message is not an S3 event notification');
  return message.Records
    .filter((r) => r.eventName.startsWith('ObjectCreated:'))
    .map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')))
    .filter((key) => key.startsWith(LAKE_PREFIXES.raw));
}

async function convertMessage(record: SQSRecord): Promise<void> {
  const store = lakeStore();
  for (const rawKey of rawKeysOf(record.body)) {
    const result = await convertRawObject({ store, rawKey, duckdb: await lakeDuckDb() });
    const rows = (files: { rows: number }[]): number => files.reduce((n, f) => n + f.rows, 0);
    metrics.addMetric('ConvertedObjects', MetricUnit.Count, 1);
    metrics.addMetric('CuratedReadings', MetricUnit.Count, rows(result.readings));
    metrics.addMetric('CuratedRejected', MetricUnit.Count, rows(result.rejected));
    logger.info('converted', { rawKey, readings: result.readings, rejected: result.rejected, duplicatesRemoved: result.duplicatesRemoved });
  }
}

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  try {
    // A batch where every message failed is reported like any other (not thrown), so it is logged and counted the same way.
    const response = await processPartialResponse(event, convertMessage, processor, { context, throwOnFullBatchFailure: false });
    for (const failure of response.batchItemFailures) logger.error('conversion failed; message will be retried', { messageId: failure.itemIdentifier });
    metrics.addMetric('FailedMessages', MetricUnit.Count, response.batchItemFailures.length);
    return response;
  } finally {
    metrics.publishStoredMetrics();
  }
}
