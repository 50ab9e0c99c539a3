// Decode one device message (batch or single form) into accepted and quarantined readings.
// Pure and total: every reading in the message ends in exactly one of the two lists, and
// nothing here throws on any JSON value.
import { isValidId } from '../schema/ids.ts';
import { LIMITS, MEASURE_COLUMNS, type MeasureRule, type NormalizedReading, type RejectedReading } from '../schema/readings.ts';
import { READING_REASONS, type ReadingReason } from './reasons.ts';
import { parseTimestamp } from './timestamp.ts';

/** What the IoT rule adds to every message: the topic's site and device and the receive time. */
export interface MessageContext {
  siteId: unknown;
  topicDeviceId: unknown;
  /** Epoch milliseconds. */
  receivedAt: number;
}

export interface DecodedMessage {
  accepted: NormalizedReading[];
  rejected: RejectedReading[];
}

type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Space, tab, line feed and carriage return: all the whitespace JSON allows around a value. */
const JSON_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Length of JSON text `bytes` without the whitespace after its value (e.g. a Firehose record separator). */
export function jsonTextEnd(bytes: Uint8Array): number {
  let end = bytes.byteLength;
  while (end > 0 && JSON_WHITESPACE.has(bytes[end - 1] as number)) end--;
  return end;
}

interface Failure { reason: ReadingReason; detail: string }

/**
 * Decode a message that is already known to be a JSON object. `addedFields` are fields that
 * are not the device's (the IoT rule's aliases): they are left out of quarantined payloads.
 */
export function decodeMessage(message: JsonObject, ctx: MessageContext, addedFields: readonly string[] = []): DecodedMessage {
  const result: DecodedMessage = { accepted: [], rejected: [] };
  const isBatch = message.readings !== undefined && message.readings !== null; // null counts as absent
  const items: unknown[] = isBatch
    ? (Array.isArray(message.readings) ? message.readings : [message.readings])
    : [message];

  const messageFailure = checkEnvelope(message, ctx, isBatch);
  for (const item of items) {
    const failure = messageFailure ?? (isJsonObject(item) ? null : { reason: 'reading_not_object', detail: `readings[] element is ${describe(item)}` } as Failure);
    if (failure) {
      result.rejected.push(reject(deviceFields(item, isBatch, addedFields), ctx, failure, null));
      continue;
    }
    const outcome = decodeReading(item as JsonObject, ctx, (message.seq ?? undefined) as number | undefined);
    if ('reason' in outcome) result.rejected.push(reject(deviceFields(item, isBatch, addedFields), ctx, outcome, outcome.ts));
    else result.accepted.push(outcome);
  }
  return result;
}

/** A single-form message is the reading itself: without the fields that others added to it. */
function deviceFields(item: unknown, isBatch: boolean, addedFields: readonly string[]): unknown {
  if (isBatch || addedFields.length === 0 || !isJsonObject(item)) return item;
  const copy = { ...item };
  for (const field of addedFields) delete copy[field];
  return copy;
}

/** Checks that apply to every reading of the message at once. */
function checkEnvelope(message: JsonObject, ctx: MessageContext, isBatch: boolean): Failure | null {
  if (!isValidId(ctx.siteId)) return { reason: 'invalid_site_id', detail: `site_id ${describe(ctx.siteId)} is not a valid ID` };
  if (!isValidId(ctx.topicDeviceId)) return { reason: 'invalid_device_id', detail: `device_id ${describe(ctx.topicDeviceId)} is not a valid ID` };
  if (message.device_id !== undefined && message.device_id !== null && message.device_id !== ctx.topicDeviceId) {
    return { reason: 'device_mismatch', detail: `envelope device_id ${describe(message.device_id)} != topic device ${ctx.topicDeviceId}` };
  }
  if (message.seq !== undefined && message.seq !== null && !(Number.isSafeInteger(message.seq) && (message.seq as number) >= 0)) {
    return { reason: 'seq_invalid', detail: `seq ${describe(message.seq)} is not an integer >= 0` };
  }
  if (isBatch && !Array.isArray(message.readings)) {
    return { reason: 'readings_not_array', detail: `readings is ${describe(message.readings)}` };
  }
  return null;
}

/** The normalized reading, or why it is refused (with its ts when that could be parsed). */
function decodeReading(item: JsonObject, ctx: MessageContext, seq: number | undefined): NormalizedReading | (Failure & { ts: number | null }) {
  const ts = parseTimestamp(item.ts);
  const tsFailure = checkTs(item.ts, ts, ctx.receivedAt);
  if (tsFailure) return { ...tsFailure, ts };
  for (const column of MEASURE_COLUMNS) {
    const failure = checkMeasure(column.name, column.measure, item[column.name]);
    if (failure) return { ...failure, ts };
  }
  // One fixed shape, in schema order (absent fields stay undefined, which JSON.stringify omits):
  // monomorphic objects keep the hot path fast. test/pipeline/decode covers every field.
  return {
    site_id: ctx.siteId as string,
    device_id: ctx.topicDeviceId as string,
    ts: ts as number,
    energy_import_kwh: item.energy_import_kwh as number,
    energy_export_kwh: measure(item.energy_export_kwh),
    power_w: measure(item.power_w),
    voltage_v: measure(item.voltage_v),
    current_a: measure(item.current_a),
    power_factor: measure(item.power_factor),
    frequency_hz: measure(item.frequency_hz),
    seq,
    received_at: ctx.receivedAt,
  };
}

const measure = (value: unknown): number | undefined => (value === null ? undefined : (value as number | undefined));

function checkMeasure(name: string, rule: MeasureRule, value: unknown): Failure | null {
  if (value === undefined || value === null) {
    return rule.required ? { reason: rule.missingReason as ReadingReason, detail: `${name} is missing` } : null;
  }
  if (typeof value !== 'number') return { reason: 'field_type', detail: `${name} is ${describe(value)}, not a number` };
  if (!Number.isFinite(value)) return { reason: 'not_finite', detail: `${name} is not finite` };
  if (rule.min !== undefined && value < rule.min) return { reason: rule.belowReason as ReadingReason, detail: `${name} ${value} < ${rule.min}` };
  if (rule.max !== undefined && value > rule.max) return { reason: rule.aboveReason as ReadingReason, detail: `${name} ${value} > ${rule.max}` };
  return null;
}

function checkTs(raw: unknown, ts: number | null, receivedAt: number): Failure | null {
  if (raw === undefined || raw === null) return { reason: 'ts_missing', detail: 'ts is missing' };
  if (ts === null) return { reason: 'ts_invalid', detail: `ts ${describe(raw)} is not ISO-8601 with offset or integer epoch ms` };
  if (ts < LIMITS.minTsMs) return { reason: 'ts_too_old', detail: `ts ${new Date(Math.max(ts, -8.64e15)).toISOString()} is before 2000-01-01` };
  if (ts > receivedAt + LIMITS.maxClockSkewMs) return { reason: 'ts_in_future', detail: `ts is ${Math.round((ts - receivedAt) / 1000)} s after receive time` };
  return null;
}

function reject(item: unknown, ctx: MessageContext, failure: Failure, ts: number | null): RejectedReading {
  return {
    site_id: typeof ctx.siteId === 'string' ? ctx.siteId : null,
    device_id: typeof ctx.topicDeviceId === 'string' ? ctx.topicDeviceId : null,
    ts: ts !== null && ts >= LIMITS.minTsMs && ts <= ctx.receivedAt + LIMITS.maxClockSkewMs ? ts : null,
    reason: failure.reason,
    detail: failure.detail || READING_REASONS[failure.reason],
    payload: payloadText(item),
    received_at: ctx.receivedAt,
  };
}

/** The rejected reading as JSON text; a JSON string marker when it nests too deep to re-encode. */
function payloadText(item: unknown): string {
  try {
    return JSON.stringify(item) ?? 'null';
  } catch {
    return JSON.stringify('<not re-encodable: nested deeper than the JSON encoder allows>');
  }
}

/** A short, safe description of a JSON value for `detail` (never the whole value). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}
