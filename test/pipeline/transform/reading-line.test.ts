// readingLine must write exactly what JSON.stringify wrote before it: the raw zone's bytes, and
// what the converter reads back, do not change. JSON.stringify is the oracle throughout.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateFleetMessages } from '../../../firmware/simulator/fleet.ts';
import { decodeMessage, type MessageContext } from '../../../pipeline/decode/payload.ts';
import { READING_COLUMNS } from '../../../pipeline/schema/readings.ts';
import { jsonNumber, readingLine } from '../../../pipeline/transform/reading-line.ts';
import { contractMessageArb, hostileIdArb, receivedAtArb, validIdArb } from '../../helpers/reading-arbitraries.ts';

/** Numbers with at most three decimals, of every size up to a meter register's limit, either sign. */
const thousandthsArb = fc.tuple(fc.integer({ min: -1e15, max: 1e15 }), fc.integer({ min: 0, max: 6 }))
  .map(([thousandths, shift]) => thousandths / 1000 / 10 ** shift * 10 ** shift);
const edgeNumbers = [
  0, -0, 1, -1, 0.001, -0.001, 0.0005, 0.1 + 0.2, 999_999_999.999, 1e9 - 0.001, 1e9, 1e9 + 0.5, -1e9 - 0.5,
  2 ** 30 - 1, 2 ** 30, -(2 ** 30), 2 ** 31, 2 ** 31 - 1, 2 ** 53 - 1, 2 ** 53, -(2 ** 53) + 1, 2 ** 53 + 2,
  1e7, 1e7 - 1, 123 * 1e7, 900_719_925 * 1e7 - 1, 1e21, 1e21 - 65536, 1.5e300, 5e-324, 1e-7, 1e-6,
  1790557620000, 1795741657335, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
];

describe('jsonNumber', () => {
  it('writes the edge values (small and large integers, the split at 10^7, 2^53, exponents, non-finite) as JSON.stringify does', () => {
    for (const value of edgeNumbers) expect(jsonNumber(value), String(value)).toBe(JSON.stringify(value));
  });

  it('writes any double as JSON.stringify does', () => {
    fc.assert(fc.property(fc.double(), (value) => jsonNumber(value) === JSON.stringify(value)), { numRuns: 20_000 });
  });

  it('writes integers up to and past 2^53 as JSON.stringify does', () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }).map(Number)),
      (value) => jsonNumber(value) === JSON.stringify(value)), { numRuns: 20_000 });
  });

  it('writes values with at most three decimals, as meters send them, as JSON.stringify does', () => {
    fc.assert(fc.property(thousandthsArb, (value) => jsonNumber(value) === JSON.stringify(value)), { numRuns: 20_000 });
  });

  it('writes epoch milliseconds from 2000 to 2100 as JSON.stringify does', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => jsonNumber(ms) === String(ms)), { numRuns: 20_000 });
  });
});

describe('readingLine', () => {
  const contextArb: fc.Arbitrary<MessageContext> = fc.record({ siteId: fc.oneof({ arbitrary: validIdArb, weight: 4 }, hostileIdArb), topicDeviceId: fc.oneof({ arbitrary: validIdArb, weight: 4 }, hostileIdArb), receivedAt: receivedAtArb });

  it('writes every reading decodeMessage accepts as JSON.stringify does', () => {
    let accepted = 0;
    fc.assert(fc.property(contractMessageArb, contextArb, (message, ctx) => {
      for (const reading of decodeMessage(message, ctx).accepted) {
        accepted++;
        expect(readingLine(reading)).toBe(JSON.stringify(reading));
      }
    }), { numRuns: 3_000 });
    expect(accepted).toBeGreaterThan(300); // the property saw accepted readings, not only rejects (most hostile messages are)
  });

  it('writes the fleet simulator\'s readings (household and commercial meters, a day of each minute) as JSON.stringify does', () => {
    let checked = 0;
    for (const { topic, payload } of generateFleetMessages({ devices: 20, sites: 2, start: '2026-03-29T00:00:00Z', end: '2026-03-30T00:00:00Z', cadenceMs: 60_000, batchSize: 15, seed: 7 })) {
      const [, , siteId, topicDeviceId] = topic.split('/');
      const { accepted } = decodeMessage(JSON.parse(JSON.stringify(payload)) as Record<string, unknown>, { siteId, topicDeviceId, receivedAt: Date.UTC(2026, 2, 30) });
      for (const reading of accepted) expect(readingLine(reading)).toBe(JSON.stringify(reading));
      checked += accepted.length;
    }
    expect(checked).toBe(20 * 24 * 60);
  });

  it('writes the fields in the schema\'s column order, leaving out the ones a reading lacks', () => {
    const full = { site_id: 'site-01', device_id: 'meter-0001', ts: 1790557620000, energy_import_kwh: 1000.017, energy_export_kwh: 12.5, power_w: -350.25, voltage_v: 230.1, current_a: 1.52, power_factor: 0.97, frequency_hz: 50.01, seq: 42, received_at: 1790557621234 };
    expect(Object.keys(JSON.parse(readingLine(full)) as object)).toEqual(READING_COLUMNS.map((c) => c.name));
    expect(readingLine({ site_id: 'site-01', device_id: 'meter-0001', ts: 1790557620000, energy_import_kwh: 1000, received_at: 1790557621234 }))
      .toBe('{"site_id":"site-01","device_id":"meter-0001","ts":1790557620000,"energy_import_kwh":1000,"received_at":1790557621234}');
  });
});
