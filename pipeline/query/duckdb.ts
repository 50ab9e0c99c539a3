// Opening DuckDB and the one place that puts a file path into SQL text. DuckDB cannot bind
// COPY targets or table-function paths as parameters, so paths (which the pipeline itself
// creates, never user input) are checked against a strict pattern before being quoted.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export type { DuckDBConnection };

/** An in-memory DuckDB for pipeline work (conversion, local queries over files). */
export async function openDuckDb({ threads, memoryLimit }: { threads?: number; memoryLimit?: string } = {}): Promise<DuckDBInstance> {
  const options: Record<string, string> = {};
  if (threads !== undefined) options.threads = String(threads);
  if (memoryLimit !== undefined) options.memory_limit = memoryLimit;
  const instance = await DuckDBInstance.create(':memory:', options);
  // Timestamps in the lake are UTC; never let the host's TZ leak into casts (icu is loaded by now).
  const connection = await instance.connect();
  await connection.run("SET GLOBAL TimeZone = 'UTC'");
  connection.closeSync();
  return instance;
}

const SAFE_PATH = /^[A-Za-z0-9_./=:*+-]+$/;

/** A file path or glob as a SQL string literal; refuses anything outside a conservative character set. */
export function pathLiteral(path: string): string {
  if (!SAFE_PATH.test(path) || path.includes('..')) {
    throw new Error(`refusing to use path in SQL (unexpected characters): ${JSON.stringify(path)}`);
  }
  return `'${path}'`;
}
