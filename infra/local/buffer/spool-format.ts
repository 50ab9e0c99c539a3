// The spool's on-disk format. A segment file is a magic header followed by records:
//   u32 LE body length | u32 LE crc32(body) | body
//   body = u8 kind | f64 LE receivedAt | data
// A write torn by a crash (kill -9 mid-write, or a power cut before fsync) leaves a short or
// mismatching tail; `scanSegment` stops at the first such record, so recovery can truncate it.
// Only records whose append had been fsynced were acknowledged, and those all precede the tail.
import { crc32 } from 'node:zlib';

export const SEGMENT_MAGIC = Buffer.from('WLSPOOL1', 'latin1');
const RECORD_HEADER_BYTES = 8;
const BODY_HEADER_BYTES = 9;
/** Far above the 128 KiB MQTT limit plus the rule's additions: a longer length is corruption. */
export const MAX_RECORD_BODY_BYTES = 4 * 1024 * 1024;

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
  const bodyLength = BODY_HEADER_BYTES + data.byteLength;
  if (bodyLength > MAX_RECORD_BODY_BYTES) throw new RangeError(`spool record of ${data.byteLength} bytes is over the ${MAX_RECORD_BODY_BYTES}-byte limit`);
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + bodyLength);
  out.writeUInt32LE(bodyLength, 0);
  out.writeUInt8(KIND_CODES[kind], RECORD_HEADER_BYTES);
  out.writeDoubleLE(receivedAt, RECORD_HEADER_BYTES + 1);
  out.set(data, RECORD_HEADER_BYTES + BODY_HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(RECORD_HEADER_BYTES)), 4);
  return out;
}

export interface SegmentScan {
  /** Intact records, in append order (their data are views into the scanned buffer). */
  records: SpoolRecord[];
  /** Bytes up to the end of the last intact record: where a torn tail is cut off. */
  validBytes: number;
  /** Why scanning stopped before the end of the file, or null when the whole file is intact. */
  tail: string | null;
}

/** Reads every intact record of a segment file's contents and finds where a torn tail starts. */
export function scanSegment(file: Buffer): SegmentScan {
  if (file.byteLength < SEGMENT_MAGIC.byteLength || !file.subarray(0, SEGMENT_MAGIC.byteLength).equals(SEGMENT_MAGIC)) {
    // A crash right after creating the file can leave even the header short.
    return { records: [], validBytes: 0, tail: 'missing or partial segment header' };
  }
  const records: SpoolRecord[] = [];
  let offset = SEGMENT_MAGIC.byteLength;
  const stop = (tail: string): SegmentScan => ({ records, validBytes: offset, tail });
  while (offset < file.byteLength) {
    if (file.byteLength - offset < RECORD_HEADER_BYTES) return stop('partial record header');
    const bodyLength = file.readUInt32LE(offset);
    if (bodyLength < BODY_HEADER_BYTES || bodyLength > MAX_RECORD_BODY_BYTES) return stop(`implausible record length ${bodyLength}`);
    const bodyStart = offset + RECORD_HEADER_BYTES;
    if (file.byteLength - bodyStart < bodyLength) return stop('partial record body');
    const body = file.subarray(bodyStart, bodyStart + bodyLength);
    if (crc32(body) !== file.readUInt32LE(offset + 4)) return stop('record checksum mismatch');
    const kind = KINDS[body.readUInt8(0)];
    if (kind === undefined) return stop(`unknown record kind ${body.readUInt8(0)}`);
    records.push({ kind, receivedAt: body.readDoubleLE(1), data: body.subarray(BODY_HEADER_BYTES) });
    offset = bodyStart + bodyLength;
  }
  return { records, validBytes: offset, tail: null };
}
