// The shared views of queries/views/ on the golden lake, against the TypeScript reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLakeViews } from '../../pipeline/query/catalog.ts';
import { runLakeSql } from '../../pipeline/query/lake-sql.ts';
import { plainRows } from '../../pipeline/query/rows.ts';
import { openGoldenLake, type GoldenLake } from '../helpers/golden-lake.ts';
import { byDevice, median } from '../helpers/metering-reference.ts';
import { closeEnough, expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

const sql = async (text: string) => (await runLakeSql(golden.duckdb, golden.root, text)).rows;
const iso = (ms: number) => new Date(ms).toISOString();

describe('readings_unique', () => {
  it('holds each (device, ts) once although the lake stores duplicates', async () => {
    const [stored] = await sql('SELECT count(*) AS n FROM readings');
    const unique = await sql('SELECT device_id, ts, CAST(energy_import_kwh AS double) AS kwh FROM readings_unique ORDER BY device_id, ts');
    expect(stored!.n as number).toBeGreaterThan(unique.length);
    const want = [...byDevice(golden.reference.unique).values()].flat().map((r) => ({ device_id: r.deviceId, ts: iso(r.tsMs), kwh: r.energyWh / 1000 }));
    expect(unique).toEqual(want.sort((a, b) => a.device_id.localeCompare(b.device_id) || a.ts.localeCompare(b.ts)));
  });

  it('keeps the first received copy when a later one carries another register value', async () => {
    const copies = await sql(`SELECT device_id, ts FROM readings GROUP BY device_id, ts HAVING count(DISTINCT energy_import_kwh) > 1`);
    expect(copies).toHaveLength(1);
    const [kept] = await sql(`SELECT CAST(u.energy_import_kwh AS double) AS kwh FROM readings_unique u WHERE u.device_id = '${copies[0]!.device_id}' AND u.ts = TIMESTAMP '${(copies[0]!.ts as string).replace('T', ' ').replace('Z', '')}'`);
    const [first] = await sql(`SELECT CAST(energy_import_kwh AS double) AS kwh FROM readings WHERE device_id = '${copies[0]!.device_id}' AND ts = TIMESTAMP '${(copies[0]!.ts as string).replace('T', ' ').replace('Z', '')}' ORDER BY received_at LIMIT 1`);
    expect(kept).toEqual(first);
  });
});

describe('live_intervals', () => {
  it('pairs consecutive readings by ts with e2 - e1, or e2 after a reset or meter replacement (all of them live before any compaction)', async () => {
    const rows = await sql('SELECT device_id, start_ts, end_ts, duration_ms, CAST(kwh AS double) AS kwh, register_restarted FROM live_intervals ORDER BY device_id, start_ts');
    const want = golden.reference.intervals
      .map((i) => ({ device_id: i.deviceId, start_ts: iso(i.startMs), end_ts: iso(i.endMs), duration_ms: i.endMs - i.startMs, kwh: i.kwh }))
      .sort((a, b) => a.device_id.localeCompare(b.device_id) || a.start_ts.localeCompare(b.start_ts));
    expect(rows.map(({ register_restarted: _, ...r }) => r)).toEqual(want);
    expect(rows.filter((r) => r.register_restarted).map((r) => r.device_id).sort()).toEqual(['sto-hand-m', 'sto-heat', 'sto-main']);
  });
});

describe('interval_slots', () => {
  it('splits every interval over its slots without losing or adding energy', async () => {
    const rows = await sql('SELECT device_id, interval_start, sum(kwh) AS kwh, sum(overlap_ms) AS ms, max(interval_ms) AS interval_ms FROM interval_slots GROUP BY device_id, interval_start');
    expect(rows).toHaveLength(golden.reference.intervals.length);
    const byKey = new Map(golden.reference.intervals.map((i) => [`${i.deviceId}@${iso(i.startMs)}`, i]));
    for (const row of rows) {
      const interval = byKey.get(`${row.device_id}@${row.interval_start}`)!;
      expect(closeEnough(row.kwh as number, interval.kwh), `${row.device_id} ${row.interval_start}`).toBe(true);
      expect(row.ms).toBe(row.interval_ms);
    }
  });

  it('labels 92 slots with the spring-forward day and 100 with the fall-back day in both zones', async () => {
    const rows = await sql(`SELECT device_id, CAST(local_day AS varchar) AS day, count(DISTINCT slot_start) AS slots FROM interval_slots
      WHERE (device_id = 'sto-main' AND local_day IN (DATE '2026-03-29', DATE '2026-10-25'))
         OR (device_id = 'nyc-main' AND local_day IN (DATE '2026-03-08', DATE '2026-11-01'))
      GROUP BY device_id, local_day ORDER BY device_id, day`);
    expect(rows).toEqual([
      { device_id: 'nyc-main', day: '2026-03-08', slots: 92 }, { device_id: 'nyc-main', day: '2026-11-01', slots: 100 },
      { device_id: 'sto-main', day: '2026-03-29', slots: 92 }, { device_id: 'sto-main', day: '2026-10-25', slots: 100 },
    ]);
  });

  it('expands a gap of seven months into its 20,000 slots (beyond a single Trino sequence)', async () => {
    const [row] = await sql(`SELECT count(*) AS slots FROM interval_slots WHERE device_id = 'sto-heat' AND interval_ms > 8640000000`);
    const gap = golden.reference.intervals.find((i) => i.deviceId === 'sto-heat' && i.endMs - i.startMs > 100 * 86_400_000)!;
    expect(row!.slots).toBe(golden.reference.slots.filter((s) => s.interval === gap).length);
    expect(row!.slots as number).toBeGreaterThan(10_000);
  });
});

describe('device_cadence', () => {
  it("is each device's exact median interval", async () => {
    const rows = await sql('SELECT device_id, median_interval_ms FROM device_cadence ORDER BY device_id');
    const want = [...byDevice(golden.reference.unique).keys()].sort().map((device) => ({
      device_id: device, median_interval_ms: median(golden.reference.intervals.filter((i) => i.deviceId === device).map((i) => i.endMs - i.startMs)),
    }));
    expect(rows).toEqual(want);
  });
});

describe('the views under DuckDB-native SQL', () => {
  it('mean the same without the Trino overrides (date_diff, date_add, element_at, integer division) as with them', async () => {
    const checksum = `SELECT count(*) AS n, sum(kwh) AS kwh, sum(local_hour) AS hours, sum(local_weekday) AS weekdays, sum(local_minute_of_day) AS minutes,
      count(DISTINCT local_day) AS days, count(DISTINCT local_month) AS months, sum(overlap_ms) AS ms FROM interval_slots`;
    const trino = await sql(checksum);
    const connection = await golden.duckdb.connect();
    try {
      await createLakeViews(connection, golden.root);
      expectRowsClose(plainRows(await connection.runAndReadAll(checksum)), trino);
      const others = 'SELECT (SELECT count(*) FROM local_readings) AS readings, (SELECT sum(since_previous_ms) FROM local_readings) AS ms, (SELECT sum(median_interval_ms) FROM device_cadence) AS cadence';
      expectRowsClose(plainRows(await connection.runAndReadAll(others)), await sql(others));
    } finally {
      connection.closeSync();
    }
  });
});
