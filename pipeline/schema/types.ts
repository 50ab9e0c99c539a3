// Each engine's spelling of the schema's logical types. Timestamps are stored as Parquet
// INT64 TIMESTAMP(MILLIS): Athena/Glue read millisecond timestamps, and ms is the contract's precision.
import type { Column, ColumnType } from './readings.ts';

const DUCKDB: Record<ColumnType, string> = { string: 'VARCHAR', double: 'DOUBLE', bigint: 'BIGINT', timestamp: 'TIMESTAMP_MS', kwh_register: 'DECIMAL(18,3)', date: 'DATE' };
const GLUE: Record<ColumnType, string> = { string: 'string', double: 'double', bigint: 'bigint', timestamp: 'timestamp', kwh_register: 'decimal(18,3)', date: 'date' };
/** Parquet physical type / logical annotation as written by the converter. */
const PARQUET: Record<ColumnType, { physical: string; logical?: string }> = {
  string: { physical: 'BYTE_ARRAY', logical: 'STRING' },
  double: { physical: 'DOUBLE' },
  bigint: { physical: 'INT64' },
  timestamp: { physical: 'INT64', logical: 'TIMESTAMP(MILLIS)' },
  kwh_register: { physical: 'INT64', logical: 'DECIMAL(18,3)' },
  date: { physical: 'INT32', logical: 'DATE' },
};

export const duckdbType = (type: ColumnType): string => DUCKDB[type];
export const glueType = (type: ColumnType): string => GLUE[type];
export const parquetType = (type: ColumnType): { physical: string; logical?: string } => PARQUET[type];

/** Glue `Columns` entries (name, type, comment) for a table's file columns. */
export function glueColumns(columns: readonly Column[]): { name: string; type: string; comment: string }[] {
  return columns.map((c) => ({ name: c.name, type: glueType(c.type), comment: c.unit ? `${c.description} [${c.unit}]` : c.description }));
}

/** `CAST(name AS TYPE) AS name, …`: a select list that pins each column to its schema type whatever the source. */
export function duckdbCastList(columns: readonly Column[]): string {
  return columns.map((c) => `CAST(${c.name} AS ${duckdbType(c.type)}) AS ${c.name}`).join(', ');
}
