// One transform core for both hosts: a batch of records (the IoT rule's output, as bytes) in,
// one outcome per record out, with Firehose's response-size budget applied. The Lambda handler
// reaches it through firehose.ts (base64 in and out); the local twin calls it with plain bytes,
// as nothing between its spool and its raw objects needs base64, and in two steps: each record
// as it arrives (transformToCounts), the budget once its batch is full (applyResponseBudget).
// The budget is computed on base64 lengths either way, so both hosts fail exactly the same records.
import type { RecordError } from '../decode/reasons.ts';
import { transformRecord } from './record.ts';

/** Lambda's synchronous response limit is 6 MB; keep a margin for the JSON around the records. */
export const MAX_RESPONSE_BYTES = 6_000_000;
/** JSON punctuation, recordId and metadata around each record's data, generously. */
const PER_RECORD_OVERHEAD = 256;

/** Length of the base64 encoding of `bytes` bytes. */
export const base64Length = (bytes: number): number => 4 * Math.ceil(bytes / 3);

export interface PlainRecord {
  data: Uint8Array;
  /** Firehose's approximateArrivalTimestamp, epoch ms. */
  arrivalMs: number;
}

export type BatchOutcome =
  | { result: 'Ok'; lines: string; dt: string }
  | { result: 'Dropped' }
  | { result: 'ProcessingFailed' };

/**
 * One record's outcome before the batch's response budget: what transformRecord returned, with
 * the readings reduced to their counts, so that a caller holding many (the twin, until its
 * batch is full) holds no reading objects.
 */
export type TransformedRecord =
  | { result: 'Ok'; lines: string; dt: string; accepted: number; rejectedReasons: readonly string[] }
  | { result: 'Dropped' }
  | { result: 'ProcessingFailed'; error: RecordError; detail: string };

/** transformRecord, reduced to a TransformedRecord (`parsed`: see transformRecord). */
export function transformToCounts(record: PlainRecord, parsed?: unknown): TransformedRecord {
  const outcome = transformRecord(record.data, record.arrivalMs, parsed);
  if (outcome.result !== 'Ok') return outcome;
  const rejectedReasons: string[] = [];
  for (const r of outcome.rejected) rejectedReasons.push(r.reason);
  return { result: 'Ok', lines: outcome.lines, dt: outcome.dt, accepted: outcome.accepted.length, rejectedReasons };
}

export interface TransformStats {
  records: number;
  okRecords: number;
  droppedRecords: number;
  failedRecords: Partial<Record<RecordError, number>>;
  accepted: number;
  rejected: Record<string, number>;
}

export interface BatchOutput {
  /** One per input record, in order. */
  outcomes: BatchOutcome[];
  stats: TransformStats;
  /** The failed records (by index into the input) with their reason, for the error output. */
  failures: { index: number; error: RecordError; detail: string }[];
}

export function transformBatch(records: readonly PlainRecord[], options: { maxResponseBytes?: number } = {}): BatchOutput {
  // A plain loop with no closure per record: this runs once per device message, and creating
  // functions here showed up in profiles (tsx/esbuild name every function it creates).
  const transformed: TransformedRecord[] = [];
  for (let i = 0; i < records.length; i++) transformed.push(transformToCounts(records[i] as PlainRecord));
  return applyResponseBudget(records, transformed, options);
}

/**
 * The batch's response, from its records and their outcomes (`transformed[i]` of `records[i]`):
 * each record fails with `response_size_limit` whose output would no longer let the response
 * fit, whatever the records after it turn out to be.
 */
export function applyResponseBudget(
  records: readonly PlainRecord[],
  transformed: readonly TransformedRecord[],
  { maxResponseBytes = MAX_RESPONSE_BYTES }: { maxResponseBytes?: number } = {},
): BatchOutput {
  const stats: TransformStats = { records: records.length, okRecords: 0, droppedRecords: 0, failedRecords: {}, accepted: 0, rejected: {} };
  const failures: BatchOutput['failures'] = [];
  // Budget: what is already in the response plus, in the worst case, every later record
  // returned as it came (ProcessingFailed). A record whose output would break that bound is
  // failed with `response_size_limit` instead, so the response can never exceed the limit.
  const suffixBytes = new Array<number>(records.length + 1).fill(0);
  for (let i = records.length - 1; i >= 0; i--) {
    suffixBytes[i] = (suffixBytes[i + 1] as number) + base64Length((records[i] as PlainRecord).data.byteLength) + PER_RECORD_OVERHEAD;
  }
  let used = 0;
  const outcomes: BatchOutcome[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as PlainRecord;
    const asSent = base64Length(record.data.byteLength) + PER_RECORD_OVERHEAD;
    const outcome = transformed[i] as TransformedRecord;
    let failure: { error: RecordError; detail: string };
    if (outcome.result === 'ProcessingFailed') {
      failure = outcome;
    } else if (outcome.result === 'Dropped') {
      stats.droppedRecords++;
      used += asSent;
      outcomes.push(outcome);
      continue;
    } else {
      const size = base64Length(Buffer.byteLength(outcome.lines, 'utf8'));
      if (used + size + PER_RECORD_OVERHEAD + (suffixBytes[i + 1] as number) <= maxResponseBytes) {
        used += size + PER_RECORD_OVERHEAD;
        stats.okRecords++;
        stats.accepted += outcome.accepted;
        for (const reason of outcome.rejectedReasons) stats.rejected[reason] = (stats.rejected[reason] ?? 0) + 1;
        outcomes.push({ result: 'Ok', lines: outcome.lines, dt: outcome.dt });
        continue;
      }
      failure = { error: 'response_size_limit', detail: `output of ${size} base64 bytes does not fit the response` };
    }
    stats.failedRecords[failure.error] = (stats.failedRecords[failure.error] ?? 0) + 1;
    failures.push({ index: i, error: failure.error, detail: failure.detail });
    used += asSent;
    outcomes.push({ result: 'ProcessingFailed' });
  }
  return { outcomes, stats, failures };
}
