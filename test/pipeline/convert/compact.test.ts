import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestLines } from '../../../infra/local/ingest.ts';
import { compactedFileName, compactLake as compactLakeWithRollup, partitionsNeedingCompaction } from '../../../pipeline/convert/compact.ts';
import { failingStore } from '../../helpers/failing-store.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';
import { readParquetMetadata, readParquetRows } from '../../helpers/parquet.ts';

const FIXTURE = new URL('../../fixtures/ingest/fleet-small.jsonl', import.meta.url);
const fixtureLines = readFileSync(FIXTURE, 'utf8').split('\n').filter((l) => l.trim() !== '');
const DAY = '2026-11-20';
const CURATED_DAY = `curated/readings/dt=${DAY}/`;
const MIN = 60_000;

/** The partitions compacted (the rollup refresh that follows has its own tests: rollup.test.ts). */
const compactLake = async (options: Parameters<typeof compactLakeWithRollup>[0]) => (await compactLakeWithRollup(options)).partitions;

/** The fixture in `parts` interleaved slices, each ingested on its own: one small curated file each, like Firehose flushes. */
async function ingestInParts(lake: TestLake, parts: number, lines = fixtureLines): Promise<void> {
  for (let p = 0; p < parts; p++) await ingestLines(lines.filter((_, i) => i % parts === p), { store: lake.store, duckdb: lake.duckdb });
}

/** The same messages again, received a minute later (QoS 1 redelivery): duplicates across files. */
const redelivered = (lines: string[]): string[] => lines.map((line) => {
  const m = JSON.parse(line) as { received_at: number };
  return JSON.stringify({ ...m, received_at: m.received_at + MIN });
});

function message(device: string, site: string, ts: string, kwh: number, receivedAt: number): string {
  return JSON.stringify({ topic: `dt/energy/${site}/${device}/readings`, payload: { device_id: device, readings: [{ ts, energy_import_kwh: kwh, power_w: 410 }] }, received_at: receivedAt });
}

const everyReading = (lake: TestLake) => lake.query(`SELECT site_id, device_id, epoch_ms(ts) AS ts, energy_import_kwh::DOUBLE AS kwh, power_w, voltage_v, current_a,
  power_factor, frequency_hz, seq, epoch_ms(received_at) AS received_at, dt FROM readings_unique ORDER BY device_id, ts`);

describe('compactLake', () => {
  let lake: TestLake;
  beforeEach(async () => { lake = await createTestLake(); });
  afterEach(async () => { await lake.dispose(); });

  it("merges a day's small files into one file sorted by site, device and time", async () => {
    await ingestInParts(lake, 6);
    expect(await lake.store.list(CURATED_DAY)).toHaveLength(6);
    const [done] = await compactLake({ store: lake.store, duckdb: lake.duckdb });
    const files = await lake.store.list(CURATED_DAY);
    expect(files).toEqual([expect.stringMatching(/compacted-[0-9a-f]{12}-000\.parquet$/)]);
    expect(done).toMatchObject({ table: 'readings', dt: DAY, rowsOut: 3456 });
    expect(done?.inputs).toHaveLength(6);
    const rows = await readParquetRows(lake.store.pathOf(files[0]!), ['site_id', 'device_id', 'ts']);
    const key = (r: Record<string, unknown>) => `${r.site_id}|${r.device_id}|${(r.ts as Date).toISOString()}`;
    expect(rows.map(key)).toEqual(rows.map(key).sort());
  });

  it('gives the same readings_unique answers before and after', async () => {
    await ingestInParts(lake, 5);
    await ingestLines(redelivered(fixtureLines.slice(0, 120)), { store: lake.store, duckdb: lake.duckdb });
    const before = await everyReading(lake);
    await compactLake({ store: lake.store, duckdb: lake.duckdb });
    expect(await everyReading(lake)).toEqual(before);
  });

  it('stores each (device_id, ts) once, keeping the first received copy', async () => {
    await ingestInParts(lake, 3);
    await ingestLines(redelivered(fixtureLines), { store: lake.store, duckdb: lake.duckdb });
    const count = () => lake.query('SELECT count(*)::INT AS stored, count(DISTINCT (device_id, ts))::INT AS distinct_readings FROM readings');
    expect(await count()).toEqual([{ stored: 2 * 3456, distinct_readings: 3456 }]);
    const [firstReceived] = await lake.query('SELECT sum(epoch_ms(first))::BIGINT AS total FROM (SELECT min(received_at) AS first FROM readings GROUP BY device_id, ts)');
    const [done] = await compactLake({ store: lake.store, duckdb: lake.duckdb });
    expect(done).toMatchObject({ rowsIn: 2 * 3456, rowsOut: 3456 });
    expect(await count()).toEqual([{ stored: 3456, distinct_readings: 3456 }]);
    expect(await lake.query('SELECT sum(epoch_ms(received_at))::BIGINT AS total FROM readings')).toEqual([firstReceived]);
  });

  it('writes files in the converter format: ZSTD, millisecond timestamps, decimal registers, same schema', async () => {
    await ingestInParts(lake, 2);
    const converted = await readParquetMetadata(lake.store.pathOf((await lake.store.list(CURATED_DAY))[0]!));
    await compactLake({ store: lake.store, duckdb: lake.duckdb });
    const compacted = await readParquetMetadata(lake.store.pathOf((await lake.store.list(CURATED_DAY))[0]!));
    expect(compacted.schema).toEqual(converted.schema);
    expect(new Set(compacted.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)))).toEqual(new Set(['ZSTD']));
  });

  it('does nothing the second time', async () => {
    await ingestInParts(lake, 4);
    await compactLake({ store: lake.store, duckdb: lake.duckdb });
    const files = await lake.store.list('curated/');
    const bytes = await lake.store.get(files[0]!);
    expect(await compactLake({ store: lake.store, duckdb: lake.duckdb })).toEqual([]);
    expect(await lake.store.list('curated/')).toEqual(files);
    expect(await lake.store.get(files[0]!)).toEqual(bytes);
  });

  it('picks up a late file landing in a day already compacted', async () => {
    await ingestInParts(lake, 3);
    await compactLake({ store: lake.store, duckdb: lake.duckdb });
    // A meter that was offline for a day uploads its backlog.
    const late = message('meter-0013', 'site-03', '2026-11-20T12:00:00Z', 5021.25, Date.UTC(2026, 10, 22, 8));
    await ingestLines([late], { store: lake.store, duckdb: lake.duckdb });
    expect(await lake.store.list(CURATED_DAY)).toHaveLength(2);
    const done = await compactLake({ store: lake.store, duckdb: lake.duckdb });
    expect(done.map((p) => [p.table, p.dt, p.inputs.length, p.outputs.length])).toEqual([['readings', DAY, 2, 1]]);
    expect(await lake.store.list(CURATED_DAY)).toHaveLength(1);
    expect(await lake.query("SELECT count(*)::INT AS n FROM readings WHERE device_id = 'meter-0013'")).toEqual([{ n: 1 }]);
    expect(await lake.query('SELECT count(*)::INT AS n FROM readings')).toEqual([{ n: 3457 }]);
  });

  it('compacts every day that received files, or only the day asked for', async () => {
    await ingestInParts(lake, 2);
    const lateDay = [message('meter-0001', 'site-01', '2026-11-19T23:45:00Z', 7264.1, Date.UTC(2026, 10, 20, 1)), message('meter-0002', 'site-01', '2026-11-19T23:50:00Z', 18.5, Date.UTC(2026, 10, 20, 1))];
    for (const line of lateDay) await ingestLines([line], { store: lake.store, duckdb: lake.duckdb });
    const onlyLateDay = await compactLake({ store: lake.store, duckdb: lake.duckdb, day: '2026-11-19' });
    expect(onlyLateDay.map((p) => [p.dt, p.inputs.length])).toEqual([['2026-11-19', 2]]);
    expect(await lake.store.list(CURATED_DAY)).toHaveLength(2);
    const rest = await compactLake({ store: lake.store, duckdb: lake.duckdb });
    expect(rest.map((p) => [p.dt, p.inputs.length])).toEqual([[DAY, 2]]);
  });

  it('splits a large day into files of at most maxRowsPerFile rows that continue one another in order', async () => {
    await ingestInParts(lake, 3);
    const before = await everyReading(lake);
    const [done] = await compactLake({ store: lake.store, duckdb: lake.duckdb, maxRowsPerFile: 1000 });
    expect(done?.outputs.map((f) => f.rows)).toEqual([1000, 1000, 1000, 456]);
    const files = await lake.store.list(CURATED_DAY);
    expect(files).toEqual(done?.outputs.map((f) => f.key));
    const key = (r: Record<string, unknown>) => `${r.site_id}|${r.device_id}|${(r.ts as Date).toISOString()}`;
    const inFileOrder = (await Promise.all(files.map((f) => readParquetRows(lake.store.pathOf(f), ['site_id', 'device_id', 'ts'])))).flat().map(key);
    expect(inFileOrder).toEqual([...inFileOrder].sort());
    expect(await everyReading(lake)).toEqual(before);
  });

  it('keeps every quarantined row when compacting rejected_readings', async () => {
    const broken = (n: number) => message('meter-0001', 'site-01', `2026-11-20T1${n}:00:00Z`, -1, Date.UTC(2026, 10, 20, 10 + n, 0, 2));
    for (const n of [0, 1, 2]) await ingestLines([broken(n), broken(n)], { store: lake.store, duckdb: lake.duckdb });
    expect(await lake.store.list('curated/rejected_readings/')).toHaveLength(3);
    const before = await lake.query('SELECT reason, payload, count(*)::INT AS n FROM rejected_readings GROUP BY ALL ORDER BY payload');
    const done = await compactLake({ store: lake.store, duckdb: lake.duckdb });
    expect(done.map((p) => [p.table, p.rowsIn, p.rowsOut])).toEqual([['rejected_readings', 6, 6]]);
    expect(await lake.store.list('curated/rejected_readings/')).toHaveLength(1);
    expect(await lake.query('SELECT reason, payload, count(*)::INT AS n FROM rejected_readings GROUP BY ALL ORDER BY payload')).toEqual(before);
  });

  describe('after a crash', () => {
    it('between writing and deleting: answers stay correct and the next run finishes the job', async () => {
      await ingestInParts(lake, 4);
      const inputs = await lake.store.list(CURATED_DAY);
      const before = await everyReading(lake);
      await expect(compactLake({ store: failingStore(lake.store, { failDeletes: true }), duckdb: lake.duckdb })).rejects.toThrow(/simulated crash/);
      const afterCrash = await lake.store.list(CURATED_DAY);
      expect(afterCrash).toEqual(expect.arrayContaining(inputs));
      expect(afterCrash).toHaveLength(inputs.length + 1);
      expect(await everyReading(lake)).toEqual(before);

      const done = await compactLake({ store: lake.store, duckdb: lake.duckdb });
      expect(done.map((p) => p.inputs.length)).toEqual([inputs.length + 1]);
      expect(await lake.store.list(CURATED_DAY)).toEqual([expect.stringMatching(/compacted-/)]);
      expect(await everyReading(lake)).toEqual(before);
      expect(await compactLake({ store: lake.store, duckdb: lake.duckdb })).toEqual([]);
    });

    it('while writing the output files: answers stay correct and the next run finishes the job', async () => {
      await ingestInParts(lake, 4);
      const inputs = await lake.store.list(CURATED_DAY);
      const before = await everyReading(lake);
      const crashing = failingStore(lake.store, { putsBeforeFailure: 1 });
      await expect(compactLake({ store: crashing, duckdb: lake.duckdb, maxRowsPerFile: 1000 })).rejects.toThrow(/simulated crash/);
      expect(await lake.store.list(CURATED_DAY)).toHaveLength(inputs.length + 1);
      expect(await everyReading(lake)).toEqual(before);

      await compactLake({ store: lake.store, duckdb: lake.duckdb, maxRowsPerFile: 1000 });
      const files = await lake.store.list(CURATED_DAY);
      expect(files.every((f) => /compacted-/.test(f))).toBe(true);
      expect(new Set(files.map((f) => /compacted-([0-9a-f]+)-/.exec(f)?.[1])).size).toBe(1);
      expect(await everyReading(lake)).toEqual(before);
      expect(await lake.query('SELECT count(*)::INT AS n FROM readings')).toEqual([{ n: 3456 }]);
    });
  });

  it('refuses a day that is not a date', async () => {
    await expect(compactLake({ store: lake.store, duckdb: lake.duckdb, day: '2026-11-31' })).rejects.toThrow(/not a YYYY-MM-DD date/);
  });
});

describe('partitionsNeedingCompaction', () => {
  const day = (dt: string, name: string) => `curated/readings/dt=${dt}/${name}`;
  const generation = (inputs: string[], part = 0) => compactedFileName(inputs, part);

  it('leaves out a day holding only files of one compaction', () => {
    const gen = [generation(['a']), generation(['a'], 1)];
    expect(partitionsNeedingCompaction(gen.map((n) => day('2026-11-20', n)))).toEqual(new Map());
  });

  it('includes a day with any file the converter wrote, with all of its files', () => {
    const keys = [day('2026-11-20', generation(['a'])), day('2026-11-20', 'wattlake-ingest-1-2026-11-22-08-00-00-x-0a1b2c3d4e5f.parquet')];
    expect(partitionsNeedingCompaction(keys)).toEqual(new Map([['2026-11-20', keys]]));
  });

  it('includes a day holding two compactions (a run stopped before deleting its inputs)', () => {
    const keys = [day('2026-11-20', generation(['a'])), day('2026-11-20', generation(['b']))];
    expect(partitionsNeedingCompaction(keys)).toEqual(new Map([['2026-11-20', keys]]));
  });

  it('ignores objects that are not Parquet files of a partition', () => {
    expect(partitionsNeedingCompaction(['curated/readings/notes.txt', day('2026-11-20', 'README.md')])).toEqual(new Map());
  });

  it('names outputs after the set of inputs, whatever their order', () => {
    expect(compactedFileName(['b', 'a'], 2)).toBe(compactedFileName(['a', 'b'], 2));
    expect(compactedFileName(['a', 'b'], 0)).not.toBe(compactedFileName(['a', 'c'], 0));
    expect(compactedFileName(['a'], 7)).toMatch(/^compacted-[0-9a-f]{12}-007\.parquet$/);
  });
});
