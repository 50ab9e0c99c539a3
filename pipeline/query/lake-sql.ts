// Running Athena (Trino) SQL on the local lake: the twin's Athena. Each call takes a fresh
// connection, so the Trino-speaking compat settings never reach DuckDB-native callers.
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createLakeViews, sharedViews } from './catalog.ts';
import { bindParameters, getNamedQuery, type NamedQuery, type ParamValue } from './named-queries.ts';
import { plainRows, type PlainRow } from './rows.ts';
import { maskSqlLiterals } from './sql-text.ts';
import { installTrinoCompat, toDuckDbSql } from './trino-compat.ts';

export interface QueryResult {
  columns: string[];
  /** Column types as DuckDB reports them (e.g. DOUBLE, DATE, VARCHAR). */
  types: string[];
  rows: PlainRow[];
}

/** The last run queued on each instance (see withLakeConnection). */
const runs = new WeakMap<DuckDBInstance, Promise<unknown>>();

/**
 * Runs `work` on a fresh connection with the lake's views over its current files and the compat
 * layer. Runs on one instance take turns: each (re)creates the catalog's views, and two
 * connections doing that at once fail with a DuckDB write-write conflict (seen with the twin's
 * dashboard and report jobs sharing its instance). DuckDB parallelizes within a query anyway.
 */
function withLakeConnection<T>(duckdb: DuckDBInstance, lakeRoot: string, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    const connection = await duckdb.connect();
    try {
      await createLakeViews(connection, lakeRoot);
      await installTrinoCompat(connection);
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  };
  const next = (runs.get(duckdb) ?? Promise.resolve()).then(run, run);
  runs.set(duckdb, next.catch(() => undefined));
  return next;
}

async function runOn(connection: DuckDBConnection, duckSql: string, params: readonly ParamValue[]): Promise<QueryResult> {
  const reader = await connection.runAndReadAll(duckSql, params.length ? [...params] as never : undefined);
  return {
    columns: reader.columnNames(),
    types: reader.columnTypes().map((t) => t.toString()),
    rows: plainRows(reader),
  };
}

/** Runs one Athena SQL statement over the lake's current files, with `params` bound to its `?` markers. */
export async function runLakeSql(duckdb: DuckDBInstance, lakeRoot: string, sql: string, params: readonly ParamValue[] = []): Promise<QueryResult> {
  const duckSql = toDuckDbSql(sql);
  return withLakeConnection(duckdb, lakeRoot, (connection) => runOn(connection, duckSql, params));
}

/** Runs a named query with parameter texts (`{ start_date: '2026-03-01' }`), validated and typed first. */
export async function runNamedQuery(duckdb: DuckDBInstance, lakeRoot: string, name: string, texts: Record<string, string> = {}): Promise<QueryResult & { query: NamedQuery }> {
  const query = getNamedQuery(name);
  const values = bindParameters(query, texts);
  return { query, ...(await runLakeSql(duckdb, lakeRoot, query.sql, values)) };
}

/** The views that compute from live readings (queries/views: metering_input and live_*); the others also read the rollup. */
export const isLiveView = (name: string): boolean => name === 'metering_input' || name.startsWith('live_');

/** The shared views that two or more of `sqls` read, directly or through other views, in dependency order. */
export function sharedViewsReadTwice(sqls: readonly string[]): string[] {
  const views = sharedViews();
  const reads = (sql: string, name: string): boolean => new RegExp(`\\b${name}\\b`, 'i').test(maskSqlLiterals(sql));
  const readers = new Map<string, Set<number>>();
  // A view reads only views before it (file order), so its readers are known once the later ones are.
  for (const [i, view] of [...views.entries()].reverse()) {
    const users = new Set(sqls.flatMap((sql, q) => (reads(sql, view.name) ? [q] : [])));
    for (const later of views.slice(i + 1)) if (reads(later.sql, view.name)) for (const q of readers.get(later.name) ?? []) users.add(q);
    readers.set(view.name, users);
  }
  return views.filter((v) => (readers.get(v.name)?.size ?? 0) >= 2).map((v) => v.name);
}

/**
 * Runs several named queries on one connection (one set-up of the lake's views, e.g. for a
 * dashboard's datasets), all parameters checked before any runs. Results in request order.
 * `materializeViews` computes each live view (queries/views: metering_input, live_*) that two or
 * more of the queries read once into a temporary table that shadows it for this connection: the
 * interval and slot arithmetic of the days not yet in the rollup is then done once instead of per
 * query. The tables hold those days' rows in memory (all of the lake before its first
 * compaction); the rollup's rows are read by each query, pruned to its period.
 */
export async function runNamedQueries(
  duckdb: DuckDBInstance, lakeRoot: string, requests: readonly { name: string; texts?: Record<string, string> }[],
  { materializeViews = false }: { materializeViews?: boolean } = {},
): Promise<(QueryResult & { query: NamedQuery })[]> {
  const bound = requests.map(({ name, texts = {} }) => {
    const query = getNamedQuery(name);
    return { query, duckSql: toDuckDbSql(query.sql), values: bindParameters(query, texts) };
  });
  return withLakeConnection(duckdb, lakeRoot, async (connection) => {
    // In dependency order; a view reads the tables materialized before it (temp comes first in DuckDB's search path).
    if (materializeViews) {
      for (const view of sharedViewsReadTwice(bound.map((b) => b.query.sql)).filter(isLiveView)) await connection.run(`CREATE TEMP TABLE ${view} AS SELECT * FROM main.${view}`);
    }
    const results: (QueryResult & { query: NamedQuery })[] = [];
    for (const { query, duckSql, values } of bound) results.push({ query, ...(await runOn(connection, duckSql, values)) });
    return results;
  });
}
