// Query results as plain JSON-friendly rows: integers as numbers (strings beyond 2^53),
// timestamps as ISO-8601 UTC strings, dates as YYYY-MM-DD.
import { DuckDBTypeId, type DuckDBResultReader } from '@duckdb/node-api';

export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };
export type PlainRow = Record<string, PlainValue>;

export function plainValue(value: unknown): PlainValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value as string | number | boolean;
}

export function plainRows(reader: DuckDBResultReader): PlainRow[] {
  const dateColumns = reader.columnNames().filter((_, i) => reader.columnTypeId(i) === DuckDBTypeId.DATE);
  return reader.getRowObjectsJS().map((row) => {
    const plain = plainValue(row) as PlainRow;
    for (const name of dateColumns) if (typeof plain[name] === 'string') plain[name] = (plain[name] as string).slice(0, 10);
    return plain;
  });
}
