// The store-and-forward queue's segment format (the same framing as the twin's spool,
// infra/local/buffer/spool-format.ts, with the agent's own header and body):
//   magic "WLAGTQ01" | records
//   record = u32 LE body length | u32 LE crc32(body) | body
//   body   = f64 LE id (the message's seq) | u32 LE readings in the message | payload (JSON)
// A write cut short by kill -9 or a power cut leaves a short or mismatching tail; `scanSegment`
// stops at the first such record. Appends are acknowledged only after fsync, so every
// acknowledged record precedes the tail.
import { crc32 } from 'node:zlib';

export const QUEUE_MAGIC = Buffer.from('WLAGTQ01', 'latin1');
export const RECORD_HEADER_BYTES = 8;
const BODY_HEADER_BYTES = 12;
/** Far above the 128 KiB MQTT payload limit: a longer length is corruption. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface QueueRecord {
  id: number;
  readings: number;
  payload: Uint8Array;
}

/** Where a record's payload sits in its segment file. */
export interface RecordLocation {
  id: number;
  readings: number;
  /** Byte offset of the record (its header) in the file. */
  offset: number;
  /** Bytes of the whole record, header included. */
  bytes: number;
}

export function encodeRecord({ id, readings, payload }: QueueRecord): Buffer {
  const bodyLength = BODY_HEADER_BYTES + payload.byteLength;
  if (bodyLength > MAX_BODY_BYTES) throw new RangeError(`queue record of ${payload.byteLength} bytes is over the ${MAX_BODY_BYTES}-byte limit`);
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + bodyLength);
  out.writeUInt32LE(bodyLength, 0);
  out.writeDoubleLE(id, RECORD_HEADER_BYTES);
  out.writeUInt32LE(readings, RECORD_HEADER_BYTES + 8);
  out.set(payload, RECORD_HEADER_BYTES + BODY_HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(RECORD_HEADER_BYTES)), 4);
  return out;
}

/** The payload of a record read back from `offset`, checked again (a disk can rot after recovery). */
export function decodeRecord(record: Buffer): QueueRecord {
  const bodyLength = record.readUInt32LE(0);
  const body = record.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + bodyLength);
  if (body.byteLength !== bodyLength || crc32(body) !== record.readUInt32LE(4)) throw new Error('queue record checksum mismatch');
  return { id: body.readDoubleLE(0), readings: body.readUInt32LE(8), payload: body.subarray(BODY_HEADER_BYTES) };
}

export interface SegmentScan {
  records: RecordLocation[];
  /** Bytes up to the end of the last intact record: where a torn tail is cut off. */
  validBytes: number;
  /** Why scanning stopped before the end, or null when the whole file is intact. */
  tail: string | null;
}

export function scanSegment(file: Buffer): SegmentScan {
  if (file.byteLength < QUEUE_MAGIC.byteLength || !file.subarray(0, QUEUE_MAGIC.byteLength).equals(QUEUE_MAGIC)) {
    return { records: [], validBytes: 0, tail: 'missing or partial segment header' };
  }
  const records: RecordLocation[] = [];
  let offset = QUEUE_MAGIC.byteLength;
  const stop = (tail: string): SegmentScan => ({ records, validBytes: offset, tail });
  while (offset < file.byteLength) {
    if (file.byteLength - offset < RECORD_HEADER_BYTES) return stop('partial record header');
    const bodyLength = file.readUInt32LE(offset);
    if (bodyLength < BODY_HEADER_BYTES || bodyLength > MAX_BODY_BYTES) return stop(`implausible record length ${bodyLength}`);
    const bodyStart = offset + RECORD_HEADER_BYTES;
    if (file.byteLength - bodyStart < bodyLength) return stop('partial record body');
    const body = file.subarray(bodyStart, bodyStart + bodyLength);
    if (crc32(body) !== file.readUInt32LE(offset + 4)) return stop('record checksum mismatch');
    const id = body.readDoubleLE(0);
    const last = records.at(-1);
    if (!Number.isSafeInteger(id) || id < 0 || (last && id <= last.id)) return stop(`record id ${id} out of order`);
    records.push({ id, readings: body.readUInt32LE(8), offset, bytes: RECORD_HEADER_BYTES + bodyLength });
    offset = bodyStart + bodyLength;
  }
  return { records, validBytes: offset, tail: null };
}
