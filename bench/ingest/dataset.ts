// The ingest benchmark's data: a realistic fleet (1,000 meters x 1,000 one-minute readings by
// default) published as batch messages, passed through the real IoT rule into Firehose records,
// split into processor-sized invocations (Firehose's default 1 MB Lambda buffer).
import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import { generateFleetMessages } from '../../firmware/simulator/fleet.ts';
import { readingsRule as rule } from '../../pipeline/rule/readings-rule.ts';

export interface IngestDataset {
  invocations: FirehoseTransformationEventRecord[][];
  /** Messages published, QoS 1 redeliveries included. */
  messages: number;
  /** Readings in those messages, redelivered copies included (what the transform processes). */
  readings: number;
  /** Messages delivered a second time (QoS 1 redelivery): their readings are duplicates for the converter to remove. */
  redelivered: number;
  inputBytes: number;
}

/** One message in this many is delivered twice, as a QoS 1 redelivery 2 s later. */
export const REDELIVERY_EVERY = 100;

const PROCESSOR_BUFFER_BYTES = 1_000_000;

export function buildDataset({ devices = 1000, readingsPerDevice = 1000, batchSize = 10, seed = 2026 } = {}): IngestDataset {
  const start = Date.UTC(2026, 10, 16); // a Monday, so the data has weekday and weekend shapes when long enough
  const invocations: FirehoseTransformationEventRecord[][] = [];
  let current: FirehoseTransformationEventRecord[] = [];
  let currentBytes = 0;
  let messages = 0;
  let readings = 0;
  let inputBytes = 0;
  let redelivered = 0;
  for (const message of generateFleetMessages({
    devices, sites: Math.max(1, Math.round(devices / 50)), start, end: start + readingsPerDevice * 60_000,
    cadenceMs: 60_000, batchSize, seed, resetProbability: 1e-5, tsFormat: 'mixed', timezones: ['Europe/Stockholm', 'America/New_York'],
  })) {
    const payload = Buffer.from(JSON.stringify(message.payload));
    const copies = messages % REDELIVERY_EVERY === REDELIVERY_EVERY - 1 ? [1_500, 3_500] : [1_500];
    for (const delay of copies) {
      const receivedAt = message.readyAt + delay;
      const out = rule.evaluate({ topic: message.topic, payload, receivedAt });
      if (out === null) throw new Error(`rule did not select ${message.topic}`);
      const data = Buffer.from(out).toString('base64');
      if (currentBytes + data.length > PROCESSOR_BUFFER_BYTES) {
        invocations.push(current);
        current = [];
        currentBytes = 0;
      }
      current.push({ recordId: String(messages), approximateArrivalTimestamp: receivedAt, data });
      currentBytes += data.length;
      inputBytes += out.byteLength;
      messages++;
      readings += message.payload.readings.length;
    }
    if (copies.length > 1) redelivered++;
  }
  if (current.length) invocations.push(current);
  return { invocations, messages, readings, redelivered, inputBytes };
}
