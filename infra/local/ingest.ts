// `wattlake ingest`: recorded MQTT messages through the same path as live traffic, without a
// broker: IoT rule -> Firehose transform (in processor-sized batches) -> raw objects -> converter.
import { randomUUID } from 'node:crypto';
import type { DuckDBInstance } from '@duckdb/node-api';
import { convertRawObject } from '../../pipeline/convert/converter.ts';
import { compileRule } from '../../pipeline/rule/evaluate.ts';
import { READINGS_RULE_NAME, READINGS_RULE_SQL } from '../../pipeline/rule/readings-rule.ts';
import { LIMITS } from '../../pipeline/schema/readings.ts';
import type { ObjectStore } from '../../pipeline/storage/object-store.ts';
import { transformFirehoseEvent } from '../../pipeline/transform/firehose.ts';
import { deliverToLake, errorOutputLines, partitionOkRecords, type SourceRecord } from './firehose-delivery.ts';

/** Firehose's default Lambda processor buffer (1 MB), the batch the transform sees at once. */
const PROCESSOR_BUFFER_BYTES = 1_000_000;
/** Firehose's S3 buffer size hint (64 MiB, the minimum with dynamic partitioning): raw output is delivered in objects up to this size. */
const DELIVERY_BUFFER_BYTES = 64 * 1024 * 1024;

export interface IngestSummary {
  messages: number;
  /** Input lines that are not `{"topic": string, "payload": …}`: reported with their line number, not ingested. */
  invalidLines: { line: number; error: string }[];
  /** Messages whose topic the rule does not select (IoT Core would not route them either). */
  unrouted: number;
  accepted: number;
  rejected: Record<string, number>;
  failedRecords: Record<string, number>;
  droppedRecords: number;
  rawObjects: number;
  errorObjects: number;
  curatedFiles: number;
  rejectedFiles: number;
  duplicatesRemoved: number;
}

export interface IngestOptions {
  store: ObjectStore;
  duckdb: DuckDBInstance;
  /** Receive time for messages without `received_at`. */
  now?: () => number;
  onProgress?: (summary: IngestSummary) => void;
}

const rule = compileRule(READINGS_RULE_SQL, { ruleName: READINGS_RULE_NAME });

/** Parses one ingest line; returns an error message for lines that are not a recorded message. */
export function parseIngestLine(text: string, now: number): { topic: string; payload: Buffer; receivedAt: number } | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message.slice(0, 120)}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const { topic, payload, received_at: receivedAt } = value as Record<string, unknown>;
  if (typeof topic !== 'string') return 'topic must be a string';
  if (payload === undefined) return 'payload is missing';
  if (receivedAt !== undefined && !(Number.isSafeInteger(receivedAt) && (receivedAt as number) >= LIMITS.minTsMs)) {
    return 'received_at must be integer epoch milliseconds after 2000-01-01';
  }
  return {
    topic,
    payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8'),
    receivedAt: (receivedAt as number | undefined) ?? now,
  };
}

export async function ingestLines(lines: AsyncIterable<string> | Iterable<string>, { store, duckdb, now = Date.now, onProgress }: IngestOptions): Promise<IngestSummary> {
  const summary: IngestSummary = {
    messages: 0, invalidLines: [], unrouted: 0, accepted: 0, rejected: {}, failedRecords: {}, droppedRecords: 0,
    rawObjects: 0, errorObjects: 0, curatedFiles: 0, rejectedFiles: 0, duplicatesRemoved: 0,
  };
  const byDay = new Map<string, string[]>();
  let errorLines = '';
  let bufferedBytes = 0;
  let batch: SourceRecord[] = [];
  let batchBytes = 0;

  const flushBatch = (): void => {
    if (batch.length === 0) return;
    const output = transformFirehoseEvent({ records: batch });
    for (const [dt, chunks] of partitionOkRecords(output.response)) {
      const day = byDay.get(dt) ?? [];
      day.push(...chunks);
      byDay.set(dt, day);
      bufferedBytes += chunks.reduce((n, c) => n + c.length, 0);
    }
    errorLines += errorOutputLines(batch, output.failures, now());
    summary.accepted += output.stats.accepted;
    summary.droppedRecords += output.stats.droppedRecords;
    addCounts(summary.rejected, output.stats.rejected);
    addCounts(summary.failedRecords, output.stats.failedRecords);
    batch = [];
    batchBytes = 0;
    onProgress?.(summary);
  };
  const refuse = (message: { payload: Buffer; receivedAt: number }, error: 'payload_too_large', detail: string): void => {
    const record = { recordId: randomUUID(), data: message.payload.toString('base64'), approximateArrivalTimestamp: message.receivedAt };
    errorLines += errorOutputLines([record], [{ recordId: record.recordId, error, detail }], now());
    summary.failedRecords[error] = (summary.failedRecords[error] ?? 0) + 1;
  };

  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    const message = parseIngestLine(text, now());
    if (typeof message === 'string') {
      summary.invalidLines.push({ line: lineNumber, error: message });
      continue;
    }
    summary.messages++;
    // IoT Core refuses payloads over its limit before any rule runs.
    if (message.payload.byteLength > LIMITS.maxPayloadBytes) {
      refuse(message, 'payload_too_large', `${message.payload.byteLength} bytes > ${LIMITS.maxPayloadBytes}`);
      continue;
    }
    const out = rule.evaluate({ topic: message.topic, payload: message.payload, receivedAt: message.receivedAt });
    if (out === null) {
      summary.unrouted++;
      continue;
    }
    const data = Buffer.from(out).toString('base64');
    if (batchBytes + data.length > PROCESSOR_BUFFER_BYTES) flushBatch();
    batch.push({ recordId: randomUUID(), data, approximateArrivalTimestamp: message.receivedAt });
    batchBytes += data.length;
    if (bufferedBytes >= DELIVERY_BUFFER_BYTES) await deliverAndConvert();
  }
  flushBatch();
  await deliverAndConvert();
  return summary;

  /** Firehose delivery of everything buffered, then the converter on each new raw object (the S3-event path). */
  async function deliverAndConvert(): Promise<void> {
    const delivered = await deliverToLake({ store, stream: 'wattlake-ingest', byDay, errorLines, nowMs: now() });
    byDay.clear();
    errorLines = '';
    bufferedBytes = 0;
    summary.rawObjects += delivered.rawKeys.length;
    summary.errorObjects += delivered.errorKey ? 1 : 0;
    for (const rawKey of delivered.rawKeys) {
      const converted = await convertRawObject({ store, rawKey, duckdb });
      summary.curatedFiles += converted.readings.length;
      summary.rejectedFiles += converted.rejected.length;
      summary.duplicatesRemoved += converted.duplicatesRemoved;
      onProgress?.(summary);
    }
  }
}

function addCounts(into: Record<string, number>, from: Partial<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + (n ?? 0);
}
