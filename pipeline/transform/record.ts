// Stage 1 for one Firehose record: the IoT rule's output (device payload + site_id,
// topic_device_id, received_at) in, normalized JSON lines out (one per reading), with
// quarantined readings marked by their `reason` so the converter can route them.
import { decodeMessage, isJsonObject, jsonTextEnd } from '../decode/payload.ts';
import type { RecordError } from '../decode/reasons.ts';
import { utcDate } from '../schema/ids.ts';
import { LIMITS, type NormalizedReading, type RejectedReading } from '../schema/readings.ts';
import { readingLine } from './reading-line.ts';

/** Upper bound of what the rule's three fields add to a payload (two 64-char IDs, a timestamp, keys, quotes). */
const RULE_FIELDS_MAX_BYTES = 256;
// ignoreBOM keeps a leading BOM in the text, so JSON.parse refuses it: RFC 8259 forbids a BOM in JSON.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Fields the IoT rule adds to the device payload (the rule's SELECT aliases). */
const RULE_FIELDS = ['site_id', 'topic_device_id', 'received_at'] as const;

export type RecordOutcome =
  | { result: 'Ok'; lines: string; dt: string; accepted: NormalizedReading[]; rejected: RejectedReading[] }
  | { result: 'Dropped' }
  | { result: 'ProcessingFailed'; error: RecordError; detail: string };

/**
 * Transform one record. `arrivalMs` (Firehose's approximateArrivalTimestamp) stands in for
 * received_at when the rule did not supply a usable one. A caller that already holds the
 * record's JSON value (the twin, whose rule parsed the payload) passes it as `parsed`, which
 * must be what JSON.parse makes of `data`; it is read, never changed.
 *
 * The record's `dt` partition key is the earliest UTC date among its lines. A record whose
 * readings span several days is one Firehose record and cannot be split here, so the raw zone
 * files it under that first day and the converter routes every line to the curated partition
 * of its own `ts` (docs/contracts.md, "dt of raw objects").
 */
export function transformRecord(data: Uint8Array, arrivalMs: number, parsed?: unknown): RecordOutcome {
  if (data.byteLength > LIMITS.maxPayloadBytes + RULE_FIELDS_MAX_BYTES) {
    return { result: 'ProcessingFailed', error: 'payload_too_large', detail: `${data.byteLength} bytes` };
  }
  let message = parsed;
  if (message === undefined) {
    try {
      message = JSON.parse(utf8.decode(data));
    } catch (error) {
      return { result: 'ProcessingFailed', error: 'not_json', detail: (error as Error).message.slice(0, 200) };
    }
  }
  if (!isJsonObject(message)) {
    return { result: 'ProcessingFailed', error: 'not_object', detail: `top-level JSON is ${Array.isArray(message) ? 'an array' : typeof message}` };
  }
  const { site_id: siteId, topic_device_id: topicDeviceId, received_at: ruleReceivedAt } = message;
  // Only a record longer than the limit can carry a device payload over it, so the payload's
  // own size is worked out only then (it cost every record a JSON.stringify).
  if (data.byteLength > LIMITS.maxPayloadBytes) {
    // Trailing whitespace (the rule action's newline separator) is not part of the payload.
    const payloadBytes = jsonTextEnd(data) - ruleFieldsBytes(siteId, topicDeviceId, ruleReceivedAt);
    if (payloadBytes > LIMITS.maxPayloadBytes) {
      return { result: 'ProcessingFailed', error: 'payload_too_large', detail: `about ${payloadBytes} bytes of device payload` };
    }
  }
  const receivedAt = Number.isSafeInteger(ruleReceivedAt) && (ruleReceivedAt as number) >= LIMITS.minTsMs && (ruleReceivedAt as number) <= LIMITS.maxReceivedAtMs
    ? (ruleReceivedAt as number)
    : arrivalMs;

  const { accepted, rejected } = decodeMessage(message, { siteId, topicDeviceId, receivedAt }, RULE_FIELDS);
  if (accepted.length === 0 && rejected.length === 0) return { result: 'Dropped' };

  // Joined once, not built with `+=`: a flat string, where `+=` leaves a rope of pieces that
  // every later use (length in bytes, encoding) has to flatten first.
  const texts: string[] = [];
  let firstDay = Number.POSITIVE_INFINITY;
  for (const reading of accepted) {
    texts.push(readingLine(reading));
    firstDay = Math.min(firstDay, reading.ts);
  }
  for (const reading of rejected) {
    texts.push(JSON.stringify(reading));
    firstDay = Math.min(firstDay, reading.ts ?? reading.received_at);
  }
  texts.push(''); // every line ends with a newline
  return { result: 'Ok', lines: texts.join('\n'), dt: utcDate(firstDay), accepted, rejected };
}

// Module level, not inside ruleFieldsBytes: tsx names every function it creates, at a cost per record.
const isScalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number';

/** Bytes the rule's three fields add to the device payload (`,"site_id":…` etc.); 0 for values a rule never produces. */
function ruleFieldsBytes(siteId: unknown, topicDeviceId: unknown, receivedAt: unknown): number {
  if (!isScalar(siteId) || !isScalar(topicDeviceId) || !isScalar(receivedAt)) return 0;
  return Buffer.byteLength(JSON.stringify({ site_id: siteId, topic_device_id: topicDeviceId, received_at: receivedAt })) - 1;
}
