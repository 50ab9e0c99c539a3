// What the written Parquet files actually hold, read back with DuckDB after the timed runs, so the
// report states rows and codecs from the files rather than from what each writer was asked to do.
import type { DuckDBInstance } from '@duckdb/node-api';
import { pathLiteral } from '../../pipeline/query/duckdb.ts';

export interface ParquetFacts {
  rows: number;
  /** Distinct column-chunk compression codecs, e.g. `ZSTD`, or `SNAPPY, UNCOMPRESSED`. */
  codec: string;
}

export async function parquetFacts(duckdb: DuckDBInstance, files: readonly string[]): Promise<ParquetFacts> {
  if (files.length === 0) return { rows: 0, codec: 'none' };
  const list = `[${files.map(pathLiteral).join(', ')}]`;
  const connection = await duckdb.connect();
  try {
    const rows = (await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${list})`)).getRows()[0]?.[0];
    const codecs = (await connection.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata(${list}) ORDER BY 1`)).getRows().map((r) => String(r[0]));
    return { rows: Number(rows), codec: codecs.join(', ') };
  } finally {
    connection.closeSync();
  }
}
