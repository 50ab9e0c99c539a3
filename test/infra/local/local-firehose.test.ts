import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFirehose, textBuffers } from '../../../infra/local/local-firehose.ts';
import { READINGS_RULE_SEPARATOR, readingsRule } from '../../../pipeline/rule/readings-rule.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';
import { transformBatch, type PlainRecord } from '../../../pipeline/transform/batch.ts';
import { loadHostileCorpus } from '../../helpers/hostile-corpus.ts';
import { fleetPublishes } from '../../helpers/publishes.ts';

// Two days of 5-minute readings from 96 meters, 55,296 readings: each quarter of the fleet makes
// raw objects of more than 1 MB a day, the size from which their lines go into reused buffers.
const fleet = fleetPublishes({
  devices: 96, sites: 4, start: '2026-11-20T00:00:00Z', end: '2026-11-22T00:00:00Z',
  cadenceMs: 300_000, batchSize: 12, seed: 23, tsFormat: 'mixed',
});

describe('LocalFirehose with reused text buffers', () => {
  let lake: TestLake;
  beforeAll(async () => {
    lake = await createTestLake();
  });
  afterAll(async () => {
    await lake.dispose();
  });

  it('converts exactly each delivery\'s own readings when deliveries overlap and later ones reuse the memory', async () => {
    const quarters = [0, 1, 2, 3].map((q) => fleet.publishes.filter((_, i) => i % 4 === q));
    const deliver = async (publishes: typeof fleet.publishes): Promise<void> => {
      const firehose = new LocalFirehose({ store: lake.store, duckdb: lake.duckdb, stream: 'test' });
      for (const p of publishes) firehose.put(readingsRule.evaluateForAction(p, READINGS_RULE_SEPARATOR)!, p.receivedAt);
      await firehose.deliver();
    };
    // Two at a time, as the twin's delivery process runs them; the second pair takes the first pair's buffers.
    await Promise.all([deliver(quarters[0]!), deliver(quarters[1]!)]);
    expect(textBuffers.keptBytes).toBeGreaterThan(1024 * 1024);
    await Promise.all([deliver(quarters[2]!), deliver(quarters[3]!)]);

    const [counts] = await lake.query(`SELECT (SELECT count(*) FROM readings)::INT AS stored, (SELECT count(*) FROM readings_unique)::INT AS "unique",
      (SELECT count(DISTINCT device_id) FROM readings)::INT AS devices, (SELECT count(*) FROM rejected_readings)::INT AS rejected`);
    expect(counts).toEqual({ stored: fleet.readings, unique: fleet.readings, devices: 96, rejected: 0 });
  });

  it('counts what the transform Lambda would return for the same processor batches, the hostile corpus included', async () => {
    const corpus = loadHostileCorpus().filter((c) => c.payload.byteLength <= 128 * 1024);
    const sent = corpus.map((c) => ({ record: readingsRule.evaluateForAction({ topic: c.topic, payload: c.payload, receivedAt: c.receivedAt }, READINGS_RULE_SEPARATOR), c }))
      .filter((s) => s.record !== null);
    const processorBufferBytes = 4096; // many batches, split where the stand-in splits them
    const firehose = new LocalFirehose({ store: lake.store, duckdb: lake.duckdb, stream: 'test', processorBufferBytes });
    for (const { record, c } of sent) firehose.put(record!, c.receivedAt);
    await firehose.deliver();

    const expected = { accepted: 0, rejected: {} as Record<string, number>, failedRecords: {} as Record<string, number>, droppedRecords: 0 };
    const add = (into: Record<string, number>, from: Partial<Record<string, number>>) => {
      for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + (n ?? 0);
    };
    let batch: PlainRecord[] = [];
    let bytes = 0;
    const flush = () => {
      const { stats } = transformBatch(batch);
      expected.accepted += stats.accepted;
      expected.droppedRecords += stats.droppedRecords;
      add(expected.rejected, stats.rejected);
      add(expected.failedRecords, stats.failedRecords);
      batch = [];
      bytes = 0;
    };
    for (const { record, c } of sent) {
      const size = 4 * Math.ceil(record!.data.byteLength / 3);
      if (bytes + size > processorBufferBytes && batch.length > 0) flush();
      batch.push({ data: record!.data, arrivalMs: c.receivedAt });
      bytes += size;
    }
    flush();
    expect(expected.accepted).toBeGreaterThan(0);
    expect(Object.keys(expected.rejected).length).toBeGreaterThan(5);
    expect(Object.keys(expected.failedRecords)).toEqual(expect.arrayContaining(['not_json', 'not_object']));
    const { accepted, rejected, failedRecords, droppedRecords } = firehose.stats;
    expect({ accepted, rejected, failedRecords, droppedRecords }).toEqual(expected);
  });
});
