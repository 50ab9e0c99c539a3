// A quick census of the lake for operators: what each table holds, per day and in total.
import type { DuckDBConnection } from './duckdb.ts';
import { plainRows, type PlainRow } from './rows.ts';

export interface LakeSummary {
  readings: PlainRow;
  perDay: PlainRow[];
  rejectedByReason: PlainRow[];
}

export async function summarizeLake(connection: DuckDBConnection): Promise<LakeSummary> {
  const [readings] = plainRows(await connection.runAndReadAll(`
    SELECT count(*) AS readings, count(DISTINCT device_id) AS devices, count(DISTINCT site_id) AS sites,
           min(ts) AS first_ts, max(ts) AS last_ts
    FROM readings_unique`));
  const perDay = plainRows(await connection.runAndReadAll(`
    SELECT dt, count(*) AS readings, count(DISTINCT device_id) AS devices FROM readings_unique GROUP BY dt ORDER BY dt`));
  const rejectedByReason = plainRows(await connection.runAndReadAll(`
    SELECT reason, count(*) AS readings FROM rejected_readings GROUP BY reason ORDER BY readings DESC, reason`));
  return { readings: readings ?? {}, perDay, rejectedByReason };
}
