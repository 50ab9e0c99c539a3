// What Firehose does with a transformation response, on the local lake: Ok records are
// concatenated per `dt` partition key into gzip objects under raw/readings/dt=…/, and
// ProcessingFailed records go, with their error, to the error output under errors/readings/.
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { FirehoseTransformationResult } from 'aws-lambda';
import { errorsKey, rawReadingsKey } from '../../pipeline/storage/keys.ts';
import type { ObjectStore } from '../../pipeline/storage/object-store.ts';
import type { BatchOutput, PlainRecord } from '../../pipeline/transform/batch.ts';
import { ReusedBuffers } from './reused-buffers.ts';

// Asynchronous gzip runs on libuv's thread pool, off the event loop.
const gzipAsync = promisify(gzipCallback);
// Level 3, not zlib's default 6: on the simulator's readings it takes half the CPU (about 1 us
// less per reading, a sizeable share of the twin's delivery work) for objects 18 % larger.
// (In AWS, Firehose compresses; this level only applies to the twin's raw zone.)
const gzip = (data: Uint8Array | string): Promise<Buffer> => gzipAsync(data, { level: 3 });

/** Firehose-style object name: `<stream>-<version>-<YYYY-MM-DD-HH-MM-SS>-<uuid>`. */
export function firehoseObjectName(stream: string, nowMs: number, extension: string): string {
  const stamp = new Date(nowMs).toISOString().slice(0, 19).replace(/[T:]/g, '-');
  return `${stream}-1-${stamp}-${randomUUID()}${extension}`;
}

/** Groups Ok records' data by partition key; returns JSON-lines text per `dt`. */
export function partitionOkRecords(response: FirehoseTransformationResult): Map<string, string[]> {
  const byDay = new Map<string, string[]>();
  for (const record of response.records) {
    if (record.result !== 'Ok') continue;
    const dt = record.metadata?.partitionKeys?.dt;
    if (dt === undefined) throw new Error(`transform returned Ok record ${record.recordId} without a dt partition key`);
    const chunks = byDay.get(dt) ?? [];
    chunks.push(Buffer.from(record.data ?? '', 'base64').toString('utf8'));
    byDay.set(dt, chunks);
  }
  return byDay;
}

/** Firehose's processing-failed error output format, one JSON line per failed record (rawData: the record, base64). */
export function errorOutputLines(source: readonly PlainRecord[], failures: BatchOutput['failures'], nowMs: number): string {
  return failures.map((f) => {
    const record = source[f.index];
    return `${JSON.stringify({
      attemptsMade: 1,
      arrivalTimestamp: record?.arrivalMs ?? nowMs,
      errorCode: f.error,
      errorMessage: f.detail,
      attemptEndingTimestamp: nowMs,
      rawData: record ? Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString('base64') : '',
      lambdaArn: 'local:wattlake-transform',
    })}\n`;
  }).join('');
}

/** Where raw objects' lines are encoded: one process-wide set, as deliveries come and go. */
export const textBuffers = new ReusedBuffers();

export interface DeliveredToLake {
  rawKeys: string[];
  /** The uncompressed lines of each raw object (for the converter hand-off), valid until `release()`. */
  lines: Uint8Array[];
  errorKey: string | null;
  /** Gives the lines' memory back for reuse; call once they are converted. */
  release(): void;
}

/**
 * Writes one raw object per partition and, when anything failed, one error-output object.
 * Returns the raw keys, each with the uncompressed lines it holds.
 */
export async function deliverToLake({ store, stream, byDay, errorLines, nowMs }: {
  store: ObjectStore; stream: string; byDay: Map<string, string[]>; errorLines: string; nowMs: number;
}): Promise<DeliveredToLake> {
  const rawKeys: string[] = [];
  const lines: Uint8Array[] = [];
  const taken: Buffer[] = [];
  const release = (): void => {
    for (const buffer of taken.splice(0)) textBuffers.give(buffer);
    lines.length = 0;
  };
  try {
    for (const [dt, chunks] of [...byDay].sort(([a], [b]) => a.localeCompare(b))) {
      const key = rawReadingsKey(dt, firehoseObjectName(stream, nowMs, '.gz'));
      const text = encodeChunks(chunks, taken);
      await store.put(key, await gzip(text));
      rawKeys.push(key);
      lines.push(text);
    }
    let errorKey: string | null = null;
    if (errorLines.length > 0) {
      errorKey = errorsKey(`processing-failed-${firehoseObjectName(stream, nowMs, '.jsonl.gz')}`);
      await store.put(errorKey, await gzip(errorLines));
    }
    return { rawKeys, lines, errorKey, release };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * A partition's lines as UTF-8, written chunk by chunk (joining them into one string first cost
 * more than the transform) into a reused buffer, which is added to `taken`.
 */
function encodeChunks(chunks: readonly string[], taken: Buffer[]): Buffer {
  let bytes = 0;
  for (const chunk of chunks) bytes += Buffer.byteLength(chunk, 'utf8');
  const buffer = textBuffers.take(bytes);
  taken.push(buffer);
  let offset = 0;
  for (const chunk of chunks) offset += buffer.write(chunk, offset, 'utf8');
  return buffer.subarray(0, bytes);
}
