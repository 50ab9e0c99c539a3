// The spool's record format: a publish keeps what the broker accepted (topic, client id, receive
// time, payload bytes) for the rule to run on at delivery; damaged records end the scan.
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeRecord, scanSegment, SEGMENT_MAGIC, type SpoolRecord } from '../../../../infra/local/buffer/spool-format.ts';

const RECEIVED = Date.parse('2026-11-21T10:00:05.123Z');
const publish: SpoolRecord = {
  kind: 'publish', receivedAt: RECEIVED, topic: 'dt/energy/site-01/meter-0001/readings', clientId: 'meter-0001',
  data: Buffer.from('{"device_id":"meter-0001","ts":"2026-11-21T10:00:00Z","energy_import_kwh":1234.567}'),
};
const segment = (...frames: Buffer[]): Buffer => Buffer.concat([SEGMENT_MAGIC, ...frames]);

describe('spool record format', () => {
  it('reads a publish back with its topic, client id, receive time and payload bytes', () => {
    const scan = scanSegment(segment(encodeRecord(publish)));
    expect(scan.tail).toBeNull();
    expect(scan.records).toHaveLength(1);
    const [read] = scan.records as [Extract<SpoolRecord, { kind: 'publish' }>];
    expect({ ...read, data: Buffer.from(read.data).toString('utf8') }).toEqual({ ...publish, data: Buffer.from(publish.data).toString('utf8') });
  });

  it('keeps non-ASCII topics and client ids intact (lengths are in bytes, not characters)', () => {
    const record: SpoolRecord = { ...publish, topic: 'dt/energy/zürich-ü/zähler-1/readings', clientId: 'zähler-1' };
    const [read] = scanSegment(segment(encodeRecord(record))).records;
    expect(read).toMatchObject({ kind: 'publish', topic: record.topic, clientId: record.clientId });
    expect(Buffer.from(read!.data).equals(Buffer.from(publish.data))).toBe(true);
  });

  it('still reads the rule-output records that spools written before the rule ran at delivery hold', () => {
    const legacy: SpoolRecord = { kind: 'rule-output', receivedAt: RECEIVED, data: Buffer.from('{"device_id":"meter-0001","site_id":"site-01"}') };
    const scan = scanSegment(segment(encodeRecord(legacy), encodeRecord(publish)));
    expect(scan.records.map((r) => r.kind)).toEqual(['rule-output', 'publish']);
    expect(Buffer.from(scan.records[0]!.data).toString('utf8')).toBe('{"device_id":"meter-0001","site_id":"site-01"}');
  });

  it('ends the scan at a publish whose topic length runs past its record, with the reason', () => {
    const frame = encodeRecord(publish);
    // Frame: u32 length, u32 CRC32 of the body, body (kind, receivedAt, u16 topic bytes, ...).
    frame.writeUInt16LE(0xffff, 8 + 9);
    frame.writeUInt32LE(crc32(frame.subarray(8)), 4); // a checksum that matches: the lengths themselves are wrong
    const scan = scanSegment(segment(encodeRecord(publish), frame));
    expect(scan.records).toHaveLength(1);
    expect(scan.tail).toBe('publish record shorter than its topic and client id');
  });
});
