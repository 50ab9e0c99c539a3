// The hostile-input corpus (test/fixtures/hostile/NNN-name.json): loading the cases with their
// payload bytes, and building the bytes the IoT rule would hand to Firehose for a case.
// The rule is re-implemented here on purpose (rather than importing the rule evaluator) so the
// corpus checks the transform against the contract's rule, not against another piece of code.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { READING_REASONS, type ReadingReason } from '../../pipeline/decode/reasons.ts';
import { contractReadingCount } from './reading-invariants.ts';

export const HOSTILE_DIR = fileURLToPath(new URL('../fixtures/hostile/', import.meta.url));

/** What the contract says must happen to a case. */
export type CaseExpectation =
  | { kind: 'record_error'; error: 'not_json' | 'not_object' | 'payload_too_large' }
  | { kind: 'readings'; accepted: number; rejected: Partial<Record<ReadingReason, number>> }
  | { kind: 'dropped' }
  /** The topic does not match `dt/energy/+/+/readings`: the rule never fires. */
  | { kind: 'no_rule_match' };

export interface HostileCase {
  /** File name, e.g. `042-ts-boolean.json`. */
  file: string;
  description: string;
  topic: string;
  /** Epoch ms the rule's timestamp() returns for this case. */
  receivedAt: number;
  /** The device's MQTT payload, byte for byte. */
  payload: Uint8Array;
  expect: CaseExpectation;
}

const RECORD_ERRORS_IN_CORPUS = ['not_json', 'not_object', 'payload_too_large'] as const;

/** Every case of the corpus, in file order. Throws on a malformed case file so fixture mistakes are loud. */
export function loadHostileCorpus(dir: string = HOSTILE_DIR): HostileCase[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      if (!/^\d{3}-[a-z0-9-]+\.json$/.test(file)) throw new Error(`${file}: case files are named NNN-short-name.json`);
      return parseCase(file, JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as unknown);
    });
}

function parseCase(file: string, doc: unknown): HostileCase {
  const fail = (why: string): never => { throw new Error(`${file}: ${why}`); };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('not a JSON object');
  const d = doc as Record<string, unknown>;
  if (typeof d.description !== 'string' || d.description === '') fail('description must be a non-empty string');
  if (typeof d.topic !== 'string') fail('topic must be a string');
  if (!Number.isSafeInteger(d.received_at)) fail('received_at must be integer epoch ms');
  const payloadFields = ['payload', 'payload_text', 'payload_base64'].filter((k) => Object.hasOwn(d, k));
  if (payloadFields.length !== 1) fail('needs exactly one of payload, payload_text, payload_base64');
  let payload: Uint8Array;
  if (Object.hasOwn(d, 'payload')) payload = Buffer.from(JSON.stringify(d.payload), 'utf8');
  else if (typeof d.payload_text === 'string') payload = Buffer.from(d.payload_text, 'utf8');
  else if (typeof d.payload_base64 === 'string') payload = Buffer.from(d.payload_base64, 'base64');
  else return fail(`${payloadFields[0]} must be a string`);
  return {
    file,
    description: d.description as string,
    topic: d.topic as string,
    receivedAt: d.received_at as number,
    payload: new Uint8Array(payload),
    expect: parseExpectation(d.expect, fail),
  };
}

function parseExpectation(raw: unknown, fail: (why: string) => never): CaseExpectation {
  if (typeof raw !== 'object' || raw === null) return fail('expect must be an object');
  const e = raw as Record<string, unknown>;
  if (Object.hasOwn(e, 'record_error')) {
    const error = RECORD_ERRORS_IN_CORPUS.find((r) => r === e.record_error);
    return error ? { kind: 'record_error', error } : fail(`unknown record_error ${String(e.record_error)}`);
  }
  if (e.dropped === true) return { kind: 'dropped' };
  if (e.rule_match === false) return { kind: 'no_rule_match' };
  if (Number.isSafeInteger(e.accepted) && typeof e.rejected === 'object' && e.rejected !== null) {
    const rejected: Partial<Record<ReadingReason, number>> = {};
    for (const [reason, count] of Object.entries(e.rejected)) {
      if (!Object.hasOwn(READING_REASONS, reason)) fail(`unknown reason ${reason}`);
      if (!Number.isSafeInteger(count) || (count as number) < 1) fail(`count for ${reason} must be a positive integer`);
      rejected[reason as ReadingReason] = count as number;
    }
    return { kind: 'readings', accepted: e.accepted as number, rejected };
  }
  return fail('expect must be record_error, dropped, rule_match: false or accepted + rejected');
}

/** The MQTT topic levels (topic(1) is index 0). */
export const topicLevels = (topic: string): string[] => topic.split('/');

/**
 * Whether the topic filter `dt/energy/+/+/readings` matches (`+` matches exactly one level, even an
 * empty one). A topic with NUL or a wildcard is not a valid MQTT publish topic: nothing matches it.
 */
export function ruleMatches(topic: string): boolean {
  if (/[\0+#]/.test(topic)) return false;
  const levels = topicLevels(topic);
  return levels.length === 5 && levels[0] === 'dt' && levels[1] === 'energy' && levels[4] === 'readings';
}

/**
 * Parse a payload the way the rule engine sees it: strict UTF-8 (a BOM is kept, so it fails
 * JSON.parse) then JSON. `undefined` when the payload is not JSON.
 */
export function parsePayload(payload: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(payload)) };
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The bytes the rule `SELECT *, topic(3) AS site_id, topic(4) AS topic_device_id, timestamp() AS
 * received_at` sends to Firehose, or `null` when the topic does not match. For a JSON object the
 * three fields are appended to the payload's own text (so duplicate keys, `__proto__` members and
 * very deep values reach the transform as sent, and a payload field of the same name is
 * overridden, as the rule's alias overrides `*`); any other payload passes through unchanged.
 */
export function ruleOutput(topic: string, payload: Uint8Array, receivedAt: number): Uint8Array | null {
  if (!ruleMatches(topic)) return null;
  // AWS: "if you have an empty or a JSON payload, the resulting payload can have data added".
  if (payload.byteLength === 0) payload = Buffer.from('{}');
  const parsed = parsePayload(payload);
  if (!parsed || !isObject(parsed.value)) return payload;
  const levels = topicLevels(topic);
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(payload).trimEnd();
  const body = text.slice(0, -1); // drop the closing brace
  const separator = body.trim() === '{' ? '' : ',';
  const added = `"site_id":${JSON.stringify(levels[2])},"topic_device_id":${JSON.stringify(levels[3])},"received_at":${receivedAt}`;
  return new Uint8Array(Buffer.from(`${body}${separator}${added}}`, 'utf8'));
}

/** `ruleOutput` for a corpus case. */
export const caseRuleOutput = (c: HostileCase): Uint8Array | null => ruleOutput(c.topic, c.payload, c.receivedAt);

/** How many readings a device payload carries (`contractReadingCount`); `undefined` when it is not a JSON object. */
export function readingCount(payload: Uint8Array): number | undefined {
  const parsed = parsePayload(payload.byteLength === 0 ? Buffer.from('{}') : payload);
  return parsed && isObject(parsed.value) ? contractReadingCount(parsed.value) : undefined;
}
