// The Glue catalog's local stand-in: DuckDB views with the same names and columns over the
// lake folder's Parquet and reference CSVs, plus the shared SQL views from queries/views/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PARTITION_COLUMN, READING_COLUMNS, REJECTED_COLUMNS, type Column } from '../schema/readings.ts';
import { REFERENCE_TABLE_NAMES, REFERENCE_TABLES } from '../schema/reference.ts';
import { duckdbCastList, duckdbType } from '../schema/types.ts';
import { ROLLUP_TABLE_NAMES, ROLLUP_TABLES } from '../schema/rollup.ts';
import { LAKE_PREFIXES, referenceKey, rollupPrefix } from '../storage/keys.ts';
import { pathLiteral, type DuckDBConnection } from './duckdb.ts';
import { installTrinoFunctions } from './trino-compat.ts';

const VIEWS_DIR = fileURLToPath(new URL('../../queries/views/', import.meta.url));

/** Tables over the lake's Parquet, by name: curated and rollup (pipeline/schema/rollup.ts). */
export const LAKE_TABLES: { name: string; prefix: string; columns: readonly Column[]; partitioned: boolean; sameSchema: boolean }[] = [
  { name: 'readings', prefix: LAKE_PREFIXES.curated, columns: READING_COLUMNS, partitioned: true, sameSchema: false },
  { name: 'rejected_readings', prefix: LAKE_PREFIXES.rejected, columns: REJECTED_COLUMNS, partitioned: true, sameSchema: false },
  // Written only by compaction, whole, with one schema: no need to read every file's footer when a query binds (union_by_name does).
  ...ROLLUP_TABLE_NAMES.map((name) => ({ name, prefix: rollupPrefix(name), columns: ROLLUP_TABLES[name].columns, partitioned: ROLLUP_TABLES[name].partition !== null, sameSchema: true })),
];

/** The shared views, in dependency order (file name order), as `{ name, sql }`. */
export function sharedViews(): { name: string; sql: string }[] {
  return readdirSync(VIEWS_DIR).filter((f) => f.endsWith('.sql')).sort().map((file) => {
    const sql = readFileSync(join(VIEWS_DIR, file), 'utf8');
    const name = /^--\s*view:\s*(\w+)/m.exec(sql)?.[1];
    if (!name) throw new Error(`queries/views/${file}: missing "-- view: <name>" header`);
    return { name, sql };
  });
}

const hasParquet = (dir: string): boolean =>
  existsSync(dir) && readdirSync(dir, { withFileTypes: true }).some((d) =>
    d.isDirectory() ? hasParquet(join(dir, d.name)) : d.name.endsWith('.parquet') && !d.name.startsWith('.'));

/** A typed table with no rows: DuckDB cannot glob zero files, and queries must still bind. */
export const emptySource = (columns: readonly Column[]): string => `(SELECT ${columns.map((c) => `NULL AS ${c.name}`).join(', ')} WHERE false)`;

/**
 * (Re)creates the lake views. Call again after new partitions appear or a reference table is
 * loaded: a table with no files yet is an empty view of the right types.
 */
export async function createLakeViews(connection: DuckDBConnection, lakeRoot: string): Promise<void> {
  const root = resolve(lakeRoot);
  for (const table of LAKE_TABLES) {
    const dir = join(root, table.prefix);
    const columns = table.partitioned ? [...table.columns, PARTITION_COLUMN] : table.columns;
    const files = table.partitioned ? join(dir, '*', '*.parquet') : join(dir, '*.parquet');
    const source = !hasParquet(dir) ? emptySource(columns)
      : table.partitioned ? `read_parquet(${pathLiteral(files)}, hive_partitioning = true, hive_types = {'dt': VARCHAR}, union_by_name = ${table.sameSchema ? 'false' : 'true'})`
        : `read_parquet(${pathLiteral(files)}, hive_partitioning = false)`;
    await connection.run(`CREATE OR REPLACE VIEW ${table.name} AS SELECT ${duckdbCastList(columns)} FROM ${source}`);
  }
  for (const name of REFERENCE_TABLE_NAMES) {
    const columns = REFERENCE_TABLES[name];
    const file = join(root, ...referenceKey(name).split('/'));
    // The installed CSV is canonical (pipeline/reference/validate.ts): header, schema order, ISO dates.
    const source = existsSync(file)
      ? `read_csv(${pathLiteral(file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', dateformat = '%Y-%m-%d', columns = {${columns.map((c) => `'${c.name}': '${duckdbType(c.type)}'`).join(', ')}})`
      : emptySource(columns);
    await connection.run(`CREATE OR REPLACE VIEW ${name} AS SELECT ${duckdbCastList(columns)} FROM ${source}`);
  }
  // The shared views are Athena SQL: they need the Trino functions DuckDB lacks (trino-compat.ts).
  await installTrinoFunctions(connection);
  for (const view of sharedViews()) {
    await connection.run(`CREATE OR REPLACE VIEW ${view.name} AS ${view.sql}`);
  }
}
