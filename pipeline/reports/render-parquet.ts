// A report as Parquet, written by DuckDB like the curated lake (ZSTD, the converter's options),
// with each column typed from the query's header: varchar -> STRING, double -> DOUBLE, bigint ->
// INT64, date -> DATE, timestamp(3) -> TIMESTAMP(MILLIS) UTC, boolean -> BOOLEAN. The rows go
// in through DuckDB's appender, typed value by value, so no data value is ever part of SQL text;
// the SQL holds only header column names (checked identifiers) and the types mapped below.
// DuckDB writes Parquet only to a file: a private temp folder, read back and removed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBDateValue, DuckDBTimestampMillisecondsValue, type DuckDBAppender } from '@duckdb/node-api';
import { PARQUET_COPY_OPTIONS } from '../convert/parquet-options.ts';
import { openDuckDb, pathLiteral } from '../query/duckdb.ts';
import { ReportDataError, type Cell, type ReportColumn, type ReportTable } from './report-table.ts';
import { DAY_MS } from '../schema/ids.ts';

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

/** The DuckDB type of a report column. */
export function parquetColumnType(column: ReportColumn): string {
  switch (column.kind) {
    case 'text':
      return 'VARCHAR';
    case 'number':
      return 'DOUBLE';
    case 'integer':
      return ['integer', 'int'].includes(column.type.toLowerCase()) ? 'INTEGER' : 'BIGINT';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP_MS';
    case 'boolean':
      return 'BOOLEAN';
  }
}

function append(appender: DuckDBAppender, type: string, cell: Cell): void {
  if (cell === null) return appender.appendNull();
  switch (type) {
    case 'VARCHAR':
      return appender.appendVarchar(cell as string);
    case 'DOUBLE':
      return appender.appendDouble(cell as number);
    case 'INTEGER':
      return appender.appendInteger(cell as number);
    case 'BIGINT':
      return appender.appendBigInt(BigInt(cell as number));
    case 'DATE':
      return appender.appendDate(new DuckDBDateValue(Date.parse(`${cell as string}T00:00:00Z`) / DAY_MS));
    case 'TIMESTAMP_MS':
      return appender.appendTimestampMilliseconds(new DuckDBTimestampMillisecondsValue(BigInt(cell as number)));
    case 'BOOLEAN':
      return appender.appendBoolean(cell as boolean);
  }
}

export async function renderParquet(table: ReportTable): Promise<Uint8Array> {
  for (const column of table.columns) {
    if (!IDENTIFIER.test(column.name)) throw new ReportDataError(`column name ${JSON.stringify(column.name)} is not an identifier`);
  }
  const types = table.columns.map(parquetColumnType);
  const dir = await mkdtemp(join(tmpdir(), 'wattlake-report-'));
  const duckdb = await openDuckDb({ threads: 1 });
  try {
    const connection = await duckdb.connect();
    try {
      await connection.run(`CREATE TABLE report_rows (${table.columns.map((c, i) => `"${c.name}" ${types[i]}`).join(', ')})`);
      const appender = await connection.createAppender('report_rows');
      for (const row of table.rows) {
        row.forEach((cell, i) => append(appender, types[i]!, cell));
        appender.endRow();
      }
      appender.closeSync();
      const file = join(dir, 'report.parquet');
      await connection.run(`COPY report_rows TO ${pathLiteral(file)} (${PARQUET_COPY_OPTIONS})`);
      const bytes = await readFile(file);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } finally {
      connection.closeSync();
    }
  } finally {
    duckdb.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
