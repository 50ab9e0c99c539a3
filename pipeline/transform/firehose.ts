// The Firehose data-transformation contract around the transform core (batch.ts): base64
// records in, one result per record out, `dt` as the dynamic-partitioning key, and a response
// that always fits Lambda's synchronous payload limit.
import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord, FirehoseTransformationResult, FirehoseTransformationResultRecord } from 'aws-lambda';
import type { RecordError } from '../decode/reasons.ts';
import { transformBatch, type PlainRecord, type TransformStats } from './batch.ts';

export { MAX_RESPONSE_BYTES, type TransformStats } from './batch.ts';

export interface TransformOutput {
  response: FirehoseTransformationResult;
  stats: TransformStats;
  /** The failed records with their reason, for the error output (Firehose writes the original data). */
  failures: { recordId: string; error: RecordError; detail: string }[];
}

export function transformFirehoseEvent(
  event: Pick<FirehoseTransformationEvent, 'records'>,
  options: { maxResponseBytes?: number } = {},
): TransformOutput {
  const input = event.records as readonly FirehoseTransformationEventRecord[];
  const plain: PlainRecord[] = [];
  for (const record of input) plain.push({ data: Buffer.from(record.data, 'base64'), arrivalMs: record.approximateArrivalTimestamp });
  const { outcomes, stats, failures } = transformBatch(plain, options);
  const records: FirehoseTransformationResultRecord[] = [];
  for (let i = 0; i < input.length; i++) {
    const { recordId, data } = input[i] as FirehoseTransformationEventRecord;
    const outcome = outcomes[i] as (typeof outcomes)[number];
    records.push(outcome.result === 'Ok'
      ? { recordId, result: 'Ok', data: Buffer.from(outcome.lines, 'utf8').toString('base64'), metadata: { partitionKeys: { dt: outcome.dt } } }
      : { recordId, result: outcome.result, data });
  }
  return {
    response: { records },
    stats,
    failures: failures.map(({ index, error, detail }) => ({ recordId: (input[index] as FirehoseTransformationEventRecord).recordId, error, detail })),
  };
}
