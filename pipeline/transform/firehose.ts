// The Firehose data-transformation contract around `transformRecord`: base64 records in,
// one result per record out, `dt` as the dynamic-partitioning key, and a response that
// always fits Lambda's synchronous payload limit.
import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord, FirehoseTransformationResult, FirehoseTransformationResultRecord } from 'aws-lambda';
import type { RecordError } from '../decode/reasons.ts';
import { transformRecord } from './record.ts';

/** Lambda's synchronous response limit is 6 MB; keep a margin for the JSON around the records. */
export const MAX_RESPONSE_BYTES = 6_000_000;
/** JSON punctuation, recordId and metadata around each record's data, generously. */
const PER_RECORD_OVERHEAD = 256;

export interface TransformStats {
  records: number;
  okRecords: number;
  droppedRecords: number;
  failedRecords: Partial<Record<RecordError, number>>;
  accepted: number;
  rejected: Record<string, number>;
}

export interface TransformOutput {
  response: FirehoseTransformationResult;
  stats: TransformStats;
  /** The failed records with their reason, for the error output (Firehose writes the original data). */
  failures: { recordId: string; error: RecordError; detail: string }[];
}

export function transformFirehoseEvent(
  event: Pick<FirehoseTransformationEvent, 'records'>,
  { maxResponseBytes = MAX_RESPONSE_BYTES }: { maxResponseBytes?: number } = {},
): TransformOutput {
  const stats: TransformStats = { records: event.records.length, okRecords: 0, droppedRecords: 0, failedRecords: {}, accepted: 0, rejected: {} };
  const failures: TransformOutput['failures'] = [];
  // Budget: what is already in the response plus, in the worst case, every later record
  // returned as it came (ProcessingFailed). A record whose output would break that bound is
  // failed with `response_size_limit` instead, so the response can never exceed the limit.
  const suffixBytes = new Array<number>(event.records.length + 1).fill(0);
  for (let i = event.records.length - 1; i >= 0; i--) {
    suffixBytes[i] = (suffixBytes[i + 1] as number) + (event.records[i] as { data: string }).data.length + PER_RECORD_OVERHEAD;
  }
  let used = 0;
  // A plain loop with no closure per record: this runs once per device message, and creating
  // functions here showed up in profiles (tsx/esbuild name every function it creates).
  const records: FirehoseTransformationResultRecord[] = [];
  for (let i = 0; i < event.records.length; i++) {
    const record = event.records[i] as FirehoseTransformationEventRecord;
    const outcome = transformRecord(Buffer.from(record.data, 'base64'), record.approximateArrivalTimestamp);
    let failure: { error: RecordError; detail: string };
    if (outcome.result === 'ProcessingFailed') {
      failure = outcome;
    } else if (outcome.result === 'Dropped') {
      stats.droppedRecords++;
      used += record.data.length + PER_RECORD_OVERHEAD;
      records.push({ recordId: record.recordId, result: 'Dropped', data: record.data });
      continue;
    } else {
      const data = Buffer.from(outcome.lines, 'utf8').toString('base64');
      if (used + data.length + PER_RECORD_OVERHEAD + (suffixBytes[i + 1] as number) <= maxResponseBytes) {
        used += data.length + PER_RECORD_OVERHEAD;
        stats.okRecords++;
        stats.accepted += outcome.accepted.length;
        for (const r of outcome.rejected) stats.rejected[r.reason] = (stats.rejected[r.reason] ?? 0) + 1;
        records.push({ recordId: record.recordId, result: 'Ok', data, metadata: { partitionKeys: { dt: outcome.dt } } });
        continue;
      }
      failure = { error: 'response_size_limit', detail: `output of ${data.length} base64 bytes does not fit the response` };
    }
    stats.failedRecords[failure.error] = (stats.failedRecords[failure.error] ?? 0) + 1;
    failures.push({ recordId: record.recordId, error: failure.error, detail: failure.detail });
    used += record.data.length + PER_RECORD_OVERHEAD;
    records.push({ recordId: record.recordId, result: 'ProcessingFailed', data: record.data });
  }
  return { response: { records }, stats, failures };
}
