// The spool's on-disk format: framed records (pipeline/storage/framed-records.ts: length, CRC32,
// torn-tail detection) after the magic "WLSPOOL1", each body
//   u8 kind | f64 LE receivedAt | data                                    (rule-output, refused-oversize)
//   u8 kind | f64 LE receivedAt | u16 LE topic bytes | u16 LE client id bytes | topic | client id | payload   (publish)
import { encodeFrame, scanFrames, type FrameFormat, type FrameScan } from '../../../pipeline/storage/framed-records.ts';

export const SEGMENT_MAGIC = Buffer.from('WLSPOOL1', 'latin1');
const BODY_HEADER_BYTES = 9;
const PUBLISH_HEADER_BYTES = BODY_HEADER_BYTES + 4;
/** Far above the 128 KiB MQTT limit plus the rule's additions: a longer length is corruption. */
export const MAX_RECORD_BODY_BYTES = 4 * 1024 * 1024;
const SPOOL_FORMAT: FrameFormat = { what: 'spool record', magic: SEGMENT_MAGIC, minBodyBytes: BODY_HEADER_BYTES, maxBodyBytes: MAX_RECORD_BODY_BYTES };
const MAX_NAME_BYTES = 0xffff;

/**
 * `publish`: a publish the IoT rule selects, as the broker accepted it; the delivery evaluates the
 *   rule on it (IoT Core, too, runs rules after the PUBACK), off the broker's event loop.
 * `rule-output`: what the IoT rule emitted, bound for the transform (what spools hold that were
 *   written before the rule moved to delivery; still delivered).
 * `refused-oversize`: a payload over IoT Core's limit, bound for the error output as it is.
 */
export type SpoolRecord =
  | { kind: 'publish'; receivedAt: number; topic: string; clientId: string; data: Uint8Array }
  | { kind: 'rule-output' | 'refused-oversize'; receivedAt: number; data: Uint8Array };
// receivedAt: broker receive time, epoch ms (the rule's timestamp(), Firehose's approximateArrivalTimestamp).
// data: the payload (publish, refused-oversize) or the rule's output (rule-output).
export type SpoolRecordKind = SpoolRecord['kind'];
const KIND_CODES: Record<SpoolRecordKind, number> = { 'rule-output': 0, 'refused-oversize': 1, publish: 2 };
const KINDS: SpoolRecordKind[] = ['rule-output', 'refused-oversize', 'publish'];

/** The header every kind starts with: kind code, receive time. */
function writeBodyHeader(out: Buffer, body: number, { kind, receivedAt }: SpoolRecord): void {
  out.writeUInt8(KIND_CODES[kind], body);
  out.writeDoubleLE(receivedAt, body + 1);
}

export function encodeRecord(record: SpoolRecord): Buffer {
  const { kind, data } = record;
  if (kind !== 'publish') {
    return encodeFrame(SPOOL_FORMAT, BODY_HEADER_BYTES + data.byteLength, (out, body) => {
      writeBodyHeader(out, body, record);
      out.set(data, body + BODY_HEADER_BYTES);
    });
  }
  const topicBytes = Buffer.byteLength(record.topic, 'utf8');
  const clientIdBytes = Buffer.byteLength(record.clientId, 'utf8');
  // MQTT itself caps both at 65,535 bytes, so the broker never hands over longer ones.
  if (topicBytes > MAX_NAME_BYTES || clientIdBytes > MAX_NAME_BYTES) throw new RangeError(`spool: topic or client id over ${MAX_NAME_BYTES} bytes`);
  return encodeFrame(SPOOL_FORMAT, PUBLISH_HEADER_BYTES + topicBytes + clientIdBytes + data.byteLength, (out, body) => {
    writeBodyHeader(out, body, record);
    out.writeUInt16LE(topicBytes, body + BODY_HEADER_BYTES);
    out.writeUInt16LE(clientIdBytes, body + BODY_HEADER_BYTES + 2);
    out.write(record.topic, body + PUBLISH_HEADER_BYTES, 'utf8');
    out.write(record.clientId, body + PUBLISH_HEADER_BYTES + topicBytes, 'utf8');
    out.set(data, body + PUBLISH_HEADER_BYTES + topicBytes + clientIdBytes);
  });
}

/** Intact records of a segment (their data are views into the scanned buffer), and where a torn tail starts. */
export type SegmentScan = FrameScan<SpoolRecord>;

/** Reads every intact record of a segment file's contents and finds where a torn tail starts. */
export function scanSegment(file: Buffer): SegmentScan {
  return scanFrames(SPOOL_FORMAT, file, (body): SpoolRecord | string => {
    const kind = KINDS[body.readUInt8(0)];
    if (kind === undefined) return `unknown record kind ${body.readUInt8(0)}`;
    const receivedAt = body.readDoubleLE(1);
    if (kind !== 'publish') return { kind, receivedAt, data: body.subarray(BODY_HEADER_BYTES) };
    if (body.byteLength < PUBLISH_HEADER_BYTES) return 'publish record shorter than its header';
    const topicEnd = PUBLISH_HEADER_BYTES + body.readUInt16LE(BODY_HEADER_BYTES);
    const clientIdEnd = topicEnd + body.readUInt16LE(BODY_HEADER_BYTES + 2);
    if (clientIdEnd > body.byteLength) return 'publish record shorter than its topic and client id';
    return {
      kind, receivedAt,
      topic: body.toString('utf8', PUBLISH_HEADER_BYTES, topicEnd),
      clientId: body.toString('utf8', topicEnd, clientIdEnd),
      data: body.subarray(clientIdEnd),
    };
  });
}
