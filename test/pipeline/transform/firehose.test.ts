import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES, transformFirehoseEvent } from '../../../pipeline/transform/firehose.ts';
import { ruleOutput } from '../../helpers/hostile-corpus.ts';
import { parseLines } from '../../helpers/reading-invariants.ts';

const RECEIVED_AT = Date.UTC(2025, 10, 21, 10, 0, 0); // 2025-11-21T10:00:00Z
const ARRIVAL = RECEIVED_AT + 2_000;

type InputRecord = Pick<FirehoseTransformationEventRecord, 'recordId' | 'approximateArrivalTimestamp' | 'data'>;

/** A Firehose record holding what the rule made of a device payload published by meter-0001. */
function record(recordId: string, payload: unknown): InputRecord {
  const data = ruleOutput('dt/energy/site-01/meter-0001/readings', new Uint8Array(Buffer.from(JSON.stringify(payload))), RECEIVED_AT) as Uint8Array;
  return { recordId, approximateArrivalTimestamp: ARRIVAL, data: Buffer.from(data).toString('base64') };
}
const rawRecord = (recordId: string, text: string): InputRecord => ({ recordId, approximateArrivalTimestamp: ARRIVAL, data: Buffer.from(text).toString('base64') });

const reading = (ts: string, energy: number) => ({ ts, energy_import_kwh: energy, power_w: 2300.5, voltage_v: 231.2 });
const batch = { device_id: 'meter-0001', seq: 1042, readings: [reading('2025-11-21T09:55:00Z', 12345.678), reading('2025-11-21T09:56:00Z', 12345.712)] };

describe('transformFirehoseEvent: the Firehose contract', () => {
  it('answers every record once, in order, with its recordId', () => {
    const event = { records: [record('r-1', batch), rawRecord('r-2', 'not json'), record('r-3', { readings: [] })] };
    expect(transformFirehoseEvent(event).response.records.map((r) => [r.recordId, r.result])).toEqual([
      ['r-1', 'Ok'], ['r-2', 'ProcessingFailed'], ['r-3', 'Dropped'],
    ]);
  });

  it('returns an Ok record as base64 JSON lines, one per reading', () => {
    const [result] = transformFirehoseEvent({ records: [record('r-1', batch)] }).response.records;
    const lines = parseLines(Buffer.from(result?.data ?? '', 'base64').toString('utf8'));
    expect(lines.map((l) => [l.device_id, l.ts, l.energy_import_kwh])).toEqual([
      ['meter-0001', Date.UTC(2025, 10, 21, 9, 55), 12345.678], ['meter-0001', Date.UTC(2025, 10, 21, 9, 56), 12345.712],
    ]);
  });

  it('gives an Ok record the dt partition key of its earliest UTC day', () => {
    const spanning = { readings: [reading('2025-11-21T00:01:00Z', 12340.002), reading('2025-11-20T23:59:00Z', 12340.001)] };
    const [result] = transformFirehoseEvent({ records: [record('r-1', spanning)] }).response.records;
    expect(result?.metadata).toEqual({ partitionKeys: { dt: '2025-11-20' } });
  });

  it('returns a failed record with its original data for the error output, and says why', () => {
    const failed = rawRecord('r-9', '{"ts":"2025-11-21T09:55:00Z",');
    const { response, failures } = transformFirehoseEvent({ records: [failed] });
    expect(response.records).toEqual([{ recordId: 'r-9', result: 'ProcessingFailed', data: failed.data }]);
    expect(failures).toEqual([{ recordId: 'r-9', error: 'not_json', detail: expect.any(String) }]);
  });

  it('returns a record with an empty batch as Dropped', () => {
    const [result] = transformFirehoseEvent({ records: [record('r-1', { device_id: 'meter-0001', readings: [] })] }).response.records;
    expect(result?.result).toBe('Dropped');
  });

  it('counts records by result and readings by outcome', () => {
    const mixed = { readings: [reading('2025-11-21T09:55:00Z', 12345.678), reading('2025-11-21T09:56:00Z', -1), reading('2031-01-01T00:00:00Z', 12346)] };
    const { stats } = transformFirehoseEvent({ records: [record('r-1', batch), record('r-2', mixed), rawRecord('r-3', '[]'), record('r-4', { readings: [] })] });
    expect(stats).toEqual({
      records: 4, okRecords: 2, droppedRecords: 1, failedRecords: { not_object: 1 },
      accepted: 3, rejected: { energy_negative: 1, ts_in_future: 1 },
    });
  });

  it("uses the record's approximateArrivalTimestamp when the rule sent no received_at", () => {
    const withoutReceivedAt = rawRecord('r-1', JSON.stringify({ ...reading('2025-11-21T09:55:00Z', 12345.678), site_id: 'site-01', topic_device_id: 'meter-0001' }));
    const [result] = transformFirehoseEvent({ records: [withoutReceivedAt] }).response.records;
    expect(parseLines(Buffer.from(result?.data ?? '', 'base64').toString('utf8'))[0]?.received_at).toBe(ARRIVAL);
  });
});

describe('transformFirehoseEvent: the response size budget', () => {
  /** 700 one-minute readings of a three-phase meter (~105 KB): each output line is larger than its input reading. */
  const bigBatch = (day: number) => ({
    device_id: 'meter-0001',
    seq: day,
    readings: Array.from({ length: 700 }, (_, i) => ({
      ts: new Date(Date.UTC(2025, 10, 1 + (day % 20), 0, i)).toISOString(),
      energy_import_kwh: 12000 + day * 10 + i / 100, power_w: 2300 + (i % 60), voltage_v: 231.2, current_a: 10.1, power_factor: 0.98, frequency_hz: 50.01,
    })),
  });

  it('keeps a burst of large batches under the 6 MB default by failing the records that no longer fit', () => {
    const records = Array.from({ length: 35 }, (_, i) => record(`r-${i}`, bigBatch(i)));
    expect(records.reduce((n, r) => n + r.data.length, 0)).toBeLessThan(MAX_RESPONSE_BYTES); // Firehose's own invocation limit
    const { response, failures } = transformFirehoseEvent({ records });

    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const results = response.records.map((r) => r.result);
    expect(results).toContain('Ok');
    expect(results).toContain('ProcessingFailed');
    expect(new Set(failures.map((f) => f.error))).toEqual(new Set(['response_size_limit']));
  });

  it('returns records failed for size with their original data, so they can be replayed from errors/', () => {
    const records = Array.from({ length: 35 }, (_, i) => record(`r-${i}`, bigBatch(i)));
    const failed = transformFirehoseEvent({ records }).response.records.filter((r) => r.result === 'ProcessingFailed');
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r.data).toBe(records.find((input) => input.recordId === r.recordId)?.data);
  });

  it('fails an Ok record whose output does not fit a small budget', () => {
    const input = record('r-1', bigBatch(0));
    const { response, failures } = transformFirehoseEvent({ records: [input] }, { maxResponseBytes: input.data.length + 1_000 });
    expect(response.records[0]?.result).toBe('ProcessingFailed');
    expect(failures[0]?.error).toBe('response_size_limit');
  });

  it('keeps every record Ok when the whole response fits', () => {
    const records = [record('r-1', batch), record('r-2', batch)];
    expect(transformFirehoseEvent({ records }).response.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
  });
});
