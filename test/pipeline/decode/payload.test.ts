import { describe, expect, it } from 'vitest';
import { decodeMessage, isJsonObject, type MessageContext } from '../../../pipeline/decode/payload.ts';

const RECEIVED_AT = Date.UTC(2025, 10, 21, 10, 0, 0); // 2025-11-21T10:00:00Z
const ctx: MessageContext = { siteId: 'site-01', topicDeviceId: 'meter-0001', receivedAt: RECEIVED_AT };
const reading = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  ts: '2025-11-21T09:55:00Z', energy_import_kwh: 12345.678, power_w: 2300.5, voltage_v: 231.2, ...overrides,
});

describe('decodeMessage: the batch and single forms', () => {
  it('normalizes each reading of a batch with the topic site and device and the receive time', () => {
    const { accepted, rejected } = decodeMessage({
      device_id: 'meter-0001',
      readings: [reading(), reading({ ts: '2025-11-21T09:56:00Z', energy_import_kwh: 12345.71 })],
    }, ctx);
    expect(rejected).toEqual([]);
    expect(accepted).toEqual([
      { site_id: 'site-01', device_id: 'meter-0001', ts: Date.UTC(2025, 10, 21, 9, 55), energy_import_kwh: 12345.678, power_w: 2300.5, voltage_v: 231.2, received_at: RECEIVED_AT },
      { site_id: 'site-01', device_id: 'meter-0001', ts: Date.UTC(2025, 10, 21, 9, 56), energy_import_kwh: 12345.71, power_w: 2300.5, voltage_v: 231.2, received_at: RECEIVED_AT },
    ]);
  });

  it('reads a message without readings as one reading in single form', () => {
    const { accepted } = decodeMessage({ ts: 1763718900000, energy_import_kwh: 8.25 }, ctx);
    expect(accepted).toEqual([{ site_id: 'site-01', device_id: 'meter-0001', ts: 1763718900000, energy_import_kwh: 8.25, received_at: RECEIVED_AT }]);
  });

  it('carries every optional measure through unchanged', () => {
    const measures = { energy_export_kwh: 310.25, power_w: -1800, voltage_v: 229.9, current_a: 7.83, power_factor: -0.97, frequency_hz: 49.98 };
    const [normalized] = decodeMessage(reading(measures), ctx).accepted;
    expect(normalized).toMatchObject(measures);
  });

  it('stamps the envelope seq on every reading of the batch', () => {
    const { accepted } = decodeMessage({ seq: 1042, readings: [reading(), reading({ ts: '2025-11-21T09:56:00Z' })] }, ctx);
    expect(accepted.map((r) => r.seq)).toEqual([1042, 1042]);
  });

  it('leaves unknown fields out of the normalized reading', () => {
    const [normalized] = decodeMessage(reading({ firmware: '1.4.2', rssi: -71 }), ctx).accepted;
    // What is stored is the JSON line: absent fields are omitted there.
    expect(Object.keys(JSON.parse(JSON.stringify(normalized ?? {}))).sort()).toEqual(['device_id', 'energy_import_kwh', 'power_w', 'received_at', 'site_id', 'ts', 'voltage_v']);
  });

  it('stores an ISO ts with an offset as UTC epoch milliseconds', () => {
    const [normalized] = decodeMessage(reading({ ts: '2025-11-21T10:55:00+01:00' }), ctx).accepted;
    expect(normalized?.ts).toBe(Date.UTC(2025, 10, 21, 9, 55));
  });

  it('treats an empty batch as no readings at all', () => {
    expect(decodeMessage({ device_id: 'meter-0001', seq: 1043, readings: [] }, ctx)).toEqual({ accepted: [], rejected: [] });
  });
});

describe('decodeMessage: checks on the whole message', () => {
  it('accepts an envelope device_id equal to the topic device', () => {
    expect(decodeMessage({ device_id: 'meter-0001', readings: [reading()] }, ctx).accepted).toHaveLength(1);
  });

  it('quarantines every reading when the envelope names another device', () => {
    const { accepted, rejected } = decodeMessage({ device_id: 'meter-0002', readings: [reading(), reading({ ts: '2025-11-21T09:56:00Z' })] }, ctx);
    expect(accepted).toEqual([]);
    expect(rejected.map((r) => r.reason)).toEqual(['device_mismatch', 'device_mismatch']);
  });

  it('quarantines every reading when the topic site is not a valid ID', () => {
    const { rejected } = decodeMessage({ readings: [reading(), reading()] }, { ...ctx, siteId: '..' });
    expect(rejected.map((r) => r.reason)).toEqual(['invalid_site_id', 'invalid_site_id']);
  });

  it('quarantines the reading when the topic device is not a valid ID', () => {
    expect(decodeMessage(reading(), { ...ctx, topicDeviceId: '-meter' }).rejected[0]?.reason).toBe('invalid_device_id');
  });

  it('quarantines every reading when seq is not an integer >= 0', () => {
    const { rejected } = decodeMessage({ seq: -1, readings: [reading(), reading()] }, ctx);
    expect(rejected.map((r) => r.reason)).toEqual(['seq_invalid', 'seq_invalid']);
  });

  it('quarantines readings that are not an array as one reading, keeping what was sent', () => {
    const { rejected } = decodeMessage({ readings: reading() }, ctx);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBe('readings_not_array');
    expect(JSON.parse(rejected[0]?.payload ?? '')).toEqual(reading());
  });

  it('quarantines a non-object batch element and lets the other readings go on', () => {
    const { accepted, rejected } = decodeMessage({ readings: [reading(), 'offline', reading({ ts: '2025-11-21T09:56:00Z' })] }, ctx);
    expect(accepted).toHaveLength(2);
    expect(rejected.map((r) => [r.reason, r.payload])).toEqual([['reading_not_object', '"offline"']]);
  });
});

describe('decodeMessage: the rules for one reading', () => {
  it.each([
    ['ts_missing', { ts: undefined }],
    ['ts_invalid', { ts: '2025-11-21T09:55:00' }],
    ['ts_in_future', { ts: '2025-11-21T10:05:00.001Z' }],
    ['ts_too_old', { ts: '1999-12-31T23:59:59.999Z' }],
    ['energy_missing', { energy_import_kwh: undefined }],
    ['energy_negative', { energy_import_kwh: -0.001 }],
    ['energy_negative', { energy_export_kwh: -5 }],
    ['energy_out_of_range', { energy_import_kwh: 1e12 + 1 }],
    ['field_type', { power_w: '2300.5' }],
    ['not_finite', { power_w: Number.NaN }],
    ['voltage_out_of_range', { voltage_v: 1000.1 }],
    ['current_negative', { current_a: -0.5 }],
    ['power_factor_out_of_range', { power_factor: 1.01 }],
    ['frequency_out_of_range', { frequency_hz: 39.99 }],
  ])('quarantines with %s for %o', (reason, overrides) => {
    const { accepted, rejected } = decodeMessage(reading(overrides), ctx);
    expect(accepted).toEqual([]);
    expect(rejected.map((r) => r.reason)).toEqual([reason]);
  });

  it.each([
    ['voltage_v', 0], ['voltage_v', 1000], ['power_factor', -1], ['power_factor', 1],
    ['frequency_hz', 40], ['frequency_hz', 70], ['current_a', 0], ['energy_import_kwh', 0], ['energy_import_kwh', 1e12],
  ])('accepts %s exactly on its bound %d', (field, value) => {
    expect(decodeMessage(reading({ [field]: value }), ctx).accepted).toHaveLength(1);
  });

  it('keeps the valid readings of a batch that also holds invalid ones', () => {
    const { accepted, rejected } = decodeMessage({ readings: [
      reading({ ts: '2025-11-21T09:50:00Z' }),
      reading({ ts: '2025-11-21T09:51:00Z', energy_import_kwh: -3 }),
      reading({ ts: '2025-11-21T09:52:00Z' }),
    ] }, ctx);
    expect(accepted.map((r) => r.ts)).toEqual([Date.UTC(2025, 10, 21, 9, 50), Date.UTC(2025, 10, 21, 9, 52)]);
    expect(rejected.map((r) => r.reason)).toEqual(['energy_negative']);
  });

  it('records a quarantined reading with its own JSON, its ts, a detail naming the field and the topic ids', () => {
    const sent = reading({ voltage_v: 1200 });
    const [rejected] = decodeMessage({ readings: [sent] }, ctx).rejected;
    expect(rejected).toEqual({
      site_id: 'site-01', device_id: 'meter-0001', ts: Date.UTC(2025, 10, 21, 9, 55),
      reason: 'voltage_out_of_range', detail: expect.stringContaining('voltage_v'), payload: JSON.stringify(sent), received_at: RECEIVED_AT,
    });
  });

  it('records no ts for a quarantined reading whose ts is not usable', () => {
    expect(decodeMessage(reading({ ts: '2030-01-01T00:00:00Z' }), ctx).rejected[0]?.ts).toBeNull();
  });

  it('leaves the fields the IoT rule added out of a quarantined single-form payload', () => {
    const message = { ...reading({ energy_import_kwh: -1 }), site_id: 'site-01', topic_device_id: 'meter-0001', received_at: RECEIVED_AT };
    const [rejected] = decodeMessage(message, ctx, ['site_id', 'topic_device_id', 'received_at']).rejected;
    expect(JSON.parse(rejected?.payload ?? '')).toEqual(reading({ energy_import_kwh: -1 }));
  });

  it('quarantines a reading nested deeper than JSON.stringify can recurse without throwing', () => {
    // A device controls the nesting depth; the transform must not crash on it (see the hostile corpus).
    let diag: unknown = 1;
    for (let i = 0; i < 20_000; i++) diag = { a: diag };
    const decode = () => decodeMessage(reading({ energy_import_kwh: -1, diag }), ctx);
    expect(decode).not.toThrow();
    expect(decode().rejected[0]?.reason).toBe('energy_negative');
  });
});

describe('isJsonObject', () => {
  it('is true only for a plain JSON object', () => {
    expect([{}, { readings: [] }, [], null, 'x', 1, true].map(isJsonObject)).toEqual([true, true, false, false, false, false, false]);
  });
});
