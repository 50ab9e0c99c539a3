// Running Athena (Trino) SQL on the local lake: the twin's Athena. Each call takes a fresh
// connection, so the Trino-speaking compat settings never reach DuckDB-native callers.
import type { DuckDBInstance } from '@duckdb/node-api';
import { createLakeViews } from './catalog.ts';
import { bindParameters, getNamedQuery, type NamedQuery, type ParamValue } from './named-queries.ts';
import { plainRows, type PlainRow } from './rows.ts';
import { installTrinoCompat, toDuckDbSql } from './trino-compat.ts';

export interface QueryResult {
  columns: string[];
  /** Column types as DuckDB reports them (e.g. DOUBLE, DATE, VARCHAR). */
  types: string[];
  rows: PlainRow[];
}

/** Runs one Athena SQL statement over the lake's current files, with `params` bound to its `?` markers. */
export async function runLakeSql(duckdb: DuckDBInstance, lakeRoot: string, sql: string, params: readonly ParamValue[] = []): Promise<QueryResult> {
  const duckSql = toDuckDbSql(sql);
  const connection = await duckdb.connect();
  try {
    await createLakeViews(connection, lakeRoot);
    await installTrinoCompat(connection);
    const reader = await connection.runAndReadAll(duckSql, params.length ? [...params] as never : undefined);
    return {
      columns: reader.columnNames(),
      types: reader.columnTypes().map((t) => t.toString()),
      rows: plainRows(reader),
    };
  } finally {
    connection.closeSync();
  }
}

/** Runs a named query with parameter texts (`{ start_date: '2026-03-01' }`), validated and typed first. */
export async function runNamedQuery(duckdb: DuckDBInstance, lakeRoot: string, name: string, texts: Record<string, string> = {}): Promise<QueryResult & { query: NamedQuery }> {
  const query = getNamedQuery(name);
  const values = bindParameters(query, texts);
  return { query, ...(await runLakeSql(duckdb, lakeRoot, query.sql, values)) };
}
