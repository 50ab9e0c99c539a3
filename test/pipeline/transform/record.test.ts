import { describe, expect, it } from 'vitest';
import { transformRecord, type RecordOutcome } from '../../../pipeline/transform/record.ts';
import { ruleOutput } from '../../helpers/hostile-corpus.ts';
import { parseLines } from '../../helpers/reading-invariants.ts';

const TOPIC = 'dt/energy/site-01/meter-0001/readings';
const RECEIVED_AT = Date.UTC(2025, 10, 21, 10, 0, 0); // 2025-11-21T10:00:00Z
/** Firehose's approximateArrivalTimestamp: a couple of seconds after the rule saw the message. */
const ARRIVAL = RECEIVED_AT + 2_000;

const reading = (ts: string, energy: number, extra: Record<string, unknown> = {}) => ({ ts, energy_import_kwh: energy, power_w: 2300.5, voltage_v: 231.2, ...extra });
/** The bytes the IoT rule hands Firehose for a device payload published on TOPIC. */
const fromDevice = (payload: unknown, receivedAt = RECEIVED_AT): Uint8Array =>
  ruleOutput(TOPIC, new Uint8Array(Buffer.from(JSON.stringify(payload))), receivedAt) as Uint8Array;
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

function ok(outcome: RecordOutcome): Extract<RecordOutcome, { result: 'Ok' }> {
  if (outcome.result !== 'Ok') throw new Error(`expected Ok, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('transformRecord: lines', () => {
  it('gives the same outcome when the caller hands over the JSON value it already parsed', () => {
    const data = fromDevice({ device_id: 'meter-0001', seq: 1042, readings: [
      reading('2025-11-21T09:55:00Z', 12345.678), reading('2025-11-21T09:56:00Z', -1), reading('2025-11-21T09:57:00Z', 12345.712),
    ] });
    const parsed: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
    const before = structuredClone(parsed);
    expect(transformRecord(data, ARRIVAL, parsed)).toEqual(transformRecord(data, ARRIVAL));
    expect(parsed).toEqual(before); // read, not changed
  });

  it('writes one newline-terminated JSON line per reading', () => {
    const { lines } = ok(transformRecord(fromDevice({ device_id: 'meter-0001', seq: 1042, readings: [
      reading('2025-11-21T09:55:00Z', 12345.678), reading('2025-11-21T09:56:00Z', 12345.712),
    ] }), ARRIVAL));
    expect(lines.endsWith('\n')).toBe(true);
    expect(lines.split('\n')).toHaveLength(3);
  });

  it('writes accepted readings normalized with the topic site and device, the seq and the receive time', () => {
    const { lines } = ok(transformRecord(fromDevice({ seq: 1042, readings: [reading('2025-11-21T09:55:00Z', 12345.678)] }), ARRIVAL));
    expect(parseLines(lines)).toEqual([{
      site_id: 'site-01', device_id: 'meter-0001', ts: Date.UTC(2025, 10, 21, 9, 55), energy_import_kwh: 12345.678,
      power_w: 2300.5, voltage_v: 231.2, seq: 1042, received_at: RECEIVED_AT,
    }]);
  });

  it('writes a quarantined reading as a line with its reason, next to the accepted ones', () => {
    const { lines } = ok(transformRecord(fromDevice({ readings: [
      reading('2025-11-21T09:55:00Z', 12345.678), reading('2025-11-21T09:56:00Z', -1),
    ] }), ARRIVAL));
    expect(parseLines(lines).map((l) => l.reason ?? 'accepted')).toEqual(['accepted', 'energy_negative']);
  });

  it("keeps a quarantined single-form reading's own fields, without the rule's", () => {
    const sent = reading('2025-11-21T09:55:00Z', -1);
    const [line] = parseLines(ok(transformRecord(fromDevice(sent), ARRIVAL)).lines);
    expect(JSON.parse(line?.payload as string)).toEqual(sent);
  });
});

describe('transformRecord: the dt partition key', () => {
  it('is the UTC day of the readings', () => {
    expect(ok(transformRecord(fromDevice(reading('2025-11-21T09:55:00Z', 12345.678)), ARRIVAL)).dt).toBe('2025-11-21');
  });

  it('is the UTC day, not the local day of an offset timestamp', () => {
    expect(ok(transformRecord(fromDevice(reading('2025-11-21T00:30:00+01:00', 12345.678)), ARRIVAL)).dt).toBe('2025-11-20');
  });

  it('is the earliest day for a batch spanning two UTC days', () => {
    const { dt } = ok(transformRecord(fromDevice({ readings: [
      reading('2025-11-21T00:01:00Z', 12340.002), reading('2025-11-20T23:59:00Z', 12340.001),
    ] }), ARRIVAL));
    expect(dt).toBe('2025-11-20');
  });

  it("is the receive day when no line has a usable ts", () => {
    const { dt } = ok(transformRecord(fromDevice(reading('2031-01-01T00:00:00Z', 12345.678)), ARRIVAL));
    expect(dt).toBe('2025-11-21');
  });

  it('is a YYYY-MM-DD date even for a received_at after year 9999', () => {
    const receivedAt = Date.UTC(10000, 0, 1);
    const outcome = transformRecord(fromDevice({ ts: 'not a time', energy_import_kwh: 1 }, receivedAt), ARRIVAL);
    expect(outcome.result === 'Ok' ? outcome.dt : 'not Ok').toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('does not throw for a ts past the last date JavaScript can represent', () => {
    // received_at just under the code's 8.64e15 cut-off lets a ts 5 minutes later through.
    const receivedAt = 8.64e15 - 1;
    expect(() => transformRecord(fromDevice({ ts: 8.64e15 + 1_000, energy_import_kwh: 1 }, receivedAt), ARRIVAL)).not.toThrow();
  });
});

describe('transformRecord: received_at', () => {
  it("stamps every line with the rule's received_at", () => {
    const lines = parseLines(ok(transformRecord(fromDevice({ readings: [reading('2025-11-21T09:55:00Z', 1), reading('2025-11-21T09:56:00Z', -1)] }), ARRIVAL)).lines);
    expect(lines.map((l) => l.received_at)).toEqual([RECEIVED_AT, RECEIVED_AT]);
  });

  it('falls back to the Firehose arrival time when the rule sent no received_at', () => {
    const record = bytes(JSON.stringify({ ...reading('2025-11-21T09:55:00Z', 12345.678), site_id: 'site-01', topic_device_id: 'meter-0001' }));
    expect(ok(transformRecord(record, ARRIVAL)).accepted[0]?.received_at).toBe(ARRIVAL);
  });

  it.each([['a string', '2025-11-21T10:00:00Z'], ['a time before 2000', 946684799999], ['a fraction', 1763719200000.5]])(
    'falls back to the Firehose arrival time when received_at is %s',
    (_what, receivedAt) => {
      const record = bytes(JSON.stringify({ ...reading('2025-11-21T09:55:00Z', 12345.678), site_id: 'site-01', topic_device_id: 'meter-0001', received_at: receivedAt }));
      expect(ok(transformRecord(record, ARRIVAL)).accepted[0]?.received_at).toBe(ARRIVAL);
    },
  );
});

describe('transformRecord: records that fail or are dropped whole', () => {
  it('drops a record whose batch is empty', () => {
    expect(transformRecord(fromDevice({ device_id: 'meter-0001', seq: 1043, readings: [] }), ARRIVAL)).toEqual({ result: 'Dropped' });
  });

  it.each([
    ['truncated JSON', bytes('{"ts":"2025-11-21T09:55:00Z","energy_imp')],
    ['a trailing comma', bytes('{"ts":"2025-11-21T09:55:00Z","energy_import_kwh":1,}')],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['a byte order mark', new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"ts":1763718900000,"energy_import_kwh":1}')])],
    ['an empty record', new Uint8Array()],
  ])('fails %s as not_json', (_what, data) => {
    expect(transformRecord(data, ARRIVAL)).toMatchObject({ result: 'ProcessingFailed', error: 'not_json' });
  });

  it.each([['an array', '[{"ts":1763718900000,"energy_import_kwh":1}]'], ['a string', '"meter online"'], ['null', 'null'], ['a number', '42']])(
    'fails %s as not_object',
    (_what, text) => {
      expect(transformRecord(bytes(text), ARRIVAL)).toMatchObject({ result: 'ProcessingFailed', error: 'not_object' });
    },
  );

  /** A device payload of exactly `size` bytes: one reading padded with an unknown field. */
  const payloadOfSize = (size: number): Uint8Array => {
    const head = '{"ts":"2025-11-21T09:55:00Z","energy_import_kwh":12345.678,"pad":"';
    return bytes(`${head}${'x'.repeat(size - head.length - 2)}"}`);
  };

  it('accepts a device payload of exactly 128 KiB', () => {
    const data = ruleOutput(TOPIC, payloadOfSize(128 * 1024), RECEIVED_AT) as Uint8Array;
    expect(transformRecord(data, ARRIVAL).result).toBe('Ok');
  });

  it('fails a device payload one byte over 128 KiB as payload_too_large', () => {
    const data = ruleOutput(TOPIC, payloadOfSize(128 * 1024 + 1), RECEIVED_AT) as Uint8Array;
    expect(transformRecord(data, ARRIVAL)).toMatchObject({ result: 'ProcessingFailed', error: 'payload_too_large' });
  });

  it('does not throw when a rule field is nested deeper than JSON.stringify can recurse', () => {
    // Only hostile bytes (never the real rule) carry this; the transform must still answer.
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const record = bytes(`{"ts":"2025-11-21T09:55:00Z","energy_import_kwh":1,"site_id":${deep},"topic_device_id":"meter-0001","received_at":${RECEIVED_AT}}`);
    expect(() => transformRecord(record, ARRIVAL)).not.toThrow();
  });
});

describe('transformRecord: the rule action separator', () => {
  /** A batch payload padded with an unknown field to exactly `size` bytes. */
  const payloadOfSize = (size: number): string => {
    const base = JSON.stringify({ device_id: 'meter-0001', readings: [reading('2025-11-21T09:55:00Z', 12.5)], note: '' });
    return base.replace('"note":""', `"note":"${'x'.repeat(size - Buffer.byteLength(base))}"`);
  };

  it('does not count the newline the Firehose action appends toward the 128 KiB payload limit', () => {
    const payload = payloadOfSize(128 * 1024);
    const withNewline = Buffer.concat([Buffer.from(ruleOutput(TOPIC, bytes(payload), RECEIVED_AT)!), Buffer.from('\n')]);
    expect(ok(transformRecord(withNewline, ARRIVAL)).accepted).toHaveLength(1);
  });

  it('still refuses a payload one byte over the limit when a newline follows it', () => {
    const payload = payloadOfSize(128 * 1024 + 1);
    const withNewline = Buffer.concat([Buffer.from(ruleOutput(TOPIC, bytes(payload), RECEIVED_AT)!), Buffer.from('\n')]);
    expect(transformRecord(withNewline, ARRIVAL)).toMatchObject({ result: 'ProcessingFailed', error: 'payload_too_large' });
  });
});
