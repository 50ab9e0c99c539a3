// The Firehose stand-in shared by `wattlake ingest` and the twin's durable buffer: records are
// transformed as they arrive and collected into processor-sized batches (Firehose's 1 MB Lambda
// buffer), to which the response budget applies as in AWS; Ok output is encoded per `dt` until
// `deliver()`, which writes raw objects and the error output like Firehose and then runs the
// converter on each new raw object (the S3-event path).
import type { DuckDBInstance } from '@duckdb/node-api';
import { convertRawObject } from '../../pipeline/convert/converter.ts';
import type { ActionRecord } from '../../pipeline/rule/evaluate.ts';
import type { RecordError } from '../../pipeline/decode/reasons.ts';
import type { ObjectStore } from '../../pipeline/storage/object-store.ts';
import { applyResponseBudget, base64Length, transformToCounts, type PlainRecord, type TransformedRecord } from '../../pipeline/transform/batch.ts';
import { deliverToLake, errorOutputLines } from './firehose-delivery.ts';
import { GrowingText, ReusedBuffers } from './reused-buffers.ts';

/** Where raw objects' lines are encoded: one process-wide set, as deliveries come and go. */
export const textBuffers = new ReusedBuffers();

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
  private readonly byDay = new Map<string, GrowingText>();
  private errorLines = '';
  private batch: PlainRecord[] = [];
  private transformed: TransformedRecord[] = [];
  /** The batch's size as Firehose counts it (base64), against the processor buffer. */
  private batchBytes = 0;

  constructor(private readonly options: LocalFirehoseOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Bytes waiting for `deliver()`: the open batch (counted as base64) and the encoded output. */
  get bufferedBytes(): number {
    let bytes = this.batchBytes;
    for (const text of this.byDay.values()) bytes += text.byteLength;
    return bytes;
  }

  /**
   * Adds one record: what the IoT rule's Firehose action sends (the rule's output and the
   * action's separator, as in AWS; `evaluateForAction`), transformed here and now. The record
   * stays plain bytes: base64 is only how Firehose carries it to a Lambda, and the batch sizes
   * and response budget are still counted in base64 bytes.
   */
  put({ data, json }: ActionRecord, arrivalMs: number): void {
    const size = base64Length(data.byteLength);
    if (this.batchBytes + size > (this.options.processorBufferBytes ?? PROCESSOR_BUFFER_BYTES)) this.sealBatch();
    const record = { data, arrivalMs };
    this.batch.push(record);
    this.transformed.push(transformToCounts(record, json));
    this.batchBytes += size;
    this.stats.records++;
  }

  /** The open batch's response, as the transform Lambda would have returned it: Ok lines into their partition's text. */
  private sealBatch(): void {
    if (this.batch.length === 0) return;
    const output = applyResponseBudget(this.batch, this.transformed);
    for (const outcome of output.outcomes) {
      if (outcome.result !== 'Ok') continue;
      let text = this.byDay.get(outcome.dt);
      if (text === undefined) this.byDay.set(outcome.dt, text = new GrowingText(textBuffers));
      text.append(outcome.lines);
    }
    this.errorLines += errorOutputLines(this.batch, output.failures, this.now());
    this.stats.accepted += output.stats.accepted;
    this.stats.droppedRecords += output.stats.droppedRecords;
    addCounts(this.stats.rejected, output.stats.rejected);
    addCounts(this.stats.failedRecords, output.stats.failedRecords);
    this.batch = [];
    this.transformed = [];
    this.batchBytes = 0;
  }

  /** Records a message refused before the transform (e.g. over IoT Core's size limit) in the error output. */
  refuse(data: Uint8Array, arrivalMs: number, error: RecordError, detail: string): void {
    this.errorLines += errorOutputLines([{ data, arrivalMs }], [{ index: 0, error, detail }], this.now());
    this.stats.failedRecords[error] = (this.stats.failedRecords[error] ?? 0) + 1;
  }

  /** Closes the open batch, writes raw objects and error output, converts each raw object. Returns the new raw keys. */
  async deliver(onConverted?: () => void): Promise<string[]> {
    this.sealBatch();
    const texts = [...this.byDay];
    const errorLines = this.errorLines;
    this.byDay.clear();
    this.errorLines = '';
    try {
      const byDay = new Map(texts.map(([dt, text]) => [dt, text.bytes()]));
      const { store, duckdb, stream } = this.options;
      const delivered = await deliverToLake({ store, stream, byDay, errorLines, nowMs: this.now() });
      this.stats.rawObjects += delivered.raw.length;
      this.stats.errorObjects += delivered.errorKey ? 1 : 0;
      for (const { dt, key: rawKey } of delivered.raw) {
        // The S3-event path, minus reading back and gunzipping what was just written.
        const converted = await convertRawObject({ store, rawKey, duckdb, body: byDay.get(dt) });
        this.stats.curatedFiles += converted.readings.length;
        this.stats.rejectedFiles += converted.rejected.length;
        this.stats.duplicatesRemoved += converted.duplicatesRemoved;
        onConverted?.();
      }
      return delivered.raw.map((r) => r.key);
    } finally {
      for (const [, text] of texts) text.release();
    }
  }
}

export function addCounts(into: Record<string, number>, from: Partial<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + (n ?? 0);
}
