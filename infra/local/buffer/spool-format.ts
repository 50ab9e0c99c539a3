// The spool's on-disk format: framed records (pipeline/storage/framed-records.ts: length, CRC32,
// torn-tail detection) after the magic "WLSPOOL1", each body
//   u8 kind | f64 LE receivedAt | data
import { encodeFrame, scanFrames, type FrameFormat, type FrameScan } from '../../../pipeline/storage/framed-records.ts';

export const SEGMENT_MAGIC = Buffer.from('WLSPOOL1', 'latin1');
const BODY_HEADER_BYTES = 9;
/** Far above the 128 KiB MQTT limit plus the rule's additions: a longer length is corruption. */
export const MAX_RECORD_BODY_BYTES = 4 * 1024 * 1024;
const SPOOL_FORMAT: FrameFormat = { what: 'spool record', magic: SEGMENT_MAGIC, minBodyBytes: BODY_HEADER_BYTES, maxBodyBytes: MAX_RECORD_BODY_BYTES };

/**
 * `rule-output`: what the IoT rule emitted, bound for the transform.
 * `refused-oversize`: a payload over IoT Core's limit, bound for the error output as it is.
 */
export type SpoolRecordKind = 'rule-output' | 'refused-oversize';
const KIND_CODES: Record<SpoolRecordKind, number> = { 'rule-output': 0, 'refused-oversize': 1 };
const KINDS: SpoolRecordKind[] = ['rule-output', 'refused-oversize'];

export interface SpoolRecord {
  kind: SpoolRecordKind;
  /** Broker receive time, epoch ms: Firehose's approximateArrivalTimestamp. */
  receivedAt: number;
  data: Uint8Array;
}

export function encodeRecord({ kind, receivedAt, data }: SpoolRecord): Buffer {
  return encodeFrame(SPOOL_FORMAT, BODY_HEADER_BYTES + data.byteLength, (out, body) => {
    out.writeUInt8(KIND_CODES[kind], body);
    out.writeDoubleLE(receivedAt, body + 1);
    out.set(data, body + BODY_HEADER_BYTES);
  });
}

/** Intact records of a segment (their data are views into the scanned buffer), and where a torn tail starts. */
export type SegmentScan = FrameScan<SpoolRecord>;

/** Reads every intact record of a segment file's contents and finds where a torn tail starts. */
export function scanSegment(file: Buffer): SegmentScan {
  return scanFrames(SPOOL_FORMAT, file, (body) => {
    const kind = KINDS[body.readUInt8(0)];
    if (kind === undefined) return `unknown record kind ${body.readUInt8(0)}`;
    return { kind, receivedAt: body.readDoubleLE(1), data: body.subarray(BODY_HEADER_BYTES) };
  });
}
