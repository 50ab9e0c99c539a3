// How curated files are written, shared by the converter (one raw object in) and compaction
// (a day's curated files in), so that both produce the same rows in the same order and format.
import { pathLiteral, type DuckDBConnection } from '../query/duckdb.ts';
import { PARQUET_COPY_OPTIONS } from './parquet-options.ts';

/**
 * QUALIFY condition keeping one row per (device_id, ts): the first received, ties broken exactly
 * as in queries/views/readings_unique.sql, so files and the query-time view agree on the survivor.
 */
export const COPY_NUMBER = 'row_number() OVER (PARTITION BY device_id, ts ORDER BY received_at, energy_import_kwh, site_id)';
export const FIRST_RECEIVED = `${COPY_NUMBER} = 1`;

/** Row order of readings files: row-group statistics on site and device then prune well. */
export const READINGS_ORDER = 'site_id, device_id, ts';

/** Row order of rejected_readings files: as received. */
export const REJECTED_ORDER = 'received_at, device_id, ts, reason';

/** Writes the rows of `select` to a local Parquet file with the lake's options; returns the row count. */
export async function copyToParquet(connection: DuckDBConnection, select: string, path: string, { rowGroupSize }: { rowGroupSize?: number } = {}): Promise<number> {
  const options = rowGroupSize === undefined ? PARQUET_COPY_OPTIONS : `${PARQUET_COPY_OPTIONS.replace(/, ROW_GROUP_SIZE \d+/, '')}, ROW_GROUP_SIZE ${Math.trunc(rowGroupSize)}`;
  const copied = await connection.run(`COPY (${select}) TO ${pathLiteral(path)} (${options})`);
  return Number(copied.rowsChanged);
}
