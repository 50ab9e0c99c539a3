// Properties of the transform over arbitrary records: transformRecord and transformFirehoseEvent
// are total, conserve readings, emit only contract-valid lines, keep the Firehose contract (one
// result per record, in order) and never answer with more bytes than the response budget.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transformFirehoseEvent } from '../../../pipeline/transform/firehose.ts';
import { transformRecord } from '../../../pipeline/transform/record.ts';
import { readingCount } from '../../helpers/hostile-corpus.ts';
import {
  anythingObjectArb, contractMessageArb, hostileIdArb, jsonObjectArb, receivedAtArb, TOPIC_DEVICE, TOPIC_SITE,
} from '../../helpers/reading-arbitraries.ts';
import { acceptedViolations, expectedDt, parseLines, rejectedViolations } from '../../helpers/reading-invariants.ts';

/** Firehose's arrival time for the records: a realistic instant. */
const arrivalArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });

/** The rule's `received_at`: usually timestamp(), sometimes absent or unusable (then arrival stands in). */
const ruleReceivedAtArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: receivedAtArb, weight: 6 },
  fc.constantFrom(undefined, null, '2025-11-21T10:00:00Z', -1, 0, 946684799999, 1.5e12 + 0.5, 9e15, Number.MAX_SAFE_INTEGER),
  fc.jsonValue(),
);

const encode = (value: unknown): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(value) ?? 'null', 'utf8'));

/** What the rule sends to Firehose: the device's object plus the rule's three fields (which win). */
const ruleRecordArb = fc
  .record({
    message: fc.oneof({ arbitrary: contractMessageArb, weight: 4 }, jsonObjectArb, anythingObjectArb),
    siteId: fc.oneof({ arbitrary: fc.constant<unknown>(TOPIC_SITE), weight: 4 }, hostileIdArb),
    deviceId: fc.oneof({ arbitrary: fc.constant<unknown>(TOPIC_DEVICE), weight: 4 }, hostileIdArb),
    receivedAt: ruleReceivedAtArb,
  })
  .map(({ message, siteId, deviceId, receivedAt }) => encode({ ...message, site_id: siteId, topic_device_id: deviceId, received_at: receivedAt }));

/** Any bytes a record could hold: rule output, any JSON text, or random bytes. */
const recordDataArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: ruleRecordArb, weight: 6 },
  fc.jsonValue().map(encode),
  fc.uint8Array({ maxLength: 300 }),
  fc.string().map((s) => new Uint8Array(Buffer.from(s, 'utf8'))),
);

/** The receive time transformRecord will use: the rule's when usable, else the arrival time. */
function effectiveReceivedAt(data: Uint8Array, arrivalMs: number): number {
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
  const r = parsed.received_at;
  return Number.isSafeInteger(r) && (r as number) >= Date.UTC(2000, 0, 1) && (r as number) < 8.64e15 ? (r as number) : arrivalMs;
}

/** Firehose events of up to 12 records with realistic, distinct record ids. */
const eventArb = fc.array(fc.tuple(recordDataArb, arrivalArb), { maxLength: 12 }).map((records) => ({
  records: records.map(([data, approximateArrivalTimestamp], i) => ({
    recordId: `49546986683135544286507457936321625675700192471156785${String(i).padStart(3, '0')}`,
    approximateArrivalTimestamp,
    data: Buffer.from(data).toString('base64'),
  })),
}));

const PER_RECORD_WORST_CASE = 256;
const RESPONSE_ENVELOPE = 64;
/**
 * An event with a small response budget: at least every record returned as it came, in the
 * envelope (the smallest budget that can always be kept), at most a few times that.
 */
const budgetedEventArb = eventArb.chain((event) => {
  const floor = RESPONSE_ENVELOPE + event.records.reduce((n, r) => n + r.data.length + PER_RECORD_WORST_CASE, 0);
  return fc.tuple(fc.constant(event), fc.integer({ min: floor, max: 3 * floor + 2_000 }));
});
const sizeFailures = (event: Parameters<typeof transformFirehoseEvent>[0], maxResponseBytes: number): number =>
  transformFirehoseEvent(event, { maxResponseBytes }).failures.filter((f) => f.error === 'response_size_limit').length;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

describe('transformRecord properties', () => {
  it('never throws on any bytes', () => {
    fc.assert(fc.property(recordDataArb, arrivalArb, (data, arrival) => {
      expect(() => transformRecord(data, arrival)).not.toThrow();
    }), { numRuns: 1000 });
  });

  it('returns Ok, Dropped or ProcessingFailed with a known record error', () => {
    fc.assert(fc.property(recordDataArb, arrivalArb, (data, arrival) => {
      const outcome = transformRecord(data, arrival);
      expect(['Ok', 'Dropped', 'ProcessingFailed']).toContain(outcome.result);
      if (outcome.result === 'ProcessingFailed') expect(['not_json', 'not_object', 'payload_too_large']).toContain(outcome.error);
    }), { numRuns: 500 });
  });

  it('accounts for every reading of an object record exactly once, in one line each', () => {
    fc.assert(fc.property(ruleRecordArb, arrivalArb, (data, arrival) => {
      const outcome = transformRecord(data, arrival);
      const count = readingCount(data) as number;
      if (count === 0) {
        expect(outcome.result).toBe('Dropped');
        return;
      }
      if (outcome.result !== 'Ok') throw new Error(`expected Ok, got ${outcome.result}`);
      expect(outcome.accepted.length + outcome.rejected.length).toBe(count);
      expect(parseLines(outcome.lines)).toHaveLength(count);
    }), { numRuns: 500 });
  });

  it('emits only lines that keep the contract, under the earliest day of its lines', () => {
    fc.assert(fc.property(ruleRecordArb, arrivalArb, (data, arrival) => {
      const outcome = transformRecord(data, arrival);
      if (outcome.result !== 'Ok') return;
      const rule = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
      const ctx = { siteId: rule.site_id, deviceId: rule.topic_device_id, receivedAt: effectiveReceivedAt(data, arrival) };
      const lines = parseLines(outcome.lines);
      for (const line of lines) {
        const problems = Object.hasOwn(line, 'reason') ? rejectedViolations(line, ctx) : acceptedViolations(line, ctx);
        expect(problems).toEqual([]);
      }
      expect(outcome.dt).toMatch(DT);
      expect(outcome.dt).toBe(expectedDt(lines));
    }), { numRuns: 500 });
  });
});

describe('transformFirehoseEvent properties', () => {
  it('answers every record once, in order, with its recordId and a valid result', () => {
    fc.assert(fc.property(eventArb, (event) => {
      const { records } = transformFirehoseEvent(event).response;
      expect(records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
      records.forEach((record, i) => {
        expect(['Ok', 'Dropped', 'ProcessingFailed']).toContain(record.result);
        if (record.result !== 'Ok') expect(record.data).toBe(event.records[i]?.data);
      });
    }), { numRuns: 300 });
  });

  it('gives Ok records base64 JSON lines and a YYYY-MM-DD dt partition key', () => {
    fc.assert(fc.property(eventArb, (event) => {
      for (const record of transformFirehoseEvent(event).response.records) {
        if (record.result !== 'Ok') continue;
        expect(record.data).toMatch(BASE64);
        expect(parseLines(Buffer.from(record.data ?? '', 'base64').toString('utf8')).length).toBeGreaterThan(0);
        expect(record.metadata?.partitionKeys.dt).toMatch(DT);
      }
    }), { numRuns: 300 });
  });

  it('never answers with more bytes than the budget, failing the records that do not fit', () => {
    fc.assert(fc.property(budgetedEventArb, ([event, maxResponseBytes]) => {
      const { response, failures } = transformFirehoseEvent(event, { maxResponseBytes });
      expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(maxResponseBytes);
      const unbudgeted = transformFirehoseEvent(event).response.records;
      response.records.forEach((record, i) => {
        const alone = unbudgeted[i];
        if (record.result === 'Ok') expect(record).toEqual(alone);
        else if (alone?.result === 'Ok') {
          expect(record.result).toBe('ProcessingFailed');
          expect(failures.find((f) => f.recordId === record.recordId)?.error).toBe('response_size_limit');
        }
      });
    }), { numRuns: 300 });
  });

  it('meets budgets that some events exceed and others do not (the property above is not vacuous)', () => {
    const samples = fc.sample(budgetedEventArb, { numRuns: 200, seed: 7 });
    const limited = samples.filter(([event, max]) => sizeFailures(event, max) > 0).length;
    expect(limited).toBeGreaterThan(10);
    expect(limited).toBeLessThan(samples.length - 10);
  });
});
