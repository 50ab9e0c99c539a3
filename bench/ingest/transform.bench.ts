// Transform throughput against the least work any Firehose transform must do on the same
// records: decode and parse each input, serialize each output line, encode each output, and
// return the response.
import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import { transformFirehoseEvent } from '../../pipeline/transform/firehose.ts';
import { measurePair, throughput, type Log, type Timing } from '../measure.ts';
import type { IngestDataset } from './dataset.ts';

type Invocation = FirehoseTransformationEventRecord[];

export interface TransformBenchResult {
  readings: number;
  records: number;
  invocations: number;
  baseline: { timing: Timing; readingsPerSecond: number };
  transform: { timing: Timing; readingsPerSecond: number };
  /** Throughput of the real transform over the baseline's (target >= 0.7). */
  ratio: number;
}

export async function benchTransform({ dataset, reps, log }: { dataset: IngestDataset; reps: number; log: Log }): Promise<TransformBenchResult> {
  const { invocations } = dataset;
  log('transform baseline: precomputing output objects');
  const outputs = outputObjects(invocations);
  // Alternating runs: both see the same heap (the baseline's precomputed objects included).
  const [transform, baseline] = await measurePair(['transform', 'transform baseline'], { reps, log },
    () => transformPass(invocations), () => baselinePass(invocations, outputs));
  if (transform.value !== dataset.readings) log(`transform: accepted ${transform.value} of ${dataset.readings} readings`);
  return {
    readings: dataset.readings,
    records: dataset.messages,
    invocations: invocations.length,
    baseline: { timing: baseline.timing, readingsPerSecond: throughput(dataset.readings, baseline.timing) },
    transform: { timing: transform.timing, readingsPerSecond: throughput(dataset.readings, transform.timing) },
    ratio: baseline.timing.medianMs / transform.timing.medianMs,
  };
}

/** The real transform's output lines, parsed back into objects: per invocation, per record (empty unless Ok). */
function outputObjects(invocations: readonly Invocation[]): unknown[][][] {
  return invocations.map((records) => transformFirehoseEvent({ records }).response.records.map((r) => (
    r.result === 'Ok' ? Buffer.from(r.data ?? '', 'base64').toString('utf8').split('\n').filter((l) => l !== '').map((l): unknown => JSON.parse(l)) : []
  )));
}

/** Accepted readings, so the work is consumed. */
function transformPass(invocations: readonly Invocation[]): number {
  let accepted = 0;
  for (const records of invocations) accepted += transformFirehoseEvent({ records }).stats.accepted;
  return accepted;
}

/**
 * The floor: base64-decode + JSON.parse per record, JSON.stringify per output line, base64-encode
 * per output, and the response array Firehose needs back (every transform must return its output,
 * so the encoded data stays alive until the invocation ends). Returns output characters.
 */
function baselinePass(invocations: readonly Invocation[], outputs: readonly (readonly (readonly unknown[])[])[]): number {
  let sink = 0;
  for (let i = 0; i < invocations.length; i++) {
    const records = invocations[i] as Invocation;
    const perRecord = outputs[i] as readonly (readonly unknown[])[];
    const response: { recordId: string; result: string; data: string }[] = [];
    for (let j = 0; j < records.length; j++) {
      const record = records[j] as { recordId: string; data: string };
      try {
        sink += typeof JSON.parse(Buffer.from(record.data, 'base64').toString('utf8')) === 'object' ? 1 : 0;
      } catch {
        continue; // a record that is not JSON has no output lines
      }
      const objects = perRecord[j] as readonly unknown[];
      if (objects.length === 0) continue;
      let lines = '';
      for (const object of objects) lines += `${JSON.stringify(object)}\n`;
      response.push({ recordId: record.recordId, result: 'Ok', data: Buffer.from(lines, 'utf8').toString('base64') });
    }
    for (const r of response) sink += r.data.length;
  }
  return sink;
}
