// The store-and-forward queue's segment format: framed records (pipeline/storage/framed-records.ts,
// the twin's spool uses the same framing: length, CRC32, torn-tail detection) after the magic
// "WLAGTQ01", each body
//   f64 LE id (the message's seq) | u32 LE readings in the message | payload (JSON)
// A write cut short by kill -9 or a power cut leaves a short or mismatching tail; `scanSegment`
// stops at the first such record. Appends are acknowledged only after fsync, so every
// acknowledged record precedes the tail.
import { decodeFrame, encodeFrame, scanFrames, type FrameFormat, type FrameScan } from '../../../pipeline/storage/framed-records.ts';

export const QUEUE_MAGIC = Buffer.from('WLAGTQ01', 'latin1');
const BODY_HEADER_BYTES = 12;
/** Far above the 128 KiB MQTT payload limit: a longer length is corruption. */
const MAX_BODY_BYTES = 1024 * 1024;
const QUEUE_FORMAT: FrameFormat = { what: 'queue record', magic: QUEUE_MAGIC, minBodyBytes: BODY_HEADER_BYTES, maxBodyBytes: MAX_BODY_BYTES };

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
  return encodeFrame(QUEUE_FORMAT, BODY_HEADER_BYTES + payload.byteLength, (out, body) => {
    out.writeDoubleLE(id, body);
    out.writeUInt32LE(readings, body + 8);
    out.set(payload, body + BODY_HEADER_BYTES);
  });
}

/** The payload of a record read back from `offset`, checked again (a disk can rot after recovery). */
export function decodeRecord(record: Buffer): QueueRecord {
  const body = decodeFrame(QUEUE_FORMAT, record);
  return { id: body.readDoubleLE(0), readings: body.readUInt32LE(8), payload: body.subarray(BODY_HEADER_BYTES) };
}

/** Where each intact record sits in a segment, and where a torn tail starts. */
export type SegmentScan = FrameScan<RecordLocation>;

export function scanSegment(file: Buffer): SegmentScan {
  return scanFrames<RecordLocation>(QUEUE_FORMAT, file, (body, { offset, bytes }, last) => {
    const id = body.readDoubleLE(0);
    if (!Number.isSafeInteger(id) || id < 0 || (last && id <= last.id)) return `record id ${id} out of order`;
    return { id, readings: body.readUInt32LE(8), offset, bytes };
  });
}
