// The Firehose stand-in shared by `wattlake ingest` and the twin's durable buffer: records are
// collected into processor-sized batches for the transform (Firehose's 1 MB Lambda buffer),
// transformed output is held per `dt` until `deliver()`, which writes raw objects and the error
// output like Firehose and then runs the converter on each new raw object (the S3-event path).
import { setImmediate } from 'node:timers/promises';
import type { DuckDBInstance } from '@duckdb/node-api';
import { convertRawObject } from '../../pipeline/convert/converter.ts';
import { READINGS_RULE_SEPARATOR } from '../../pipeline/rule/readings-rule.ts';
import type { RecordError } from '../../pipeline/decode/reasons.ts';
import type { ObjectStore } from '../../pipeline/storage/object-store.ts';
import { base64Length, transformBatch, type PlainRecord } from '../../pipeline/transform/batch.ts';
import { deliverToLake, errorOutputLines } from './firehose-delivery.ts';

const SEPARATOR = Buffer.from(READINGS_RULE_SEPARATOR);

/** Firehose's default Lambda processor buffer (1 MB): the batch the transform sees at once. */
export const PROCESSOR_BUFFER_BYTES = 1_000_000;

export interface FirehoseStats {
  records: number;
  accepted: number;
  rejected: Record<string, number>;
  failedRecords: Record<string, number>;
  droppedRecords: number;
  rawObjects: number;
  errorObjects: number;
  curatedFiles: number;
  rejectedFiles: number;
  duplicatesRemoved: number;
}

export const emptyFirehoseStats = (): FirehoseStats => ({
  records: 0, accepted: 0, rejected: {}, failedRecords: {}, droppedRecords: 0,
  rawObjects: 0, errorObjects: 0, curatedFiles: 0, rejectedFiles: 0, duplicatesRemoved: 0,
});

export interface LocalFirehoseOptions {
  store: ObjectStore;
  duckdb: DuckDBInstance;
  /** Prefix of raw object names, like a delivery stream's name. */
  stream: string;
  now?: () => number;
  processorBufferBytes?: number;
}

export class LocalFirehose {
  readonly stats: FirehoseStats = emptyFirehoseStats();
  private readonly byDay = new Map<string, string[]>();
  private errorLines = '';
  private transformedBytes = 0;
  private batch: PlainRecord[] = [];
  /** The batch's size as Firehose counts it (base64), against the processor buffer. */
  private batchBytes = 0;
  /** Full processor batches waiting for `deliver()`. */
  private pending: PlainRecord[][] = [];
  private pendingBytes = 0;

  constructor(private readonly options: LocalFirehoseOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Bytes waiting for `deliver()` (records not yet transformed, counted as base64, plus transformed output). */
  get bufferedBytes(): number {
    return this.transformedBytes + this.pendingBytes + this.batchBytes;
  }

  /**
   * Adds one record: the IoT rule's output, to which the rule's Firehose action appends its
   * separator, as in AWS. It is transformed, in processor-sized batches, by `deliver()`. The
   * record stays plain bytes: base64 is only how Firehose carries it to a Lambda, and the
   * batch sizes and response budget are still counted in base64 bytes.
   */
  put(data: Uint8Array, arrivalMs: number): void {
    const record = { data: Buffer.concat([data, SEPARATOR]), arrivalMs };
    const size = base64Length(record.data.byteLength);
    if (this.batchBytes + size > (this.options.processorBufferBytes ?? PROCESSOR_BUFFER_BYTES)) this.sealBatch();
    this.batch.push(record);
    this.batchBytes += size;
    this.stats.records++;
  }

  private sealBatch(): void {
    if (this.batch.length === 0) return;
    this.pending.push(this.batch);
    this.pendingBytes += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
  }

  /** Records a message refused before the transform (e.g. over IoT Core's size limit) in the error output. */
  refuse(data: Uint8Array, arrivalMs: number, error: RecordError, detail: string): void {
    this.errorLines += errorOutputLines([{ data, arrivalMs }], [{ index: 0, error, detail }], this.now());
    this.stats.failedRecords[error] = (this.stats.failedRecords[error] ?? 0) + 1;
  }

  private transformBatch(batch: PlainRecord[]): void {
    const output = transformBatch(batch);
    for (const outcome of output.outcomes) {
      if (outcome.result !== 'Ok') continue;
      const day = this.byDay.get(outcome.dt);
      if (day === undefined) this.byDay.set(outcome.dt, [outcome.lines]);
      else day.push(outcome.lines);
      this.transformedBytes += outcome.lines.length;
    }
    this.errorLines += errorOutputLines(batch, output.failures, this.now());
    this.stats.accepted += output.stats.accepted;
    this.stats.droppedRecords += output.stats.droppedRecords;
    addCounts(this.stats.rejected, output.stats.rejected);
    addCounts(this.stats.failedRecords, output.stats.failedRecords);
  }

  /** Transforms what is left, writes raw objects and error output, converts each raw object. Returns the new raw keys. */
  async deliver(onConverted?: () => void): Promise<string[]> {
    this.sealBatch();
    // One processor batch at a time, yielding in between: when this runs on a broker's event
    // loop (in-process delivery; the twin itself delivers in a child process), PUBACKs must not
    // wait behind a whole delivery's worth of transforming.
    for (let batch = this.pending.shift(); batch; batch = this.pending.shift()) {
      this.transformBatch(batch);
      await setImmediate();
    }
    this.pendingBytes = 0;
    const byDay = new Map(this.byDay);
    const errorLines = this.errorLines;
    this.byDay.clear();
    this.errorLines = '';
    this.transformedBytes = 0;
    const { store, duckdb, stream } = this.options;
    const delivered = await deliverToLake({ store, stream, byDay, errorLines, nowMs: this.now() });
    this.stats.rawObjects += delivered.rawKeys.length;
    this.stats.errorObjects += delivered.errorKey ? 1 : 0;
    try {
      for (const [i, rawKey] of delivered.rawKeys.entries()) {
        // The S3-event path, minus reading back and gunzipping what was just written.
        const converted = await convertRawObject({ store, rawKey, duckdb, body: delivered.lines[i] });
        this.stats.curatedFiles += converted.readings.length;
        this.stats.rejectedFiles += converted.rejected.length;
        this.stats.duplicatesRemoved += converted.duplicatesRemoved;
        onConverted?.();
      }
    } finally {
      delivered.release();
    }
    return delivered.rawKeys;
  }
}

export function addCounts(into: Record<string, number>, from: Partial<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + (n ?? 0);
}
