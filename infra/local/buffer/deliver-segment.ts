// Delivers one sealed spool segment like IoT Core's rule action and Firehose deliver it: the
// IoT rule on each publish, then through the transform, into raw objects per `dt`, then the
// converter (all in LocalFirehose). A failed attempt is retried with exponential backoff on a
// fresh LocalFirehose; when every attempt failed, the segment's records go to the error output
// instead (as Firehose does once its Lambda retries are exhausted), so one poisonous segment
// cannot stall the buffer.
import { setImmediate as nextTick, setTimeout as sleep } from 'node:timers/promises';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { ActionRecord } from '../../../pipeline/rule/evaluate.ts';
import { READINGS_RULE_SEPARATOR, readingsRule } from '../../../pipeline/rule/readings-rule.ts';
import { LIMITS } from '../../../pipeline/schema/readings.ts';
import type { ObjectStore } from '../../../pipeline/storage/object-store.ts';
import { deliverToLake } from '../firehose-delivery.ts';
import { LocalFirehose, type FirehoseStats } from '../local-firehose.ts';
import type { BufferLogger } from './logger.ts';
import type { SpoolRecord } from './spool-format.ts';

export interface RetryPolicy {
  /** Delivery attempts before the records are routed to the error output. */
  attempts: number;
  /** Wait before the second attempt; doubles for each later one. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000 };

/** Firehose's error code for records whose processing Lambda kept failing. */
export const DELIVERY_FAILED_CODE = 'Lambda.FunctionError';

export interface SegmentDeliveryOptions {
  records: readonly SpoolRecord[];
  store: ObjectStore;
  duckdb: DuckDBInstance;
  stream: string;
  retry: RetryPolicy;
  logger: BufferLogger;
  now: () => number;
  /** Called after each converted raw object (for progress output). */
  onConverted?: () => void;
}

export interface SegmentDeliveryResult {
  /** Stats of the successful attempt; empty when the records went to the error output. */
  firehose: FirehoseStats | null;
  attempts: number;
  /** The error-output object holding the records when every attempt failed. */
  errorKey: string | null;
}

/** Hand records to the transform in slices, yielding between them so that PUBACKs keep flowing during a delivery. */
const RECORDS_PER_SLICE = 256;

export async function deliverSegment({ records, store, duckdb, stream, retry, logger, now, onConverted }: SegmentDeliveryOptions): Promise<SegmentDeliveryResult> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    try {
      const firehose = new LocalFirehose({ store, duckdb, stream, now });
      for (let i = 0; i < records.length; i++) {
        const record = records[i] as SpoolRecord;
        if (record.kind === 'refused-oversize') {
          firehose.refuse(record.data, record.receivedAt, 'payload_too_large', `${record.data.byteLength} bytes > ${LIMITS.maxPayloadBytes}`);
        } else {
          const sent = actionRecord(record);
          if (sent !== null) firehose.put(sent, record.receivedAt);
        }
        if (i % RECORDS_PER_SLICE === RECORDS_PER_SLICE - 1) await nextTick();
      }
      await firehose.deliver(onConverted);
      return { firehose: firehose.stats, attempts: attempt, errorKey: null };
    } catch (error) {
      lastError = error;
      logger.warn({ err: error, attempt, of: retry.attempts }, 'buffer: segment delivery failed');
      if (attempt < retry.attempts) await sleep(retry.baseDelayMs * 2 ** (attempt - 1));
    }
  }
  // Raw objects a failed attempt had already written stay in raw/ (readers deduplicate), and
  // the records themselves are kept, replayable, in the error output. If even that write
  // fails, this throws and the segment stays in the spool.
  const errorLines = deliveryFailedLines(records, retry.attempts, String((lastError as Error | undefined)?.message ?? lastError), now());
  const { errorKey } = await deliverToLake({ store, stream, byDay: new Map(), errorLines, nowMs: now() });
  return { firehose: null, attempts: retry.attempts, errorKey };
}

const SEPARATOR = Buffer.from(READINGS_RULE_SEPARATOR);

/** What the rule's Firehose action sends for a spooled record: for a publish the rule's output (null when the rule does not fire), else the record's data; with the action's separator. */
function actionRecord(record: SpoolRecord): ActionRecord | null {
  if (record.kind !== 'publish') return { data: Buffer.concat([record.data, SEPARATOR]) };
  return readingsRule.evaluateForAction({ topic: record.topic, payload: record.data, receivedAt: record.receivedAt, clientId: record.clientId }, READINGS_RULE_SEPARATOR);
}

/** Firehose's processing-failed error output, one JSON line per record, with the rule output as rawData. */
function deliveryFailedLines(records: readonly SpoolRecord[], attempts: number, message: string, nowMs: number): string {
  return records.map((record) => {
    const data = actionRecord(record)?.data;
    return data === undefined ? '' : `${JSON.stringify({
      attemptsMade: attempts,
      arrivalTimestamp: record.receivedAt,
      errorCode: record.kind === 'refused-oversize' ? 'payload_too_large' : DELIVERY_FAILED_CODE,
      errorMessage: message.slice(0, 500),
      attemptEndingTimestamp: nowMs,
      rawData: Buffer.from(data).toString('base64'),
      lambdaArn: 'local:wattlake-transform',
    })}\n`;
  }).join('');
}
