import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { convertRawObject, outputFileName } from '../../../pipeline/convert/converter.ts';
import type { NormalizedReading, RejectedReading } from '../../../pipeline/schema/readings.ts';
import { rawReadingsKey } from '../../../pipeline/storage/keys.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';
import { readParquetMetadata, readParquetRows } from '../../helpers/parquet.ts';

const T0 = Date.UTC(2026, 10, 20, 23, 50); // 2026-11-20T23:50:00Z
const MIN = 60_000;

function reading(device: string, site: string, minutes: number, kwh: number, extra: Partial<NormalizedReading> = {}): NormalizedReading {
  return { site_id: site, device_id: device, ts: T0 + minutes * MIN, energy_import_kwh: kwh, power_w: 1520.4, voltage_v: 231.2, seq: 7, received_at: T0 + minutes * MIN + 2_000, ...extra };
}

const rejected: RejectedReading = {
  site_id: 'site-01', device_id: 'meter-0002', ts: null, reason: 'ts_invalid', detail: 'ts "yesterday" is not ISO-8601',
  payload: '{"ts":"yesterday","energy_import_kwh":1}', received_at: T0 + 5 * MIN,
};

async function putRaw(lake: TestLake, lines: object[], { gzip = true, dt = '2026-11-20' } = {}): Promise<string> {
  const key = rawReadingsKey(dt, `wattlake-readings-1-2026-11-21-00-00-00-test${gzip ? '.gz' : ''}`);
  const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  await lake.store.put(key, gzip ? gzipSync(text) : Buffer.from(text));
  return key;
}

describe('convertRawObject', () => {
  let lake: TestLake;
  beforeEach(async () => { lake = await createTestLake(); });
  afterEach(async () => { await lake.dispose(); });

  it('writes each reading to the curated partition of its own UTC day', async () => {
    const rawKey = await putRaw(lake, [reading('meter-0001', 'site-01', 0, 10), reading('meter-0001', 'site-01', 15, 10.25)]);
    const result = await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb });
    expect(result.readings.map((f) => [f.dt, f.rows])).toEqual([['2026-11-20', 1], ['2026-11-21', 1]]);
    expect(await lake.store.list('curated/readings/')).toEqual([
      `curated/readings/dt=2026-11-20/${outputFileName(rawKey)}`,
      `curated/readings/dt=2026-11-21/${outputFileName(rawKey)}`,
    ]);
  });

  it('keeps one row per (device_id, ts): the first received', async () => {
    const first = reading('meter-0001', 'site-01', 5, 12.5);
    const redelivered = { ...first, received_at: first.received_at + 60_000 };
    const rawKey = await putRaw(lake, [redelivered, first, reading('meter-0002', 'site-01', 5, 3)]);
    const result = await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb });
    expect(result.duplicatesRemoved).toBe(1);
    const rows = await lake.query("SELECT device_id, epoch_ms(received_at) AS received_at FROM readings WHERE device_id = 'meter-0001'");
    expect(rows).toEqual([{ device_id: 'meter-0001', received_at: first.received_at }]);
  });

  it('sorts rows by site, device and time whatever the arrival order', async () => {
    const lines = [reading('meter-0002', 'site-02', 3, 5), reading('meter-0001', 'site-02', 1, 1), reading('meter-0009', 'site-01', 2, 9), reading('meter-0001', 'site-02', 0, 0.5)];
    const rawKey = await putRaw(lake, lines);
    const [file] = (await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb })).readings;
    const rows = await readParquetRows(lake.store.pathOf(file!.key), ['site_id', 'device_id', 'energy_import_kwh']);
    expect(rows).toEqual([
      { site_id: 'site-01', device_id: 'meter-0009', energy_import_kwh: 9 },
      { site_id: 'site-02', device_id: 'meter-0001', energy_import_kwh: 0.5 },
      { site_id: 'site-02', device_id: 'meter-0001', energy_import_kwh: 1 },
      { site_id: 'site-02', device_id: 'meter-0002', energy_import_kwh: 5 },
    ]);
  });

  it('writes ZSTD pages and millisecond timestamps that Athena reads', async () => {
    const rawKey = await putRaw(lake, [reading('meter-0001', 'site-01', 1, 1)]);
    const [file] = (await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb })).readings;
    const metadata = await readParquetMetadata(lake.store.pathOf(file!.key));
    const ts = metadata.schema.find((e) => e.name === 'ts');
    expect(ts?.type).toBe('INT64');
    expect(ts?.logical_type).toMatchObject({ type: 'TIMESTAMP', unit: 'MILLIS' });
    const codecs = new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
    expect([...codecs]).toEqual(['ZSTD']);
  });

  it('gives identical values to DuckDB and to an independent reader (hyparquet)', async () => {
    const lines = [reading('meter-0001', 'site-01', 1, 1.001, { energy_export_kwh: 0.5, current_a: 6.612, power_factor: -0.981, frequency_hz: 49.98 }), reading('meter-0001', 'site-01', 2, 1.002)];
    const rawKey = await putRaw(lake, lines);
    const [file] = (await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb })).readings;
    const fromHyparquet = await readParquetRows(lake.store.pathOf(file!.key));
    const fromDuckDb = await lake.query(`SELECT site_id, device_id, epoch_ms(ts) AS ts, energy_import_kwh, energy_export_kwh, power_w, voltage_v, current_a,
      power_factor, frequency_hz, seq, epoch_ms(received_at) AS received_at FROM readings ORDER BY ts`);
    const normalize = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : v]));
    expect(fromHyparquet.map(normalize)).toEqual(fromDuckDb);
    expect(fromDuckDb[0]).toMatchObject({ ts: lines[0]!.ts, energy_export_kwh: 0.5, current_a: 6.612, power_factor: -0.981, frequency_hz: 49.98 });
  });

  it('routes quarantined lines to rejected_readings, dated by receive time when ts is unusable', async () => {
    const rawKey = await putRaw(lake, [reading('meter-0001', 'site-01', 1, 1), rejected]);
    const result = await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb });
    expect(result.rejected).toEqual([{ dt: '2026-11-20', key: `curated/rejected_readings/dt=2026-11-20/${outputFileName(rawKey)}`, rows: 1 }]);
    const rows = await lake.query('SELECT device_id, ts, reason, detail, payload, dt FROM rejected_readings');
    expect(rows).toEqual([{ device_id: 'meter-0002', ts: null, reason: 'ts_invalid', detail: rejected.detail, payload: rejected.payload, dt: '2026-11-20' }]);
  });

  it('dates a quarantined reading from before 1970 by the UTC day it names, not the day after (days are floored)', async () => {
    const tooOld: RejectedReading = { ...rejected, ts: -1, reason: 'ts_too_old', detail: 'ts 1969-12-31T23:59:59.999Z is before 2000-01-01', payload: '{"ts":-1,"energy_import_kwh":1}' };
    const rawKey = await putRaw(lake, [reading('meter-0001', 'site-01', 1, 1), tooOld]);
    const result = await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb });
    expect(result.rejected).toEqual([{ dt: '1969-12-31', key: `curated/rejected_readings/dt=1969-12-31/${outputFileName(rawKey)}`, rows: 1 }]);
    expect(result.readings.map((r) => r.dt)).toEqual(['2026-11-20']);
  });

  it('fails, rather than drops the line, when a line has neither ts nor received_at to date it by', async () => {
    const { received_at: _dropped, ...undated } = rejected;
    const rawKey = await putRaw(lake, [reading('meter-0001', 'site-01', 1, 1), undated]);
    await expect(convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb })).rejects.toThrow('converter: computed partition "null" is not a date');
  });

  it('overwrites its own output when the same raw object is converted again (retry)', async () => {
    const rawKey = await putRaw(lake, [reading('meter-0001', 'site-01', 1, 1), reading('meter-0001', 'site-01', 2, 2)]);
    await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb });
    const before = await lake.store.list('curated/');
    await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb });
    expect(await lake.store.list('curated/')).toEqual(before);
    expect(await lake.query('SELECT count(*)::INT AS n FROM readings')).toEqual([{ n: 2 }]);
  });

  it('accepts uncompressed JSON lines as well as gzip', async () => {
    const rawKey = await putRaw(lake, [reading('meter-0001', 'site-01', 1, 1)], { gzip: false });
    const result = await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb });
    expect(result.readings).toHaveLength(1);
  });

  it('converts the lines its caller hands over as the body, under the raw key\'s names, without reading the object back', async () => {
    // The twin's Firehose has just written the object and still holds its lines.
    const lines = [reading('meter-0001', 'site-01', 1, 1), reading('meter-0002', 'site-01', 2, 2)];
    const rawKey = rawReadingsKey('2026-11-20', 'wattlake-twin-1-2026-11-21-00-00-00-handed-over.gz');
    const body = Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    const result = await convertRawObject({ store: lake.store, rawKey, duckdb: lake.duckdb, body });
    expect(result.readings).toEqual([{ dt: '2026-11-20', key: `curated/readings/dt=2026-11-20/${outputFileName(rawKey)}`, rows: 2 }]);
    expect(await lake.store.list('raw/')).toEqual([]); // nothing was read from (or written to) raw/
  });
});
