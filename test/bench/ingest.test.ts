// Smoke test of the ingest benchmark on a tiny fleet, so the bench code cannot rot unnoticed.
// No timing assertions: only that every measurement ran and produced sane numbers.
import { beforeAll, describe, expect, it } from 'vitest';
import { runIngestSuite, type IngestResult } from '../../bench/ingest/suite.ts';
import { ingestTables } from '../../bench/ingest/tables.ts';
import { silentLog } from '../../bench/measure.ts';

const DEVICES = 20;
const READINGS_PER_DEVICE = 30;

describe('ingest benchmark suite (20 meters x 30 readings, 1 rep)', () => {
  let result: IngestResult;
  beforeAll(async () => {
    result = await runIngestSuite({ devices: DEVICES, readingsPerDevice: READINGS_PER_DEVICE, reps: 1, log: silentLog });
  });

  it('builds the dataset through the IoT rule and delivers every reading to the raw zone', () => {
    expect(result.dataset.readings).toBe(DEVICES * READINGS_PER_DEVICE);
    expect(result.raw.failedRecords).toBe(0);
    expect(result.raw.lines).toBe(result.dataset.readings);
    expect(result.raw.objects).toBeGreaterThanOrEqual(1);
    expect(result.raw.bytes).toBeGreaterThan(0);
  });

  it('measures the transform and its baseline with one sample each and positive throughput', () => {
    for (const run of [result.transform.baseline, result.transform.transform]) {
      expect(run.timing.samplesMs).toHaveLength(1);
      expect(run.readingsPerSecond).toBeGreaterThan(0);
    }
    expect(result.transform.ratio).toBeGreaterThan(0);
  });

  it('measures DuckDB\'s plain COPY and the converter on the same lines, with positive throughput and bytes', () => {
    const { duckdbDefault, converter } = result.convert;
    expect(duckdbDefault.rows).toBe(result.raw.lines);
    for (const run of [duckdbDefault, converter]) {
      expect(run.readingsPerSecond).toBeGreaterThan(0);
      expect(run.bytes).toBeGreaterThan(0);
    }
    expect(result.convert.bytesRatio).toBe(converter.bytes / duckdbDefault.bytes);
    expect(converter.codec).toBe('ZSTD');
  });

  it('counts as many converter output rows as distinct (device_id, ts) readings', () => {
    expect(result.convert.distinctReadings).toBeGreaterThan(0);
    expect(result.convert.converter.rows).toBe(result.convert.distinctReadings);
  });

  it('writes the same readings with parquetjs-lite and hyparquet-writer, both SNAPPY', () => {
    expect(result.peers.rows).toBe(result.raw.lines);
    expect(result.peers.writers.map((w) => [w.name.split(' ')[0], w.codec])).toEqual([['parquetjs-lite', 'SNAPPY'], ['hyparquet-writer', 'SNAPPY']]);
    for (const writer of result.peers.writers) {
      expect(writer.rows).toBe(result.peers.rows);
      expect(writer.readingsPerSecond).toBeGreaterThan(0);
      expect(writer.bytes).toBeGreaterThan(0);
    }
    expect(result.peers.parse.readingsPerSecond).toBeGreaterThan(0);
  });

  it('renders a table per measurement and the acceptance targets', () => {
    const markdown = ingestTables(result);
    for (const heading of ['dataset', 'transform', 'converter', 'Parquet writers', 'acceptance']) {
      expect(markdown).toContain(`### Ingest: ${heading}`);
    }
    const readings = String(DEVICES * READINGS_PER_DEVICE);
    expect(markdown).toContain(`| converter rows = distinct (device_id, ts) | ${readings} / ${readings} | equal: pass |`);
  });
});
