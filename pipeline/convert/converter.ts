// Stage 2: one raw object (gzip JSON lines from the transform) in, curated Parquet out.
// Accepted readings are deduplicated on (device_id, ts), sorted by (site_id, device_id, ts)
// and written per UTC day of their own ts; quarantined readings go to rejected_readings.
// Output names derive from the raw key, so a retried conversion overwrites, never duplicates.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { DAY_MS, isValidDate, utcDateOfDay } from '../schema/ids.ts';
import { READING_COLUMNS, REJECTED_COLUMNS, type Column } from '../schema/readings.ts';
import { duckdbType } from '../schema/types.ts';
import { curatedReadingsKey, rejectedReadingsKey } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { pathLiteral, type DuckDBConnection } from '../query/duckdb.ts';
import { COPY_NUMBER, copyToParquet, READINGS_ORDER, REJECTED_ORDER } from './curated-write.ts';

export interface WrittenFile { dt: string; key: string; rows: number }

export interface ConversionResult {
  rawKey: string;
  readings: WrittenFile[];
  rejected: WrittenFile[];
  /** Accepted lines dropped because an earlier line had the same (device_id, ts). */
  duplicatesRemoved: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Raw JSON lines carry timestamps as epoch milliseconds and registers as JSON numbers. */
const rawType = (c: Column): string => (c.type === 'timestamp' ? 'BIGINT' : c.type === 'kwh_register' ? 'DOUBLE' : duckdbType(c.type));
/** Epoch ms -> Parquet TIMESTAMP(MILLIS); registers rounded to 1 Wh (decimal(18,3)); the rest as is. */
function storedExpr(c: Column): string {
  if (c.type === 'timestamp') return `epoch_ms(${c.name})::${duckdbType(c.type)} AS ${c.name}`;
  if (c.type === 'kwh_register') return `${c.name}::${duckdbType(c.type)} AS ${c.name}`;
  return c.name;
}

const RAW_COLUMNS: Column[] = [...new Map([...READING_COLUMNS, ...REJECTED_COLUMNS].map((c) => [c.name, c])).values()];
const RAW_COLUMN_SPEC = `{${RAW_COLUMNS.map((c) => `${c.name}: '${rawType(c)}'`).join(', ')}}`;

/** Deterministic output file name for everything converted from `rawKey`. */
export function outputFileName(rawKey: string): string {
  const base = (rawKey.split('/').pop() ?? 'raw').replace(/\.(gz|jsonl?|json)+$/g, '').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
  const hash = createHash('sha256').update(rawKey).digest('hex').slice(0, 12);
  return `${base}-${hash}.parquet`;
}

/**
 * Converts raw object `rawKey`. A caller that has just written it may hand over its content as
 * `body`, gzip or (cheaper for DuckDB to read) the uncompressed lines, instead of it being read back.
 */
export async function convertRawObject({ store, rawKey, duckdb, body: given }: { store: ObjectStore; rawKey: string; duckdb: DuckDBInstance; body?: Uint8Array }): Promise<ConversionResult> {
  const body = given ?? await store.get(rawKey);
  const work = await mkdtemp(join(tmpdir(), 'wattlake-convert-'));
  const connection = await duckdb.connect();
  try {
    const gzip = body[0] === GZIP_MAGIC[0] && body[1] === GZIP_MAGIC[1];
    const input = join(work, gzip ? 'input.jsonl.gz' : 'input.jsonl');
    await writeFile(input, body);
    // Each line's partition as a day number: formatting a date string for every line cost a
    // fifth of this statement; only the few distinct days are formatted (writePartitions).
    await connection.run(`CREATE TEMP TABLE raw_lines AS
      SELECT *, fdiv(coalesce(ts, received_at), ${DAY_MS})::BIGINT AS day
      FROM read_json(${pathLiteral(input)}, format = 'newline_delimited', compression = '${gzip ? 'gzip' : 'uncompressed'}',
                     columns = ${RAW_COLUMN_SPEC})`);
    const name = outputFileName(rawKey);
    const accepted = Number((await connection.runAndReadAll('SELECT count(*) FROM raw_lines WHERE reason IS NULL')).getRows()[0]?.[0] ?? 0);
    // Duplicates are rare (QoS 1 redeliveries), so the window that picks the first-received copy
    // runs only over the keys that have copies, not over the whole object.
    await connection.run(`DELETE FROM raw_lines WHERE rowid IN (
        SELECT rowid FROM (
          SELECT rowid, ${COPY_NUMBER} AS copy_number FROM raw_lines
          WHERE reason IS NULL AND (device_id, ts) IN (SELECT device_id, ts FROM raw_lines WHERE reason IS NULL GROUP BY ALL HAVING count(*) > 1)
        ) WHERE copy_number > 1)`);
    const readings = await writePartitions(connection, work, 'readings', READING_COLUMNS, 'reason IS NULL', `ORDER BY ${READINGS_ORDER}`);
    const rejected = await writePartitions(connection, work, 'rejected', REJECTED_COLUMNS, 'reason IS NOT NULL',
      `ORDER BY ${REJECTED_ORDER}`);

    const result: ConversionResult = { rawKey, readings: [], rejected: [], duplicatesRemoved: accepted - readings.reduce((n, p) => n + p.rows, 0) };
    for (const part of readings) {
      const key = curatedReadingsKey(part.dt, name);
      await store.put(key, await readFile(part.path));
      result.readings.push({ dt: part.dt, key, rows: part.rows });
    }
    for (const part of rejected) {
      const key = rejectedReadingsKey(part.dt, name);
      await store.put(key, await readFile(part.path));
      result.rejected.push({ dt: part.dt, key, rows: part.rows });
    }
    return result;
  } finally {
    connection.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}

/** One Parquet file per UTC day present among the selected lines. */
async function writePartitions(
  connection: DuckDBConnection,
  work: string,
  label: string,
  columns: readonly Column[],
  where: string,
  tail: string,
): Promise<{ dt: string; path: string; rows: number }[]> {
  // A NULL day (a line with neither ts nor received_at) must fail the conversion, not become day 0 and match no row.
  const days = (await connection.runAndReadAll(`SELECT DISTINCT day FROM raw_lines WHERE ${where} ORDER BY day`)).getRows().map((r) => r[0]);
  const parts: { dt: string; path: string; rows: number }[] = [];
  for (const value of days) {
    const day = value === null ? Number.NaN : Number(value);
    const dt = utcDateOfDay(day) ?? String(value);
    if (!isValidDate(dt)) throw new Error(`converter: computed partition ${JSON.stringify(dt)} is not a date`);
    const path = join(work, `${label}-${dt}.parquet`);
    const rows = await copyToParquet(connection, `SELECT ${columns.map(storedExpr).join(', ')} FROM raw_lines WHERE ${where} AND day = ${day} ${tail}`, path);
    parts.push({ dt, path, rows });
  }
  return parts;
}
