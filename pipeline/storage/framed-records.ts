// Crash-safe append-only record files, shared by the twin's spool (infra/local/buffer) and the
// metering box's queue (firmware/agent/queue). A file is a magic header followed by frames:
//   u32 LE body length | u32 LE crc32(body) | body
// A write torn by kill -9 or a power cut leaves a short or mismatching tail; `scanFrames` stops at
// the first such frame so recovery can truncate it. Appends are acknowledged only after fsync,
// so every acknowledged record precedes the tail. Each user defines its own magic and body.
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 8;

export interface FrameFormat {
  /** What the records are, for error messages ("spool record", "queue record"). */
  what: string;
  magic: Buffer;
  /** Smallest valid body (its fixed header); a shorter length is corruption. */
  minBodyBytes: number;
  /** Largest valid body; a longer length is corruption. */
  maxBodyBytes: number;
}

/** One frame whose body (`bodyLength` bytes) `fill` writes; the checksum is computed after. */
export function encodeFrame(format: FrameFormat, bodyLength: number, fill: (frame: Buffer, bodyStart: number) => void): Buffer {
  if (bodyLength > format.maxBodyBytes) {
    throw new RangeError(`${format.what} of ${bodyLength - format.minBodyBytes} bytes is over the ${format.maxBodyBytes}-byte limit`);
  }
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  out.writeUInt32LE(bodyLength, 0);
  fill(out, FRAME_HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(FRAME_HEADER_BYTES)), 4);
  return out;
}

/** The body of one frame read back on its own, checked again (a disk can rot after recovery). */
export function decodeFrame(format: FrameFormat, frame: Buffer): Buffer {
  const bodyLength = frame.readUInt32LE(0);
  const body = frame.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + bodyLength);
  if (body.byteLength !== bodyLength || crc32(body) !== frame.readUInt32LE(4)) throw new Error(`${format.what} checksum mismatch`);
  return body;
}

export interface FrameScan<T> {
  /** Intact records, in file order. */
  records: T[];
  /** Bytes up to the end of the last intact frame: where a torn tail is cut off. */
  validBytes: number;
  /** Why scanning stopped before the end of the file, or null when the whole file is intact. */
  tail: string | null;
}

/**
 * Reads every intact frame of a file's contents. `parse` turns a checked body into a record, or
 * returns a string saying why the body is not valid, which ends the scan like a torn frame.
 */
export function scanFrames<T>(
  format: FrameFormat,
  file: Buffer,
  parse: (body: Buffer, frame: { offset: number; bytes: number }, previous: T | undefined) => T | string,
): FrameScan<T> {
  const { magic } = format;
  if (file.byteLength < magic.byteLength || !file.subarray(0, magic.byteLength).equals(magic)) {
    // A crash right after creating the file can leave even the header short.
    return { records: [], validBytes: 0, tail: 'missing or partial segment header' };
  }
  const records: T[] = [];
  let offset = magic.byteLength;
  const stop = (tail: string): FrameScan<T> => ({ records, validBytes: offset, tail });
  while (offset < file.byteLength) {
    if (file.byteLength - offset < FRAME_HEADER_BYTES) return stop('partial record header');
    const bodyLength = file.readUInt32LE(offset);
    if (bodyLength < format.minBodyBytes || bodyLength > format.maxBodyBytes) return stop(`implausible record length ${bodyLength}`);
    const bodyStart = offset + FRAME_HEADER_BYTES;
    if (file.byteLength - bodyStart < bodyLength) return stop('partial record body');
    const body = file.subarray(bodyStart, bodyStart + bodyLength);
    if (crc32(body) !== file.readUInt32LE(offset + 4)) return stop('record checksum mismatch');
    const record = parse(body, { offset, bytes: FRAME_HEADER_BYTES + bodyLength }, records.at(-1));
    if (typeof record === 'string') return stop(record);
    records.push(record);
    offset = bodyStart + bodyLength;
  }
  return { records, validBytes: offset, tail: null };
}
