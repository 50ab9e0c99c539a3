// The Firehose stand-in shared by `wattlake ingest` and the twin's durable buffer: records are
// collected into processor-sized batches for the transform (Firehose's 1 MB Lambda buffer),
// transformed output is held per `dt` until `deliver()`, which writes raw objects and the error
// output like Firehose and then runs the converter on each new raw object (the S3-event path).
import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { DuckDBInstance } from '@duckdb/node-api';
import { convertRawObject } from '../../pipeline/convert/converter.ts';
import { READINGS_RULE_SEPARATOR } from '../../pipeline/rule/readings-rule.ts';
import type { RecordError } from '../../pipeline/decode/reasons.ts';
import type { ObjectStore } from '../../pipeline/storage/object-store.ts';
import { transformFirehoseEvent } from '../../pipeline/transform/firehose.ts';
import { deliverToLake, errorOutputLines, partitionOkRecords, type SourceRecord } from './firehose-delivery.ts';

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
  private batch: SourceRecord[] = [];
  private batchBytes = 0;
  /** Full processor batches waiting for `deliver()`. */
  private pending: SourceRecord[][] = [];
  private pendingBytes = 0;

  constructor(private readonly options: LocalFirehoseOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Bytes waiting for `deliver()` (base64 records not yet transformed, plus transformed output). */
  get bufferedBytes(): number {
    return this.transformedBytes + this.pendingBytes + this.batchBytes;
  }

  /**
   * Adds one record: the IoT rule's output, to which the rule's Firehose action appends its
   * separator, as in AWS. It is transformed, in processor-sized batches, by `deliver()`.
   */
  put(data: Uint8Array, arrivalMs: number): void {
    const encoded = Buffer.concat([data, SEPARATOR]).toString('base64');
    if (this.batchBytes + encoded.length > (this.options.processorBufferBytes ?? PROCESSOR_BUFFER_BYTES)) this.sealBatch();
    this.batch.push({ recordId: randomUUID(), data: encoded, approximateArrivalTimestamp: arrivalMs });
    this.batchBytes += encoded.length;
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
    const record = { recordId: randomUUID(), data: Buffer.from(data).toString('base64'), approximateArrivalTimestamp: arrivalMs };
    this.errorLines += errorOutputLines([record], [{ recordId: record.recordId, error, detail }], this.now());
    this.stats.failedRecords[error] = (this.stats.failedRecords[error] ?? 0) + 1;
  }

  private transformBatch(batch: SourceRecord[]): void {
    const output = transformFirehoseEvent({ records: batch });
    for (const [dt, chunks] of partitionOkRecords(output.response)) {
      const day = this.byDay.get(dt) ?? [];
      for (const chunk of chunks) {
        day.push(chunk);
        this.transformedBytes += chunk.length;
      }
      this.byDay.set(dt, day);
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
    // One processor batch at a time, yielding in between: a twin's broker shares this event
    // loop, and PUBACKs must not wait behind a whole delivery's worth of transforming.
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
    for (const rawKey of delivered.rawKeys) {
      const converted = await convertRawObject({ store, rawKey, duckdb });
      this.stats.curatedFiles += converted.readings.length;
      this.stats.rejectedFiles += converted.rejected.length;
      this.stats.duplicatesRemoved += converted.duplicatesRemoved;
      onConverted?.();
    }
    return delivered.rawKeys;
  }
}

export function addCounts(into: Record<string, number>, from: Partial<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + (n ?? 0);
}
