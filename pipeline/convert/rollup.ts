// The rollup: compaction materializes, for the closed past, what the live views compute
// (pipeline/schema/rollup.ts), so a query over one month of a year-long lake reads that month's
// precomputed rows instead of recomputing every interval of the year.
//
// The watermark `closed_until` (a UTC midnight, `liveDays` before now, never moving back) splits
// the work: the rollup holds every interval *ending* before it, every reading before it and the
// interval counts; the live views compute the rest from the readings from the watermark on plus
// each device's last reading before it (the anchors). The rollup rows are computed by the live
// views themselves, run over one day's readings at a time (one source of the metering maths).
//
// Late data for a closed day is counted once the next compaction has rebuilt the days it touches:
// the intervals it splits reach from the device's previous reading to its next one, so those
// days are rebuilt. Each rollup partition is one object, replaced by one atomic PUT, and records
// the watermark it was built for (`built_until`); the views take from the live views only what a
// day's partition does not hold (ending at or after its built_until), and the anchors (with the
// published watermark) are written last. So a reader never counts an interval twice or misses
// one, even between a partition's rebuild and the watermark's move, and a crash leaves nothing
// that the next run does not redo (compaction deletes its inputs only after this).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { createLakeViews, emptySource } from '../query/catalog.ts';
import { openDuckDb, pathLiteral, type DuckDBConnection } from '../query/duckdb.ts';
import { installTrinoCompat } from '../query/trino-compat.ts';
import { DAY_MS, isValidDate } from '../schema/ids.ts';
import { REFERENCE_TABLE_NAMES } from '../schema/reference.ts';
import { PARTITION_COLUMN, READING_COLUMNS } from '../schema/readings.ts';
import { DEVICE_DAY_COLUMNS, ROLLUP_TABLES, type RollupTableName } from '../schema/rollup.ts';
import { duckdbCastList } from '../schema/types.ts';
import { LAKE_PREFIXES, parquetKeysByDate, partitionDate, referenceKey, rollupKey, rollupPrefix } from '../storage/keys.ts';
import { ObjectNotFoundError, type ObjectStore } from '../storage/object-store.ts';
import { copyToParquet, FIRST_RECEIVED } from './curated-write.ts';

/**
 * Rollup files are sorted by site, then device and time, in row groups this small so that a
 * one-site query skips most of each day's file (about a twentieth of a day at 50 meters a site).
 */
const ROLLUP_ROW_GROUP_SIZE = 8_192;
/** Readings of today and the two days before stay live by default: late data for them counts at once. */
export const DEFAULT_LIVE_DAYS = 2;

export interface RollupOptions {
  store: ObjectStore;
  /** DuckDB threads of the refresh's own instance (default: DuckDB's, one per core). */
  threads?: number;
  /** UTC days whose readings changed since the last refresh (compaction's partitions). */
  changedDays: readonly string[];
  /** Epoch ms; the watermark is UTC midnight `liveDays` days before it. */
  now?: number;
  liveDays?: number;
  /** Rebuild every closed day (after a site's timezone changed: the rollup's local labels use the one it was built with). */
  rebuildAll?: boolean;
}

export interface RollupRefresh {
  /** The published watermark (UTC date, its midnight). */
  closedUntil: string;
  previousClosedUntil: string | null;
  /** Days whose device_days index was (re)written. */
  indexedDays: string[];
  /** Days whose rollup partitions were (re)written. */
  rebuiltDays: string[];
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** Every day from `first` to `last` inclusive. */
function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let ms = dayMs(first); ms <= dayMs(last); ms += DAY_MS) days.push(isoDay(ms));
  return days;
}

/** The watermark a refresh at `now` publishes: `liveDays` UTC midnights back, never before the previous one. */
export function nextClosedUntil(now: number, liveDays: number, previous: string | null): string {
  const candidate = isoDay(Math.floor(now / DAY_MS) * DAY_MS - liveDays * DAY_MS);
  return previous !== null && previous > candidate ? previous : candidate;
}

/**
 * Days whose rollup must be rebuilt when the readings of `changed` days changed: for each changed
 * day, from the day of each of its devices' previous reading to the day of its next one (an
 * interval that changed reaches that far), counting a next reading only when it is closed.
 * `neighbours` gives, per changed day, the earliest previous-reading day and latest next-reading
 * day over its devices.
 */
export function daysToRebuild(changed: readonly string[], neighbours: ReadonlyMap<string, { from: string; to: string }>, closedUntil: string): string[] {
  const days = new Set<string>();
  for (const day of changed) {
    if (day >= closedUntil) continue;
    const reach = neighbours.get(day) ?? { from: day, to: day };
    const to = reach.to < closedUntil ? reach.to : isoDay(dayMs(closedUntil) - DAY_MS);
    for (const d of daysBetween(reach.from < day ? reach.from : day, to > day ? to : day)) days.add(d);
  }
  return [...days].sort();
}

/** A folder laid out like the lake, holding the objects a DuckDB step needs. */
class WorkLake {
  constructor(readonly root: string, private readonly store: ObjectStore) {}

  /** Copies `key` from the store to the same path under the work folder (false when it does not exist). */
  async fetch(key: string): Promise<boolean> {
    let body: Uint8Array;
    try {
      body = await this.store.get(key);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return false;
      throw error;
    }
    const path = join(this.root, ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
    return true;
  }

  path(...segments: string[]): string {
    return join(this.root, ...segments);
  }

  async clear(prefix: string): Promise<void> {
    await rm(join(this.root, ...prefix.split('/')), { recursive: true, force: true });
  }
}

const sqlDay = (day: string): string => {
  if (!isValidDate(day)) throw new Error(`rollup: ${JSON.stringify(day)} is not a YYYY-MM-DD date`);
  return `'${day}'`;
};

/**
 * One refresh's DuckDB connection over a work folder laid out like the lake. It has its own
 * DuckDB instance: the catalog's views live in an instance's shared catalog, and the twin's
 * queries must never see views over this folder.
 */
class RollupSession {
  private constructor(private readonly lake: WorkLake, private readonly connection: DuckDBConnection, private readonly scratch: string) {}

  static async open(lake: WorkLake, duckdb: DuckDBInstance): Promise<RollupSession> {
    const connection = await duckdb.connect();
    await createLakeViews(connection, lake.root);
    await installTrinoCompat(connection);
    return new RollupSession(lake, connection, lake.path('scratch'));
  }

  close(): void {
    this.connection.closeSync();
  }

  /** `day_readings`: the readings of `keys` (one or more days), one row per (device_id, ts), the first received (as readings_unique). */
  async stageDays(keys: readonly string[]): Promise<void> {
    await this.lake.clear(LAKE_PREFIXES.curated);
    const paths: string[] = [];
    for (const key of keys) if (await this.lake.fetch(key)) paths.push(this.lake.path(...key.split('/')));
    const source = `SELECT ${duckdbCastList(READING_COLUMNS)} FROM ${paths.length ? `read_parquet([${paths.map(pathLiteral).join(', ')}], union_by_name = true)` : emptySource(READING_COLUMNS)}`;
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE day_readings AS SELECT * FROM (${source}) QUALIFY ${FIRST_RECEIVED}`);
  }

  /** Writes `select` to the rollup object of `table` (one Parquet file, one atomic put). */
  async put(store: ObjectStore, table: RollupTableName, dt: string | null, select: string): Promise<void> {
    await mkdir(this.scratch, { recursive: true });
    const path = join(this.scratch, 'part.parquet');
    await copyToParquet(this.connection, `SELECT ${duckdbCastList(ROLLUP_TABLES[table].columns)} FROM (${select})`, path, { rowGroupSize: ROLLUP_ROW_GROUP_SIZE });
    await store.put(rollupKey(table, dt), await readFile(path));
    await rm(path, { force: true });
  }

  async rows(sql: string): Promise<unknown[][]> {
    return (await this.connection.runAndReadAll(sql)).getRows();
  }

  /** Loads every fetched device_days file into the temp table `device_days_index`. */
  async loadIndex(): Promise<void> {
    const files = this.lake.path(...rollupPrefix('device_days').split('/'), '*', '*.parquet');
    const columns = [...DEVICE_DAY_COLUMNS, PARTITION_COLUMN];
    const source = `SELECT ${duckdbCastList(columns)} FROM ${existsSync(this.lake.path(...rollupPrefix('device_days').split('/')))
      ? `read_parquet(${pathLiteral(files)}, hive_partitioning = true, hive_types = {'dt': VARCHAR})` : emptySource(columns)}`;
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE device_days_index AS ${source}`);
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }
}

/** (Re)writes the device_days index of the staged day. */
async function indexDay(session: RollupSession, store: ObjectStore, day: string, keys: readonly string[]): Promise<void> {
  await session.stageDays(keys);
  await session.put(store, 'device_days', day, `
    SELECT device_id,
           arg_min(site_id, ts) AS first_site_id, min(ts) AS first_ts, arg_min(energy_import_kwh, ts) AS first_kwh,
           arg_max(site_id, ts) AS last_site_id, max(ts) AS last_ts, arg_max(energy_import_kwh, ts) AS last_kwh
    FROM day_readings GROUP BY device_id ORDER BY device_id`);
}

/**
 * Consecutive days rebuilt in one computation: the live views' fixed cost is paid once per run
 * of days, not per day (most of a sparse day's cost), and a week of 1,000 meters at 15 minutes
 * (672,000 readings) stays small in memory.
 */
export const REBUILD_RUN_DAYS = 7;

/** `days` (sorted) cut into runs of at most `max` consecutive days. */
export function consecutiveRuns(days: readonly string[], max = REBUILD_RUN_DAYS): string[][] {
  const runs: string[][] = [];
  for (const day of days) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last !== undefined && run.length < max && dayMs(day) - dayMs(last) === DAY_MS) run.push(day);
    else runs.push([day]);
  }
  return runs;
}

/** Rebuilds the rollup partitions of a run of consecutive days by running the live views over its readings and each device's neighbours. */
async function rebuildDays(session: RollupSession, store: ObjectStore, days: readonly string[], keys: readonly string[], closedUntil: string): Promise<void> {
  const [first, last] = [days[0], days.at(-1)];
  if (first === undefined || last === undefined) return;
  await session.stageDays(keys);
  // The live views, fed with these days' readings, each device's last reading before them (an
  // anchor: it only starts an interval) and its first reading after them when that is closed
  // (it ends the interval that reaches past the last midnight). TEMP shadows the catalog's view.
  await session.run(`CREATE OR REPLACE TEMP VIEW metering_input AS
    SELECT site_id, device_id, ts, energy_import_kwh, energy_export_kwh, power_w, voltage_v,
           current_a, power_factor, frequency_hz, false AS is_anchor
    FROM day_readings
    UNION ALL
    SELECT arg_max(last_site_id, dt), device_id, max(last_ts), arg_max(last_kwh, dt), NULL, NULL, NULL, NULL, NULL, NULL, true
    FROM device_days_index WHERE dt < ${sqlDay(first)} GROUP BY device_id
    UNION ALL
    SELECT arg_min(first_site_id, dt), device_id, min(first_ts), arg_min(first_kwh, dt), NULL, NULL, NULL, NULL, NULL, NULL, false
    FROM device_days_index WHERE dt > ${sqlDay(last)} AND dt < ${sqlDay(closedUntil)} GROUP BY device_id`);
  const start = `CAST(${sqlDay(first)} AS TIMESTAMP)`;
  const end = `CAST(${sqlDay(last)} AS TIMESTAMP) + INTERVAL '1' DAY`;
  const builtUntil = `CAST(${sqlDay(closedUntil)} AS TIMESTAMP) AS built_until`;
  // Each table's rows for the whole run once, then one object per day.
  const tables: { table: RollupTableName; select: string; day: string; order: string }[] = [
    { table: 'interval_slots_closed', select: `SELECT *, ${builtUntil} FROM live_interval_slots WHERE slot_start >= ${start} AND slot_start < ${end}`, day: 'slot_start', order: 'site_id, device_id, slot_start, interval_start' },
    { table: 'local_readings_closed', select: `SELECT *, ${builtUntil} FROM live_local_readings WHERE ts >= ${start} AND ts < ${end}`, day: 'ts', order: 'site_id, device_id, ts' },
    {
      table: 'interval_durations_closed', day: 'end_ts', order: 'device_id, interval_ms',
      select: `SELECT device_id, duration_ms AS interval_ms, count(*) AS intervals, ${builtUntil}, CAST(end_ts AS DATE) AS end_ts FROM live_intervals
               WHERE end_ts >= ${start} AND end_ts < ${end} GROUP BY device_id, duration_ms, CAST(end_ts AS DATE)`,
    },
  ];
  for (const { table, select, day, order } of tables) {
    await session.run(`CREATE OR REPLACE TEMP TABLE run_rows AS SELECT *, CAST(CAST(${day} AS DATE) AS VARCHAR) AS run_day FROM (${select})`);
    for (const d of days) await session.put(store, table, d, `SELECT * FROM run_rows WHERE run_day = ${sqlDay(d)} ORDER BY ${order}`);
  }
}

async function readClosedUntil(session: RollupSession, lake: WorkLake): Promise<string | null> {
  if (!(await lake.fetch(rollupKey('rollup_anchors', null)))) return null;
  const [row] = await session.rows(`SELECT CAST(CAST(max(closed_until) AS date) AS varchar) FROM read_parquet(${pathLiteral(lake.path(...rollupKey('rollup_anchors', null).split('/')))})`);
  const value = row?.[0];
  return typeof value === 'string' && isValidDate(value) ? value : null;
}

/** Per changed day, the earliest previous-reading day and the latest closed next-reading day over its devices. */
async function neighbourDays(session: RollupSession, changed: readonly string[], closedUntil: string): Promise<Map<string, { from: string; to: string }>> {
  const neighbours = new Map<string, { from: string; to: string }>();
  if (!changed.length) return neighbours;
  const rows = await session.rows(`
    WITH days AS (
      SELECT device_id, dt,
             lag(dt) OVER (PARTITION BY device_id ORDER BY dt) AS previous_dt,
             lead(dt) OVER (PARTITION BY device_id ORDER BY dt) AS next_dt
      FROM device_days_index
    )
    SELECT dt, min(coalesce(previous_dt, dt)), max(CASE WHEN next_dt < ${sqlDay(closedUntil)} THEN next_dt ELSE dt END)
    FROM days WHERE dt IN (${changed.map(sqlDay).join(', ')}) GROUP BY dt`);
  for (const [dt, from, to] of rows) neighbours.set(String(dt), { from: String(from), to: String(to) });
  return neighbours;
}

/**
 * Brings the rollup up to date after the readings of `changedDays` changed (and moves the
 * watermark): indexes changed days, rebuilds every day whose closed intervals changed, then
 * publishes the anchors with the new watermark.
 */
export async function refreshRollup({ store, changedDays, now = Date.now(), liveDays = DEFAULT_LIVE_DAYS, rebuildAll = false, threads }: RollupOptions): Promise<RollupRefresh> {
  if (!Number.isSafeInteger(liveDays) || liveDays < 0) throw new Error('rollup: liveDays must be a non-negative integer');
  const lake = new WorkLake(await mkdtemp(join(tmpdir(), 'wattlake-rollup-')), store);
  const duckdb = await openDuckDb(threads === undefined ? {} : { threads });
  try {
    for (const table of REFERENCE_TABLE_NAMES) await lake.fetch(referenceKey(table));
    const session = await RollupSession.open(lake, duckdb);
    try {
      const readingDays = parquetKeysByDate(await store.list(LAKE_PREFIXES.curated));
      const indexed = new Set((await store.list(rollupPrefix('device_days'))).map(partitionDate).filter((d): d is string => d !== null));

      // 1. The index: every day with readings has one, rewritten when its readings changed.
      const toIndex = [...readingDays.keys()].filter((d) => changedDays.includes(d) || !indexed.has(d)).sort();
      for (const day of toIndex) await indexDay(session, store, day, readingDays.get(day) ?? []);
      for (const key of await store.list(rollupPrefix('device_days'))) await lake.fetch(key);
      await session.loadIndex();

      // 2. The watermark moves: the days it passes over change from live to closed.
      const previousClosedUntil = await readClosedUntil(session, lake);
      const closedUntil = nextClosedUntil(now, liveDays, previousClosedUntil);
      const passed = [...readingDays.keys()].filter((d) => d < closedUntil && (rebuildAll || previousClosedUntil === null || d >= previousClosedUntil));
      const changed = [...new Set([...changedDays, ...toIndex, ...passed])].filter((d) => readingDays.has(d) && d < closedUntil).sort();

      // 3. Rebuild every day a changed interval reaches, then publish the anchors and the watermark in one object.
      const rebuiltDays = daysToRebuild(changed, await neighbourDays(session, changed, closedUntil), closedUntil);
      for (const run of consecutiveRuns(rebuiltDays)) await rebuildDays(session, store, run, run.flatMap((day) => readingDays.get(day) ?? []), closedUntil);
      await session.put(store, 'rollup_anchors', null, `
        SELECT arg_max(last_site_id, dt) AS site_id, device_id, max(last_ts) AS ts, arg_max(last_kwh, dt) AS energy_import_kwh,
               CAST(${sqlDay(closedUntil)} AS TIMESTAMP) AS closed_until
        FROM device_days_index WHERE dt < ${sqlDay(closedUntil)} GROUP BY device_id ORDER BY device_id`);
      return { closedUntil, previousClosedUntil, indexedDays: toIndex, rebuiltDays };
    } finally {
      session.close();
    }
  } finally {
    duckdb.closeSync();
    await rm(lake.root, { recursive: true, force: true });
  }
}
