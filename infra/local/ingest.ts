// `wattlake ingest`: recorded MQTT messages through the same path as live traffic, without a
// broker: IoT rule -> Firehose transform (in processor-sized batches) -> raw objects -> converter.
import type { DuckDBInstance } from '@duckdb/node-api';
import { READINGS_RULE_SEPARATOR, readingsRule as rule } from '../../pipeline/rule/readings-rule.ts';
import { LIMITS } from '../../pipeline/schema/readings.ts';
import type { ObjectStore } from '../../pipeline/storage/object-store.ts';
import { LocalFirehose, type FirehoseStats } from './local-firehose.ts';

/** Firehose's S3 buffer size hint (64 MiB, the minimum with dynamic partitioning): raw output is delivered in objects up to this size. */
const DELIVERY_BUFFER_BYTES = 64 * 1024 * 1024;

export interface IngestSummary extends FirehoseStats {
  messages: number;
  /** Input lines that are not `{"topic": string, "payload": …}`: reported with their line number, not ingested. */
  invalidLines: { line: number; error: string }[];
  /** Messages whose topic the rule does not select (IoT Core would not route them either). */
  unrouted: number;
}

export interface IngestOptions {
  store: ObjectStore;
  duckdb: DuckDBInstance;
  /** Receive time for messages without `received_at`. */
  now?: () => number;
  onProgress?: (summary: IngestSummary) => void;
}

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
  if (receivedAt !== undefined && !(Number.isSafeInteger(receivedAt) && (receivedAt as number) >= LIMITS.minTsMs && (receivedAt as number) <= LIMITS.maxReceivedAtMs)) {
    return 'received_at must be integer epoch milliseconds between 2000-01-01 and 9000-01-01';
  }
  return {
    topic,
    payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8'),
    receivedAt: (receivedAt as number | undefined) ?? now,
  };
}

export async function ingestLines(lines: AsyncIterable<string> | Iterable<string>, { store, duckdb, now = Date.now, onProgress }: IngestOptions): Promise<IngestSummary> {
  const firehose = new LocalFirehose({ store, duckdb, stream: 'wattlake-ingest', now });
  const input = { messages: 0, invalidLines: [] as IngestSummary['invalidLines'], unrouted: 0 };
  const summary = (): IngestSummary => ({ ...input, ...firehose.stats });

  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    const message = parseIngestLine(text, now());
    if (typeof message === 'string') {
      input.invalidLines.push({ line: lineNumber, error: message });
      continue;
    }
    input.messages++;
    // IoT Core refuses payloads over its limit before any rule runs.
    if (message.payload.byteLength > LIMITS.maxPayloadBytes) {
      firehose.refuse(message.payload, message.receivedAt, 'payload_too_large', `${message.payload.byteLength} bytes > ${LIMITS.maxPayloadBytes}`);
      continue;
    }
    const out = rule.evaluateForAction({ topic: message.topic, payload: message.payload, receivedAt: message.receivedAt }, READINGS_RULE_SEPARATOR);
    if (out === null) {
      input.unrouted++;
      continue;
    }
    firehose.put(out, message.receivedAt);
    if (input.messages % 1000 === 0) onProgress?.(summary());
    if (firehose.bufferedBytes >= DELIVERY_BUFFER_BYTES) await firehose.deliver(() => onProgress?.(summary()));
  }
  await firehose.deliver(() => onProgress?.(summary()));
  return summary();
}
